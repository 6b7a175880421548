"""Issue 21 in a real browser: a subreddit's requirements with evidence, suggestions in the keyboard
review queue, and a Reddit user linked to an Instagram creator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from intelligence import identity, subreddits
from intelligence.conf import requirement_classifier
from posts.models import Post
from profiles.groups import apply_group_policy
from profiles.models import Community, CommunityRequirements, Profile, ProfileLink
from tests.browser.conftest import _user, sign_in
from tests.factories import CommunityFactory, ProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def reddit_world(transactional_db):
    apply_group_policy(django_apps)
    _user("ana", "Analyst")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sub = CommunityFactory(
        name="CreatorsCorner",
        title="Creators Corner",
        subscribers=184_000,
        is_nsfw=True,
        public_description="A place for creators to share their work.",
        rules=[
            {
                "short_name": "Account requirements",
                "description": "Accounts must be older than 30 days and have at least 500 karma to post.",
            },
            {
                "short_name": "Verification",
                "description": "You must be verified before posting. See the pinned verification post.",
            },
            {"short_name": "No selling", "description": "No selling and no OnlyFans links in posts."},
            {"short_name": "Title format", "description": "Titles must include your age and gender, e.g. [25F]."},
            # Free text the patterns do not read; the AI pass (as in the worker) does.
            {"short_name": "Shops", "description": "Keep your shop and pricing off this sub."},
            {
                "short_name": "Identity",
                "description": "You have to confirm your identity with the mods before you post.",
            },
        ],
    )
    CommunityRequirements.objects.create(
        community=sub,
        reddit={
            "is_flair_required": True,
            "title_required_strings": ["[F]", "[M]"],
            "domain_blacklist": ["onlyfans.com"],
        },
        reddit_fetched_at=now,
    )
    kinds = ["image", "image", "video", "text", "image", "gallery"]
    for i in range(36):
        author = Profile.objects.create(
            platform="reddit",
            handle=f"poster_{i:02d}",
            total_karma=80 if i == 3 else 1200 + i * 50,
            link_karma=40 if i == 3 else 900,
            comment_karma=40 if i == 3 else 300,
            account_created_at=now - timedelta(days=12 if i == 3 else 400 + i),
        )
        posted = now - timedelta(days=i % 25, hours=(i * 5) % 24)
        Post.objects.create(
            platform="reddit",
            external_id=f"cc{i}",
            author=author,
            community=sub,
            kind=kinds[i % len(kinds)],
            caption=f"Post {i}",
            posted_at=posted,
            last_scraped_at=posted + timedelta(days=2),
            score=20 + (i * 37) % 400,
            comments_count=5 + i,
        )
    Community.objects.filter(pk=sub.pk).update(comment_sentiment=0.31, comments_analyzed=412, posts_per_day=14.2)
    subreddits.assess(sub.pk, classifier=requirement_classifier())  # the worker task's AI pass
    for name, description, nsfw in [
        ("u_lena_draws", "", False),
        ("SelfieSellers", "Sellers welcome! Promote your OnlyFans here; verified creators only.", True),
        ("woodworking", "Projects, tools and techniques.", False),
    ]:
        other = CommunityFactory(
            name=name,
            public_description=description,
            description=description,
            is_nsfw=nsfw,
            subreddit_type="user" if name.startswith("u_") else "public",
        )
        subreddits.assess(other.pk)
    redditor = Profile.objects.create(
        platform="reddit",
        handle="lena_draws",
        bio="Digital art, commissions open. IG: @lena.draws.art · linktr.ee/lenadraws",
        total_karma=15_400,
        link_karma=12_000,
        comment_karma=3_400,
        account_created_at=now - timedelta(days=1500),
    )
    creator = ProfileFactory(
        handle="lena.draws.art",
        full_name="Lena",
        bio="Illustrator ✏️ reddit: u/lena_draws",
        external_url="https://linktr.ee/lenadraws",
        followers_count=48_200,
    )
    identity.suggest_links(redditor.pk)
    return {"sub": sub, "redditor": redditor, "creator": creator}


def test_requirements_suggestions_and_linked_profiles(reddit_world, browser_page, live_server, screenshot):
    page, base = browser_page, live_server.url
    sub, redditor, creator = reddit_world["sub"], reddit_world["redditor"], reddit_world["creator"]
    sign_in(page, base, "ana")

    page.goto(f"{base}/communities/{sub.pk}/")
    table = page.locator("#requirements")
    assert "500" in table.locator("tr[data-field=min_total_karma]").inner_text()
    assert "Account requirements" in table.locator("tr[data-field=min_account_age_days]").inner_text()
    # The sidebar's "A place for creators to share their work." reads as promotion allowed to the model only.
    promotion = table.locator("tr[data-field=promotion_allowed]")
    assert promotion.locator("[data-by=model]").count() == 1 and "share their work" in promotion.inner_text()
    assert "unknown" in table.inner_text()
    assert page.locator(".cs-contradiction").count() >= 1  # u/poster_03 posted with 80 karma
    assert page.locator("#best-times tr[data-kind=image]").count() == 1
    ai = table.locator("tr[data-field=selling_allowed] [data-by=model]")
    assert ai.count() == 1 and "AI" in ai.inner_text()  # "Keep your shop and pricing off this sub."
    assert table.locator("tr[data-field=verification_required] [data-by=model]").count() == 1
    screenshot(page, "reddit-subreddit-requirements", full_page=True)

    page.goto(f"{base}/communities/review/")
    items = page.locator(".cs-queue-item")
    assert page.locator(".cs-suggestion").count() >= 3
    screenshot(page, "reddit-review-queue-suggestions", full_page=True)
    first = items.first
    first.focus()
    suggested = first.locator(".cs-suggestion strong").inner_text()
    name = first.locator("h2").inner_text().removeprefix("r/")
    with page.expect_navigation():
        page.keyboard.press("a")
    decided = Community.objects.get(name=name)
    assert decided.review_status != "unreviewed" and decided.get_review_status_display() in suggested

    page.goto(f"{base}/creators/{redditor.pk}/")
    suggestion = page.locator("#identity-links li[data-link]")
    assert "lena.draws.art" in suggestion.inner_text()
    with page.expect_navigation():
        suggestion.locator("button[value=confirmed]").click()
    assert "Also on Instagram" in page.locator(".cs-also-on").inner_text()
    assert ProfileLink.objects.get(profile=redditor, handle="lena.draws.art").status == "confirmed"
    page.goto(f"{base}/creators/{creator.pk}/")
    assert "Also on Reddit: lena_draws" in page.locator(".cs-also-on").inner_text()
    screenshot(page, "reddit-linked-profiles", full_page=False)
