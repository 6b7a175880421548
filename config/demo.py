"""A realistic, varied demo data set so every page and endpoint has something to show.

Deterministic (seeded) and idempotent: every row is keyed by a stable handle or external id, so a
second run adds nothing. Profiles get months of weekly snapshots that show growth (and the odd
spike), posts spread over six months with per-category captions and hashtags, a few subreddits with
real-looking rules, an analyst taxonomy, and a campaign. Cached metrics (engagement, growth, viral
flags…) are computed by the same code that runs after a scrape; AI fields are left pending for the
worker's analysis pipeline, exactly as for scraped data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership, Team
from campaigns.models import Campaign, CampaignPost, CampaignProfile
from config import demo_content as words
from config.demo_images import avatar_asset, post_assets
from posts.metrics import compute_community_metrics, compute_profile_metrics
from posts.models import CommentSentiment, Post, PostKind, PostMedia
from profiles.audience import Demographics, store_demographics
from profiles.models import (
    AudienceSegment,
    AudienceSource,
    Community,
    CommunityReviewStatus,
    CommunitySnapshot,
    Favorite,
    InstagramConnection,
    Platform,
    Profile,
    ProfileSnapshot,
    ReviewStatus,
    Tag,
    TagCategory,
)

DEMO_MARK = "demo"
SEED = 20261121

# Caption material per niche: what a creator in that niche writes about, and the hashtags they use.
NICHES: dict[str, tuple[list[str], list[str]]] = {
    "fashion": (
        ["new autumn lookbook", "styling one blazer five ways", "thrifted outfit of the day"],
        ["ootd", "fashion", "streetstyle"],
    ),
    "beauty": (
        ["my five-minute makeup routine", "skincare shelf tour", "testing the viral lipstick"],
        ["makeup", "skincare", "beauty"],
    ),
    "fitness": (
        ["leg day that actually works", "30 minute home workout", "how I hit a new deadlift PR"],
        ["fitness", "gym", "workout"],
    ),
    "food": (
        ["the easiest sourdough focaccia", "weeknight ramen in 20 minutes", "street food tour"],
        ["food", "recipe", "foodie"],
    ),
    "travel": (
        ["three days in Lisbon", "hidden beaches in Crete", "packing light for two weeks"],
        ["travel", "wanderlust", "travelgram"],
    ),
    "tech": (
        ["unboxing the new phone", "my desk setup for 2026", "is this laptop worth it"],
        ["tech", "gadgets", "setup"],
    ),
    "gaming": (
        ["speedrun attempt tonight", "ranking every boss fight", "new patch first impressions"],
        ["gaming", "gamer", "twitch"],
    ),
    "music": (
        ["cover of a song you love", "studio session behind the scenes", "new single out Friday"],
        ["music", "singer", "newmusic"],
    ),
    "pets": (
        ["my dog learned a new trick", "cat vs cardboard box", "adoption day anniversary"],
        ["dogsofinstagram", "pets", "catlife"],
    ),
    "parenting": (
        ["toddler breakfast ideas", "surviving the first week of school", "family weekend plans"],
        ["momlife", "parenting", "family"],
    ),
    "finance": (
        ["how I budget every month", "index funds explained simply", "paying off debt update"],
        ["money", "investing", "personalfinance"],
    ),
    "photography": (
        ["golden hour portraits", "film vs digital", "editing a photo start to finish"],
        ["photography", "35mm", "portrait"],
    ),
}
SPONSOR_LINES = [
    "Thanks to our partner for this one #ad",
    "Use my code for 20% off #sponsored",
    "Paid partnership #partner",
]

COMMUNITIES = [
    ("SkincareAddiction", "beauty", 1_900_000, False),
    ("malefashionadvice", "fashion", 5_200_000, False),
    ("fitness", "fitness", 11_000_000, False),
    ("Cooking", "food", 4_100_000, False),
    ("travel", "travel", 9_000_000, False),
    ("buildapc", "tech", 7_200_000, False),
    ("personalfinance", "finance", 20_000_000, False),
    ("OnlyFansPromotions", "lifestyle", 850_000, True),
]
COMMUNITY_RULES = [
    {"short_name": "Be civil", "description": "No personal attacks or harassment.", "kind": "all"},
    {"short_name": "No self-promotion", "description": "Links to your own content need mod approval.", "kind": "link"},
    {"short_name": "Flair your post", "description": "Posts without flair are removed.", "kind": "all"},
]

TAXONOMY = {
    "Niche": [
        "Skincare",
        "Streetwear",
        "Home workouts",
        "Vegan food",
        "Budget travel",
        "PC building",
        "Personal finance",
    ],
    "Format": ["Tutorial", "Review", "Vlog", "Unboxing", "Behind the scenes"],
    "Style": ["Minimalist", "Humorous", "Educational", "Aesthetic"],
    "Production": ["Studio quality", "Phone shot", "Professional editing"],
}


@dataclass
class DemoSummary:
    profiles: int = 0
    posts: int = 0
    snapshots: int = 0
    communities: int = 0
    campaigns: int = 0
    audiences: int = 0


@transaction.atomic
def load_demo(instagram_profiles: int = 240, reddit_profiles: int = 80, months: int = 6, progress=None) -> DemoSummary:
    """Create the demo data set; safe to run again (adds only what is missing).

    ``progress(done, total)`` is called every 25 creators (the whole run takes a minute or more).
    """
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    summary = DemoSummary()
    # The demo's creators and subreddits are made up: scheduled scrapes must never ask the real Reddit
    # or Instagram about them (rows loaded by an older version included).
    Profile.objects.filter(discovered_via=DEMO_MARK, scrape_enabled=True).update(scrape_enabled=False)
    Community.objects.filter(discovered_via=DEMO_MARK, scrape_enabled=True).update(scrape_enabled=False)

    for position, (category_name, tag_names) in enumerate(TAXONOMY.items()):
        category, _ = TagCategory.objects.get_or_create(
            slug=slugify(category_name), defaults={"name": category_name, "position": position}
        )
        for tag_name in tag_names:
            Tag.objects.get_or_create(
                slug=slugify(f"{category_name}-{tag_name}"),
                defaults={"category": category, "name": tag_name, "description": f"{tag_name} content"},
            )

    communities = []
    for name, category, subscribers, nsfw in COMMUNITIES:
        rng = random.Random(f"{SEED}-community-{name}")
        community, created = Community.objects.get_or_create(
            name=name,
            defaults={
                "title": name.replace("_", " "),
                "public_description": f"A community about {category}.",
                "description": f"Welcome to r/{name}. Read the rules before posting.",
                "subscribers": subscribers,
                "active_users": subscribers // 900,
                "is_nsfw": nsfw,
                "created_utc": now - timedelta(days=rng.randint(900, 5000)),
                "rules": COMMUNITY_RULES
                + (
                    [{"short_name": "Verification required", "description": "Verify before posting.", "kind": "all"}]
                    if nsfw
                    else []
                ),
                "allowed_post_types": ["text", "link", "image"],
                "verification_required": nsfw,
                "primary_category": category if rng.random() < 0.5 else "",
                "review_status": rng.choice([CommunityReviewStatus.OK, CommunityReviewStatus.UNREVIEWED]),
                "discovered_via": DEMO_MARK,
                "scrape_enabled": False,
                "last_scraped_at": now,
            },
        )
        communities.append(community)
        if created:
            summary.communities += 1
            CommunitySnapshot.objects.bulk_create(
                CommunitySnapshot(
                    community=community,
                    captured_at=now - timedelta(weeks=w),
                    subscribers=int(subscribers * (1 - 0.004 * w)),
                    active_users=subscribers // 900,
                )
                for w in range(months * 4, -1, -1)
            )

    niches = list(NICHES)
    specs = [(Platform.INSTAGRAM, i) for i in range(instagram_profiles)] + [
        (Platform.REDDIT, i) for i in range(reddit_profiles)
    ]
    for done, (platform, index) in enumerate(specs, start=1):
        if progress is not None and (done % 25 == 0 or done == len(specs)):
            progress(done, len(specs))
        # One generator per creator, so a re-run (which skips existing ones) yields the same rows.
        rng = random.Random(f"{SEED}-{platform}-{index}")
        niche = niches[index % len(niches)]
        language = words.pick(rng, words.LANGUAGE_WEIGHTS) if platform == Platform.INSTAGRAM else "en"
        if platform == Platform.INSTAGRAM:
            handle, full_name = words.person(rng, language, niche)
        else:
            handle, full_name = words.redditor(rng), ""
        # Follower counts are log-uniform between 2k and 5M: most creators are small, a few are huge.
        followers = int(10 ** rng.uniform(3.3, 6.7))
        weekly_growth = rng.uniform(-0.002, 0.02)
        profile, created = Profile.objects.get_or_create(
            platform=platform,
            handle=handle,
            defaults={
                "external_id": f"demo-{platform}-{index}",
                "full_name": full_name,
                "bio": f"{niche.title()} creator. {NICHES[niche][0][0].capitalize()} and more. Collabs: DM",
                "is_verified": followers > 1_000_000 and rng.random() < 0.6,
                "is_business": platform == Platform.INSTAGRAM and rng.random() < 0.5,
                "followers_count": followers if platform == Platform.INSTAGRAM else None,
                "following_count": rng.choice([rng.randint(80, 1200), rng.randint(1600, 7500)])
                if platform == Platform.INSTAGRAM
                else None,
                "total_karma": rng.randint(500, 400_000) if platform == Platform.REDDIT else None,
                "account_created_at": now - timedelta(days=rng.randint(400, 4000)),
                "review_status": rng.choice(list(ReviewStatus.values)),
                "discovered_via": DEMO_MARK,
                "scrape_enabled": False,
                "last_scraped_at": now,
                "scrape_status": "ok",
            },
        )
        if not created:
            continue
        profile.avatar_asset = avatar_asset(profile.full_name or profile.handle, profile.handle)
        profile.save(update_fields=["avatar_asset"])
        summary.profiles += 1
        weeks = months * 4
        snapshots = []
        for w in range(weeks, -1, -1):
            # Compound growth backwards from today, with a one-week spike for about one creator in ten.
            count = followers / ((1 + weekly_growth) ** w)
            if w == 3 and index % 10 == 0:
                count *= 0.85
            snapshots.append(
                ProfileSnapshot(
                    profile=profile,
                    captured_at=now - timedelta(weeks=w),
                    followers_count=int(count) if platform == Platform.INSTAGRAM else None,
                    following_count=profile.following_count,
                    total_karma=int(profile.total_karma * (1 - 0.01 * w)) if profile.total_karma else None,
                )
            )
        ProfileSnapshot.objects.bulk_create(snapshots)
        summary.snapshots += len(snapshots)
        summary.posts += _make_posts(rng, profile, niche, language, communities, now, months)
        compute_profile_metrics(profile.pk)

    if summary.posts:
        for community in communities:
            compute_community_metrics(community.pk)
    summary.campaigns += _make_campaign(random.Random(f"{SEED}-campaign"), now)
    summary.audiences += load_audience_demo(now)
    return summary


def _make_posts(
    rng: random.Random, profile: Profile, niche: str, language: str, communities: list[Community], now, months: int
) -> int:
    topics, hashtags = NICHES[niche]
    feelings = []
    per_week = rng.uniform(0.5, 5)
    total = max(3, int(per_week * months * 4.3))
    # Mean likes per post follows the follower count with a realistic engagement rate of 0.5–6 %.
    base_rate = rng.uniform(0.005, 0.06)
    posts = []
    for n in range(total):
        posted_at = now - timedelta(hours=rng.randint(1, months * 30 * 24))
        posted_at = posted_at.replace(hour=rng.choice([8, 12, 17, 18, 19, 20, 21]))
        sponsored = rng.random() < 0.12
        feeling = words.pick(rng, words.SENTIMENT_WEIGHTS)
        feelings.append(feeling)
        text = rng.choice(words.CAPTIONS[language][feeling]).format(topic=rng.choice(topics))
        tags = rng.sample(hashtags, k=rng.randint(1, len(hashtags)))
        if sponsored:
            text += f" {rng.choice(SPONSOR_LINES)}"
        caption = f"{text} " + " ".join(f"#{t}" for t in tags)
        if profile.platform == Platform.INSTAGRAM:
            kind = rng.choice([PostKind.IMAGE, PostKind.IMAGE, PostKind.CAROUSEL, PostKind.REEL])
            likes = int(profile.followers_count * base_rate * rng.lognormvariate(0, 0.5))
            if rng.random() < 0.02:  # an outlier the viral-post metric should find
                likes *= rng.randint(6, 15)
            hidden = rng.random() < 0.05
            posts.append(
                Post(
                    platform=profile.platform,
                    external_id=f"demo-{profile.handle}-{n}",
                    shortcode=f"D{profile.id:05d}{n:04d}",
                    author=profile,
                    kind=kind,
                    caption=caption,
                    permalink=f"https://www.instagram.com/p/D{profile.id:05d}{n:04d}/",
                    posted_at=posted_at,
                    likes_count=None if hidden else likes,
                    likes_hidden=hidden,
                    comments_count=max(0, int(likes * rng.uniform(0.005, 0.04))),
                    views_count=likes * rng.randint(3, 9) if kind == PostKind.REEL else None,
                    plays_count=likes * rng.randint(4, 12) if kind == PostKind.REEL else None,
                    hashtags=tags,
                    is_sponsored=sponsored,
                    is_paid_partnership=sponsored and rng.random() < 0.5,
                    sponsor_markers=["#ad"] if sponsored else [],
                    last_scraped_at=now,
                )
            )
        else:
            community = rng.choice(communities)
            score = int(rng.lognormvariate(4, 1.4))
            posts.append(
                Post(
                    platform=profile.platform,
                    external_id=f"demo_t3_{profile.handle}_{n}",
                    author=profile,
                    community=community,
                    kind=rng.choice([PostKind.TEXT, PostKind.LINK, PostKind.IMAGE]),
                    caption=rng.choice(words.REDDIT_TITLES[feeling]).format(topic=rng.choice(topics)),
                    body=words.REDDIT_BODIES[feeling],
                    permalink=f"https://www.reddit.com/r/{community.name}/comments/demo{profile.id}{n}/",
                    posted_at=posted_at,
                    score=score,
                    comments_count=int(score * rng.uniform(0.05, 0.6)),
                    # Rants and PSAs split the votes; progress posts collect upvotes.
                    upvote_ratio=round(rng.uniform(0.55, 0.8) if feeling == "negative" else rng.uniform(0.8, 0.99), 2),
                    is_nsfw=community.is_nsfw,
                    last_scraped_at=now,
                )
            )
    Post.objects.bulk_create(posts, ignore_conflicts=True)
    _add_media_and_comments(
        rng, profile, niche, language, dict(zip((p.external_id for p in posts), feelings, strict=True))
    )
    return len(posts)


def _add_media_and_comments(
    rng: random.Random, profile: Profile, niche: str, language: str, feelings: dict[str, str]
) -> None:
    """A locally drawn picture on every Instagram post, and a few comments (positive, neutral and
    negative, in the creator's language) under about a third of the posts."""
    stored = {
        post.external_id: post for post in Post.objects.filter(author=profile).only("id", "external_id", "posted_at")
    }
    pictures = post_assets(niche) if profile.platform == Platform.INSTAGRAM else []
    media, comments = [], []
    for external_id, post in stored.items():
        if pictures:
            picture = rng.choice(pictures)
            media.append(
                PostMedia(
                    post=post,
                    position=0,
                    source_url=f"https://demo.invalid/{external_id}.jpg",
                    asset=picture,
                    status="done",
                )
            )
        if rng.random() < 0.35:
            for n in range(rng.randint(1, 3)):
                feeling = rng.choice(["positive", "positive", "neutral", feelings.get(external_id, "neutral")])
                comments.append(
                    CommentSentiment(
                        post=post,
                        external_id=f"{external_id}-c{n}",
                        author_handle=words.redditor(rng).lower(),
                        text=rng.choice(words.COMMENTS[language][feeling]),
                        posted_at=post.posted_at + timedelta(hours=rng.randint(1, 48)),
                        sentiment=feeling,
                        score={"positive": 0.7, "neutral": 0.0, "negative": -0.7}[feeling],
                        language=language,
                        # Labelled by the demo as written, not by a model: the AI pass re-scores them.
                        model_version="demo: written as this sentiment",
                    )
                )
    PostMedia.objects.bulk_create(media, ignore_conflicts=True)
    CommentSentiment.objects.bulk_create(comments, ignore_conflicts=True)


DEMO_TEAM_SLUG = "demo"
LOCAL_ADMIN = "admin"  # config/management/commands/ensure_local_admin.py
DEMO_BRAND_MANAGER = "demo-brand-manager"  # owns the demo campaign until the local admin exists


def demo_team() -> Team:
    """The team that owns the demo rows; the local admin (when it exists) is its owner."""
    team, _ = Team.objects.get_or_create(slug=DEMO_TEAM_SLUG, defaults={"name": "Demo agency"})
    admin = get_user_model().objects.filter(username=LOCAL_ADMIN).first()
    if admin is not None:
        join_demo_team(admin, team)
    return team


def join_demo_team(user, team: Team | None = None) -> None:
    """Make ``user`` an owner of the demo team, if the demo data is loaded (``ensure_local_admin``),
    and hand the local admin the demo's campaign and a few favorites, so "my campaign" is theirs."""
    team = team or Team.objects.filter(slug=DEMO_TEAM_SLUG).first()
    if team is None:
        return
    Membership.objects.update_or_create(team=team, user=user, defaults={"role": Membership.Role.OWNER})
    if user.get_username() != LOCAL_ADMIN:
        return
    Campaign.objects.filter(team=team, owner__username=DEMO_BRAND_MANAGER).update(owner=user)
    if not Favorite.objects.filter(team=team, user=user).exists():
        picks = Profile.objects.filter(discovered_via=DEMO_MARK, review_status=ReviewStatus.APPROVED).order_by("id")[:6]
        Favorite.objects.bulk_create(
            [Favorite(team=team, user=user, profile=p, note="Shortlist for the spring pitch") for p in picks],
            ignore_conflicts=True,
        )


def _make_campaign(rng: random.Random, now) -> int:
    User = get_user_model()
    team = demo_team()
    owner = User.objects.filter(username=LOCAL_ADMIN).first()
    if owner is None:
        owner, _ = User.objects.get_or_create(username=DEMO_BRAND_MANAGER, defaults={"email": "brand@example.com"})
        Membership.objects.get_or_create(team=team, user=owner, defaults={"role": Membership.Role.MANAGER})
    campaign, created = Campaign.objects.get_or_create(
        team=team,
        name="Autumn skincare launch",
        defaults={
            "owner": owner,
            "brand": "Glow & Co",
            "status": Campaign.Status.ACTIVE,
            "start_date": (now - timedelta(days=30)).date(),
            "end_date": (now + timedelta(days=30)).date(),
            "budget": 25000,
        },
    )
    if not created:
        return 0
    creators = list(Profile.objects.filter(platform=Platform.INSTAGRAM, discovered_via=DEMO_MARK)[:8])
    statuses = list(CampaignProfile.Pipeline.values)
    for i, profile in enumerate(creators):
        CampaignProfile.objects.create(
            campaign=campaign, profile=profile, status=statuses[i % len(statuses)], fee=rng.choice([500, 1200, 3000])
        )
        post = profile.posts.filter(is_sponsored=True).first() or profile.posts.first()
        if post:
            CampaignPost.objects.get_or_create(campaign=campaign, post=post)
    return 1


# --- Audience intelligence (issue 19) -------------------------------------------------------------
# One Instagram creator in four has connected Instagram insights (verified demographics, a few
# monthly readings of history, one connection broken to show that state); the others get public
# comments only, from which the nightly estimates (languages, authenticity, credibility) are made.
# One in eight unconnected creators gets a comment pod of generic, instant comments: a low score.

AUDIENCE_REGIONS = {
    "us": {"US": 0.58, "CA": 0.11, "GB": 0.09, "AU": 0.05, "MX": 0.04, "DE": 0.03, "IN": 0.03},
    "uk": {"GB": 0.52, "US": 0.17, "IE": 0.07, "AU": 0.06, "CA": 0.04, "NL": 0.03, "DE": 0.03},
    "br": {"BR": 0.71, "PT": 0.09, "US": 0.07, "AR": 0.03, "ES": 0.02, "JP": 0.01},
    "es": {"ES": 0.39, "MX": 0.24, "AR": 0.11, "CO": 0.09, "US": 0.07, "CL": 0.05},
    "de": {"DE": 0.55, "AT": 0.14, "CH": 0.11, "NL": 0.04, "US": 0.04, "PL": 0.03},
}
AUDIENCE_CITIES = {
    "us": ["New York, New York", "Los Angeles, California", "Chicago, Illinois", "Toronto, Ontario"],
    "uk": ["London, England", "Manchester, England", "Dublin, Leinster", "Birmingham, England"],
    "br": ["São Paulo, São Paulo (state)", "Rio de Janeiro, Rio de Janeiro (state)", "Lisbon, Lisbon District"],
    "es": ["Madrid, Community of Madrid", "Mexico City, Distrito Federal", "Buenos Aires, Buenos Aires"],
    "de": ["Berlin, Berlin", "Vienna, Vienna", "Munich, Bavaria", "Zurich, Canton of Zurich"],
}
# Share of women among followers per niche (rough; the point is that pages show different shapes).
AUDIENCE_WOMEN = {"beauty": 0.82, "fashion": 0.74, "parenting": 0.8, "gaming": 0.22, "tech": 0.3, "finance": 0.38}
AUDIENCE_AGES = {"13-17": 0.04, "18-24": 0.27, "25-34": 0.36, "35-44": 0.18, "45-54": 0.09, "55-64": 0.04, "65+": 0.02}
COMMENT_LINES = {
    "en": [
        "This is so helpful, saving it for later",
        "Where did you get that? I need one",
        "Tried it last night and it worked",
    ],
    "es": [
        "Me encanta este contenido, gracias por compartir",
        "¿Dónde lo compraste? Lo necesito",
        "Lo probé ayer y funcionó",
    ],
    "pt": [
        "Amei esse conteúdo, obrigado por compartilhar",
        "Onde você comprou? Preciso de um",
        "Testei ontem e deu certo",
    ],
    "de": [
        "Das ist so hilfreich, danke fürs Teilen",
        "Wo hast du das gekauft? Ich brauche das",
        "Gestern ausprobiert und es klappt",
    ],
}
REGION_LANGUAGES = {"us": "en", "uk": "en", "br": "pt", "es": "es", "de": "de"}
POD_LINES = ["nice", "🔥🔥🔥", "great post", "wow", "😍😍", "love it", "amazing content check my page"]


def _jitter(rng: random.Random, shares: dict[str, float]) -> dict[str, float]:
    raw = {key: value * rng.uniform(0.8, 1.2) for key, value in shares.items()}
    total = sum(raw.values())
    return {key: value / total for key, value in raw.items()}


def _verified_audience(rng: random.Random, niche: str, region: str, day, reach: int) -> Demographics:
    women = min(0.95, max(0.05, AUDIENCE_WOMEN.get(niche, 0.55) + rng.uniform(-0.05, 0.05)))
    ages = _jitter(rng, AUDIENCE_AGES)
    unknown = 0.02
    joint = {
        age: {"F": s * women * (1 - unknown), "M": s * (1 - women) * (1 - unknown), "U": s * unknown}
        for age, s in ages.items()
    }
    cities = _jitter(rng, {city: rng.uniform(0.5, 1.5) for city in AUDIENCE_CITIES[region]})
    return Demographics(
        source=AudienceSource.GRAPH_INSIGHTS,
        segment=AudienceSegment.FOLLOWERS,
        captured_on=day,
        countries=_jitter(rng, AUDIENCE_REGIONS[region]),
        cities=cities,
        ages=ages,
        genders={"F": women * (1 - unknown), "M": (1 - women) * (1 - unknown), "U": unknown},
        age_genders=joint,
        reach=reach,
        profile_views=reach // rng.randint(8, 20),
    )


def _demo_comments(rng: random.Random, profile: Profile, region: str, pod: bool) -> None:
    from intelligence.comments import CommentIn, analyze_comments
    from intelligence.conf import analyzers

    language = REGION_LANGUAGES[region]
    fans = [f"{profile.handle[:12]}_fan{n}" for n in range(rng.randint(25, 60))]
    members = [f"pod_{profile.pk}_{n}" for n in range(8)]
    if pod:
        # A pod creator's comment section is the pod's: the scattered fan comments that every demo
        # creator gets (_add_media_and_comments) would hide the pattern the estimate should show.
        CommentSentiment.objects.filter(post__author=profile).delete()
    for post in profile.posts.order_by("-posted_at")[:6]:
        comments = []
        for n in range(rng.randint(6, 12)):
            if pod:
                author, text = members[n % 8], POD_LINES[(post.pk + n) % len(POD_LINES)]
                after = timedelta(minutes=rng.randint(0, 8))
            else:
                lang = language if rng.random() < 0.8 else rng.choice(list(COMMENT_LINES))
                author, text = rng.choice(fans), f"{rng.choice(COMMENT_LINES[lang])} ({post.pk % 97}{n})"
                after = timedelta(minutes=rng.randint(20, 2000))
            comments.append(CommentIn(f"demo-c-{post.pk}-{n}", text, author, post.posted_at + after))
        analyze_comments(post, comments, analyzers("rules"))


def load_audience_demo(now) -> int:
    """Connected creators with verified demographics, unconnected ones with estimates; idempotent."""
    from intelligence.audience import estimate_profile
    from profiles.benchmarks import compute_benchmarks

    creators = list(Profile.objects.filter(discovered_via=DEMO_MARK, platform=Platform.INSTAGRAM).order_by("pk"))
    added = 0
    for index, profile in enumerate(creators):
        if profile.audience_estimated_at is not None:
            continue
        rng = random.Random(f"{SEED}-audience-{profile.handle}")
        niche = next((n for n in NICHES if n in profile.handle), "food")
        region = rng.choice(list(AUDIENCE_REGIONS))
        if index % 4 == 0:
            connection = InstagramConnection.objects.create(
                profile=profile,
                team=demo_team(),
                ig_user_id=f"1784140{profile.pk:010d}",
                # Not a real token: the sync would answer "broken" if META_APP_ID were set for the demo.
                access_token="demo-token",
                token_expires_at=now + timedelta(days=45),
                permissions=["instagram_business_basic", "instagram_business_manage_insights"],
                connected_at=now - timedelta(days=70),
                last_synced_at=now,
            )
            reach = int((profile.followers_count or 10_000) * rng.uniform(0.2, 0.9))
            for months_ago in (2, 1, 0):
                store_demographics(
                    profile,
                    _verified_audience(rng, niche, region, (now - timedelta(days=30 * months_ago)).date(), reach),
                )
            if index % 16 == 0:
                connection.mark_broken("unauthorized: Graph API access token expired or invalid")
        _demo_comments(rng, profile, region, pod=index % 8 == 3)
        estimate_profile(profile.pk)
        added += 1
    if added:
        compute_benchmarks()
    return added
