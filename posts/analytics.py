"""Analytics of one creator or subreddit: the figures, computed once, and what each surface shows of them.

``ProfileFigures``, ``AIFigures`` and ``CommunityFigures`` are the one computation behind every
analytics surface: the admin panel and the profile page draw them as ``Chart`` objects
(``profile_analytics``, ``community_analytics``), and the API formats the same objects as JSON
(``analytics_json``, ``ai_insights_json``, ``community_insights_json``, for the serializers in
``posts/api/serializers.py``; the API caches the result under the profile's version). Posts are
read through the reverse relations ``profile.posts`` and ``community.posts``.

A metric the platform hides stays unknown: a post with hidden likes is a post (it counts in post
counts, the heatmap and every mix) whose engagement is unknown (it is left out of engagement means,
never counted as 0). Each figure names its window and method so both surfaces can show it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from statistics import fmean, median
from typing import Any

from django.db.models import Count
from django.utils import timezone

from config.formatting import language_name
from posts.models import Post
from profiles.categories import CONTENT_CATEGORIES
from profiles.models import Community, Profile, TagSuggestion

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
VIRAL_LIMIT = 10
MIX_SLICES = 8  # doughnut slices on the pages; the API gives every share

# What each headline metric means, shown on hover next to its value (windows as in posts/metrics.py).
FORMULAS = {
    "followers_count": "Followers at the last scrape.",
    "engagement_rate": "Mean of (likes + comments) / followers over the last 12 posts, in %. Posts with hidden likes are left out.",
    "engagement_rate_median": "Median of likes / followers over the last 60 days, in %.",
    "avg_likes": "Mean likes over the last 12 posts (hidden likes are unknown, not 0).",
    "avg_comments": "Mean comments over the last 12 posts.",
    "posts_per_week": "Posts in the last 90 days / (90 / 7).",
    "follower_growth_30d": "(followers now − followers 30 days ago) / followers 30 days ago, from snapshots, in %.",
    "comments_per_100_likes": "100 × comments / likes over the last 12 posts; very low values suggest bought likes.",
    "sponsored_share": "Share of posts in the last 90 days marked #ad, #sponsored or paid partnership.",
    "total_karma": "Link karma + comment karma at the last scrape (Reddit).",
    "avg_score": "Mean net score (upvotes − downvotes) over the last 12 posts (Reddit).",
    "avg_comments_reddit": "Mean comments per post over the last 12 posts (Reddit).",
}

ENGAGEMENT_METHOD = {
    "reddit": "Mean (net score + comments) per post by week; posts with an unknown score count as posts, not in the mean.",
    "instagram": (
        "Mean (likes + comments) per post by week; engagement_rate divides it by current followers, in %. "
        "Posts with hidden likes count as posts but are left out of the mean."
    ),
}

# Audience-quality penalties (points off 100): mass following (follows thousands to be followed back),
# a growth spike (bought followers show as a sudden jump), under 1 comment per 100 likes (bought
# likes), engagement under 1 % at 10,000+ followers (an inactive audience).
AUDIENCE_PENALTIES = {"mass_follower": 30, "growth_spike": 25, "low_comments_per_like": 20, "low_engagement": 15}
AUDIENCE_METHOD = (
    "100 − 30 mass following − 25 growth spike − 20 under 1 comment per 100 likes − 15 engagement under "
    "1 % at 10k+ followers; null until the metrics job has run."
)


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def engagement_of(post: Any) -> int | None:
    """Likes + comments (Instagram) or net score + comments (Reddit); None when likes are hidden.

    Takes a ``Post`` or any row with its ``platform``, ``likes_count``, ``score`` and ``comments_count``.
    """
    first = post.score if post.platform == "reddit" else post.likes_count
    if first is None:
        return None
    return first + (post.comments_count or 0)


# -- the figures


@dataclass(frozen=True)
class SnapshotPoint:
    captured_at: datetime
    followers: int | None
    total_karma: int | None
    engagement_rate: float | None


@dataclass(frozen=True)
class Week:
    """One week of posts: every post counts; the mean is over posts whose engagement is known."""

    week: date
    posts: int
    mean_interactions: float | None
    engagement_rate: float | None  # mean_interactions / current followers × 100; Instagram only


@dataclass(frozen=True)
class Heatmap:
    """Posts per ISO weekday (row 0 = Monday) and hour, in the server's time zone (UTC)."""

    counts: list[list[int]]

    @property
    def peak(self) -> int:
        return max(max(day) for day in self.counts)

    @property
    def best_hour(self) -> int | None:
        by_hour = [sum(day[h] for day in self.counts) for h in range(24)]
        return by_hour.index(max(by_hour)) if any(by_hour) else None

    @property
    def best_weekday(self) -> int | None:
        by_day = [sum(day) for day in self.counts]
        return by_day.index(max(by_day)) if any(by_day) else None


@dataclass
class PostMix:
    """Posts counted by analysis status, AI results, format and model version.

    Only analysed posts (``ai_status`` done) count towards a category, language or sentiment; the
    rest are "not analysed yet". Fed one post at a time or by grouped counts.
    """

    total: int = 0
    analysed: int = 0
    statuses: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    sentiments: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    model_versions: Counter = field(default_factory=Counter)

    def add(
        self,
        n: int = 1,
        *,
        ai_status: str,
        ai_category: str = "",
        ai_language: str = "",
        ai_sentiment: str = "",
        kind: str = "",
        ai_model_version: str = "",
    ) -> None:
        self.total += n
        self.statuses[ai_status] += n
        if kind:
            self.kinds[kind] += n
        if ai_model_version:
            self.model_versions[ai_model_version] += n
        if ai_status != "done":
            return
        self.analysed += n
        for counter, value in (
            (self.categories, ai_category),
            (self.languages, ai_language),
            (self.sentiments, ai_sentiment),
        ):
            if value:
                counter[value] += n

    @property
    def not_analysed(self) -> dict[str, int]:
        """Per mix, the posts without a result (not analysed yet, or analysed without an answer)."""
        return {
            name: self.total - sum(counter.values())
            for name, counter in (
                ("categories", self.categories),
                ("languages", self.languages),
                ("sentiments", self.sentiments),
            )
        }


@dataclass(frozen=True)
class Split:
    """Sponsored or organic posts of the window and their engagement (known values only)."""

    posts: int
    mean_interactions: float | None
    median_interactions: float | None
    engagement_rate: float | None


@dataclass(frozen=True)
class AudienceQuality:
    score: int | None  # None until the metrics job has run
    signals: dict[str, bool]
    comments_per_100_likes: float | None
    following_to_followers: float | None


class ProfileFigures:
    """Every analytics figure of one creator over a window, each computed on first use and kept.

    Queries: the snapshots (follower series); one read of the window's posts that feeds the weekly
    engagement, the heatmap, the mix and sponsored vs organic; the viral posts, only when asked for.
    Audience quality reads the metrics stored on the profile.
    """

    def __init__(self, profile: Profile, days: int = 180):
        self.profile = profile
        self.days = days
        self.since = timezone.now() - timedelta(days=days)
        self.is_reddit = profile.platform == "reddit"
        followers = None if self.is_reddit else profile.followers_count
        self.rate_base = followers or None  # engagement rates need a known, non-zero follower count

    @property
    def engagement_method(self) -> str:
        return ENGAGEMENT_METHOD["reddit" if self.is_reddit else "instagram"]

    def _rate(self, interactions: float | None) -> float | None:
        return 100 * interactions / self.rate_base if interactions is not None and self.rate_base else None

    @cached_property
    def followers_series(self) -> list[SnapshotPoint]:
        return [
            SnapshotPoint(*row)
            for row in self.profile.snapshots.filter(captured_at__gte=self.since)
            .order_by("captured_at")
            .values_list("captured_at", "followers_count", "total_karma", "engagement_rate")
        ]

    @cached_property
    def _posts(self) -> list:
        return list(
            self.profile.posts.filter(posted_at__gte=self.since).values_list(
                "platform",
                "posted_at",
                "likes_count",
                "score",
                "comments_count",
                "is_sponsored",
                "kind",
                "ai_status",
                "ai_category",
                "ai_language",
                "ai_sentiment",
                named=True,
            )
        )

    @cached_property
    def weekly(self) -> list[Week]:
        """Weeks (starting Monday) with at least one post, oldest first."""
        posts: Counter = Counter()
        known: defaultdict[date, list[int]] = defaultdict(list)
        for post in self._posts:
            day = timezone.localtime(post.posted_at).date()
            week = day - timedelta(days=day.weekday())
            posts[week] += 1
            interactions = engagement_of(post)
            if interactions is not None:
                known[week].append(interactions)
        weeks = []
        for week in sorted(posts):
            mean = fmean(known[week]) if known[week] else None
            weeks.append(Week(week, posts[week], mean, self._rate(mean)))
        return weeks

    @cached_property
    def heatmap(self) -> Heatmap:
        return _heatmap(post.posted_at for post in self._posts)

    @cached_property
    def mix(self) -> PostMix:
        mix = PostMix()
        for post in self._posts:
            mix.add(
                ai_status=post.ai_status,
                ai_category=post.ai_category,
                ai_language=post.ai_language,
                ai_sentiment=post.ai_sentiment,
                kind=post.kind,
            )
        return mix

    @cached_property
    def sponsored_vs_organic(self) -> dict[str, Split]:
        splits = {}
        for name, sponsored in (("sponsored", True), ("organic", False)):
            group = [post for post in self._posts if post.is_sponsored == sponsored]
            known = [value for post in group if (value := engagement_of(post)) is not None]
            mean = fmean(known) if known else None
            splits[name] = Split(
                posts=len(group),
                mean_interactions=mean,
                median_interactions=float(median(known)) if known else None,
                engagement_rate=self._rate(mean),
            )
        return splits

    @cached_property
    def viral_posts(self) -> list:
        """Posts flagged viral in the window, most engaging first (``Post`` objects).

        Ranked by the posts' own ``with_engagement()`` (reached through the reverse relation's
        queryset), where hidden likes rank by their comments; each post's own figure stays unknown.
        """
        return list(
            self.profile.posts.filter(posted_at__gte=self.since, is_viral=True)
            .with_engagement()
            .order_by("-engagement", "-posted_at")[:VIRAL_LIMIT]
        )

    @property
    def audience_quality(self) -> AudienceQuality:
        profile = self.profile
        if profile.metrics_computed_at is None:
            return AudienceQuality(None, {}, None, None)
        signals = {
            "mass_follower": profile.is_mass_follower,
            "growth_spike": profile.growth_spike,
            "low_comments_per_like": profile.comments_per_100_likes is not None and profile.comments_per_100_likes < 1,
            "low_engagement": (
                profile.engagement_rate is not None
                and (profile.followers_count or 0) >= 10_000
                and profile.engagement_rate < 1
            ),
        }
        return AudienceQuality(
            score=100 - sum(AUDIENCE_PENALTIES[name] for name, hit in signals.items() if hit),
            signals=signals,
            comments_per_100_likes=profile.comments_per_100_likes,
            following_to_followers=(
                profile.following_count / profile.followers_count
                if profile.following_count is not None and profile.followers_count
                else None
            ),
        )


class AIFigures:
    """What a creator's AI aggregates rest on, over all their posts: the mix, comments, suggestions."""

    def __init__(self, profile: Profile):
        self.profile = profile

    @cached_property
    def mix(self) -> PostMix:
        mix = PostMix()
        for row in (
            self.profile.posts.values("ai_status", "ai_sentiment", "ai_model_version")
            .annotate(n=Count("id"))
            .order_by()
        ):
            mix.add(**row)
        return mix

    @cached_property
    def comment_sentiments(self) -> Counter:
        return Counter(
            {
                sentiment: n
                for sentiment, n in self.profile.posts.values_list("comment_sentiments__sentiment")
                .annotate(n=Count("comment_sentiments"))
                .order_by()
                if sentiment
            }
        )

    @cached_property
    def pending_suggestions(self) -> list[TagSuggestion]:
        return list(
            TagSuggestion.objects.filter(profile=self.profile, status=TagSuggestion.Status.PENDING).select_related(
                "tag"
            )[:20]
        )


@dataclass(frozen=True)
class HourStat:
    hour: int
    posts: int
    mean_score: float | None  # over posts with a known score


class CommunityFigures:
    """A subreddit's figures over a window: subscriber history, posts by hour, top posts."""

    def __init__(self, community: Community, days: int):
        self.community = community
        self.days = days
        self.since = timezone.now() - timedelta(days=days)

    @cached_property
    def snapshots(self) -> list[tuple[datetime, int | None, int | None]]:
        return list(
            self.community.snapshots.filter(captured_at__gte=self.since)
            .order_by("captured_at")
            .values_list("captured_at", "subscribers", "active_users")
        )

    @cached_property
    def _posts(self) -> list[tuple[datetime, int | None]]:
        return list(self.community.posts.filter(posted_at__gte=self.since).values_list("posted_at", "score"))

    @cached_property
    def heatmap(self) -> Heatmap:
        return _heatmap(posted_at for posted_at, _ in self._posts)

    @cached_property
    def posting_hours(self) -> list[HourStat]:
        """Hours (UTC) with at least one post: every post counts, the mean is over known scores."""
        posts: Counter = Counter()
        scores: defaultdict[int, list[int]] = defaultdict(list)
        for posted_at, score in self._posts:
            hour = timezone.localtime(posted_at).hour
            posts[hour] += 1
            if score is not None:
                scores[hour].append(score)
        return [HourStat(hour, posts[hour], fmean(scores[hour]) if scores[hour] else None) for hour in sorted(posts)]

    @property
    def best_posting_hours(self) -> list[int]:
        """The three hours with the highest mean score (earlier hour first on a tie)."""
        scored = [row for row in self.posting_hours if row.mean_score is not None]
        return [row.hour for row in sorted(scored, key=lambda row: row.mean_score, reverse=True)[:3]]

    @cached_property
    def top_posts(self) -> list:
        """The window's most engaging posts with their authors (``Post`` objects)."""
        return list(
            self.community.posts.filter(posted_at__gte=self.since)
            .with_engagement()
            .order_by("-engagement", "-posted_at")
            .select_related("author")[:VIRAL_LIMIT]
        )


def _heatmap(times) -> Heatmap:
    counts = [[0] * 24 for _ in range(7)]
    for posted_at in times:
        local = timezone.localtime(posted_at)
        counts[local.weekday()][local.hour] += 1
    return Heatmap(counts)


# -- the pages' charts


@dataclass
class Chart:
    """One chart: what Chart.js draws, and the same numbers as a table for readers without JavaScript."""

    id: str
    title: str
    kind: str
    labels: list[str]
    datasets: list[dict]
    formula: str = ""
    # Axis titles with their units ("Followers", "Week starting"); a second y-axis needs its own title.
    x_title: str = ""
    y_title: str = ""
    y2_title: str = ""
    # One colour per label where the colour carries meaning (sentiment), else the page's palette.
    colors: list[str] | None = None

    def as_config(self) -> dict:
        config = {"type": self.kind, "labels": self.labels, "datasets": self.datasets}
        config["axes"] = {"x": self.x_title, "y": self.y_title, "y2": self.y2_title}
        if self.colors:
            config["colors"] = self.colors
        return config

    @property
    def is_single(self) -> bool:
        """A share chart of one slice says nothing a sentence cannot: the page prints the sentence."""
        return self.kind == "doughnut" and len(self.labels) == 1

    @property
    def rows(self) -> list[tuple[str, list]]:
        return [(label, [ds["data"][i] for ds in self.datasets]) for i, label in enumerate(self.labels)]

    @property
    def is_empty(self) -> bool:
        return not self.labels


@dataclass
class Analytics:
    charts: list[Chart] = field(default_factory=list)
    heatmap: list[tuple[str, list[int]]] = field(default_factory=list)
    heatmap_max: int = 0
    best_hour: int | None = None
    post_count: int = 0


# Sentiment keeps its meaning in colour on every chart (green good, grey neutral, red bad).
SENTIMENT_COLORS = {"positive": "#15803d", "neutral": "#64748b", "negative": "#b91c1c"}
NOT_ANALYSED_COLOR = "#cbd5e1"


def _mix_chart(chart_id: str, title: str, counter: Counter, formula: str, colors: dict | None = None) -> Chart:
    common = counter.most_common(MIX_SLICES)
    labels = [str(label) for label, _ in common]
    return Chart(
        id=chart_id,
        title=title,
        kind="doughnut",
        labels=labels,
        datasets=[{"label": "Posts", "data": [count for _, count in common]}],
        formula=formula,
        colors=[colors.get(label, NOT_ANALYSED_COLOR) for label in labels] if colors else None,
    )


def _with_rest(counter: Counter, rest: int, label: str) -> Counter:
    return counter + Counter({label: rest})  # Counter addition drops a zero rest


def profile_analytics(profile: Profile, days: int = 180) -> Analytics:
    """Growth, engagement over time, posting heatmap, content/language/format mix and sentiment.

    Drawn from ``ProfileFigures``: two queries (snapshots, the window's posts).
    """
    figures = ProfileFigures(profile, days)
    result = Analytics()
    growth_label = "Karma" if figures.is_reddit else "Followers"
    series = figures.followers_series
    result.charts.append(
        Chart(
            id=f"growth-{profile.pk}",
            title="Karma over time" if figures.is_reddit else "Followers over time",
            kind="line",
            x_title="Date of scrape",
            y_title="Karma (points)" if figures.is_reddit else "Followers",
            labels=[point.captured_at.date().isoformat() for point in series],
            datasets=[
                {
                    "label": growth_label,
                    "data": [point.total_karma if figures.is_reddit else point.followers for point in series],
                }
            ],
            formula=f"One point per scrape (snapshot), last {days} days.",
        )
    )

    weeks = figures.weekly
    if figures.rate_base:
        label, data = "Engagement %", [rounded(week.engagement_rate) for week in weeks]
    else:
        label = "Mean score + comments per post" if figures.is_reddit else "Mean interactions per post"
        data = [rounded(week.mean_interactions, 1) for week in weeks]
    result.charts.append(
        Chart(
            id=f"engagement-{profile.pk}",
            title="Weekly engagement (bars) and posts (line)",
            kind="bar",
            x_title="Week starting",
            y_title="Engagement rate, %" if figures.rate_base else label,
            y2_title="Posts per week",
            labels=[week.week.isoformat() for week in weeks],
            datasets=[{"label": label, "data": data}, {"label": "Posts", "data": [week.posts for week in weeks]}],
            formula=figures.engagement_method,
        )
    )

    heatmap = figures.heatmap
    result.heatmap = list(zip(WEEKDAYS, heatmap.counts, strict=True))
    result.heatmap_max = heatmap.peak
    result.best_hour = heatmap.best_hour

    mix = figures.mix
    result.post_count = mix.total
    rest = mix.not_analysed
    categories = Counter({CONTENT_CATEGORIES.get(slug, slug): n for slug, n in mix.categories.items()})
    result.charts += [
        _mix_chart(
            f"content-{profile.pk}",
            "What the posts are about (AI category)",
            _with_rest(categories, rest["categories"], "Not analysed yet"),
            f"Posts per AI content category (last {days} days).",
        ),
        _mix_chart(
            f"language-{profile.pk}",
            "Languages of the posts",
            _with_rest(
                Counter({language_name(c): n for c, n in mix.languages.items()}), rest["languages"], "Not analysed yet"
            ),
            "Posts per detected language.",
        ),
        _mix_chart(f"format-{profile.pk}", "Post formats", mix.kinds, "Posts per format."),
        _mix_chart(
            f"sentiment-{profile.pk}",
            "Tone of the captions (AI sentiment)",
            _with_rest(mix.sentiments, rest["sentiments"], "not analysed yet"),
            "Posts per caption sentiment (AI).",
            colors=SENTIMENT_COLORS,
        ),
    ]
    return result


def reddit_figures(profile: Profile, recent_posts: list) -> dict[str, Any]:
    """What a Reddit user's page shows besides karma: the mean upvote ratio of ``recent_posts`` and the
    subreddits they post in most (by posts collected; one grouped query)."""
    ratios = [post.upvote_ratio for post in recent_posts if post.upvote_ratio is not None]
    subreddits = (
        Post.objects.filter(author=profile)
        .exclude(community=None)
        .values("community__name")
        .annotate(posts=Count("id"))
        .order_by("-posts", "community__name")[:8]
    )
    return {
        "upvote_ratio": sum(ratios) / len(ratios) if ratios else None,
        "subreddits": [(row["community__name"], row["posts"]) for row in subreddits],
    }


def community_analytics(community: Community, days: int = 180) -> Analytics:
    """Subscriber history and posts by hour for a subreddit, drawn from ``CommunityFigures`` (two queries)."""
    figures = CommunityFigures(community, days)
    snapshots = figures.snapshots
    result = Analytics()
    result.charts.append(
        Chart(
            id=f"subscribers-{community.pk}",
            title="Subscribers and active users over time",
            kind="line",
            x_title="Date of scrape",
            y_title="Subscribers",
            y2_title="Active users",
            labels=[captured.date().isoformat() for captured, _, _ in snapshots],
            datasets=[
                {"label": "Subscribers", "data": [subs for _, subs, _ in snapshots]},
                {"label": "Active users", "data": [active for _, _, active in snapshots]},
            ],
            formula=f"One point per scrape (snapshot), last {days} days.",
        )
    )
    heatmap = figures.heatmap
    result.heatmap = list(zip(WEEKDAYS, heatmap.counts, strict=True))
    result.heatmap_max = heatmap.peak
    result.post_count = sum(map(sum, heatmap.counts))
    return result


# --- The API's JSON: rounding, key names, each figure's window and method ------------------------

API_WEEKDAYS = [day.lower() for day in WEEKDAYS]


def _round(value: float | None, digits: int = 3) -> float | None:
    return rounded(value, digits)


def _shares(counter: Counter) -> dict[str, float]:
    total = sum(counter.values())
    return {key: round(n / total, 4) for key, n in counter.most_common()} if total else {}


def _counts(counter: Counter, keys: tuple[str, ...]) -> dict[str, int]:
    return {key: counter.get(key, 0) for key in keys}


def _heatmap_json(heatmap: Heatmap) -> dict[str, Any]:
    best_weekday = heatmap.best_weekday
    return {
        "weekdays": API_WEEKDAYS,
        "counts": heatmap.counts,
        "best_hour": heatmap.best_hour,
        "best_weekday": None if best_weekday is None else API_WEEKDAYS[best_weekday],
        "method": "Posts per ISO weekday (mon..sun) and hour, UTC, in the window.",
    }


def post_brief(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "external_id": post.external_id,
        "permalink": post.permalink,
        "posted_at": post.posted_at.isoformat(),
        "kind": post.kind,
        "caption": post.caption[:280],
        "likes_count": post.likes_count,
        "score": post.score,
        "comments_count": post.comments_count,
        "views_count": post.views_count,
        "engagement": engagement_of(post),
        "is_sponsored": post.is_sponsored,
        "is_viral": post.is_viral,
    }


def _audience_quality(figures: ProfileFigures) -> dict[str, Any]:
    quality = figures.audience_quality
    if quality.score is None:
        return {"score": None, "signals": {}, "method": AUDIENCE_METHOD}
    return {
        "score": quality.score,
        "signals": quality.signals,
        "comments_per_100_likes": quality.comments_per_100_likes,
        "following_to_followers": _round(quality.following_to_followers),
        "method": AUDIENCE_METHOD,
    }


def analytics_json(profile: Profile, days: int = 180) -> dict[str, Any]:
    """Time series, posting heatmap, content/language mix, viral posts, audience, sponsored vs organic.

    Three queries whatever the number of posts (see ``ProfileFigures``).
    """
    figures = ProfileFigures(profile, days)
    mix = figures.mix
    return {
        "window_days": days,
        "followers_series": [
            {
                "date": point.captured_at.isoformat(),
                "followers": point.followers,
                "total_karma": point.total_karma,
                "engagement_rate": _round(point.engagement_rate),
            }
            for point in figures.followers_series
        ],
        "engagement_series": [
            {
                "week": week.week.isoformat(),
                "posts": week.posts,
                "mean_interactions": _round(week.mean_interactions, 1),
                "engagement_rate": _round(week.engagement_rate),
            }
            for week in figures.weekly
        ],
        "engagement_method": figures.engagement_method,
        "posting_heatmap": _heatmap_json(figures.heatmap),
        "content_distribution": _shares(mix.categories),
        "language_distribution": _shares(mix.languages),
        "analysed_posts": mix.analysed,
        "viral_posts": [post_brief(post) for post in figures.viral_posts],
        "audience_quality": _audience_quality(figures),
        "sponsored_vs_organic": {
            name: {
                "posts": split.posts,
                "mean_interactions": _round(split.mean_interactions, 1),
                "median_interactions": _round(split.median_interactions, 1),
                "engagement_rate": _round(split.engagement_rate),
            }
            for name, split in figures.sponsored_vs_organic.items()
        },
    }


def ai_insights_json(profile: Profile) -> dict[str, Any]:
    """The AI aggregates of a creator with what they rest on: per-post sentiment, comments, backlog."""
    figures = AIFigures(profile)
    mix = figures.mix
    return {
        "primary_content_type": profile.ai_primary_content_type or None,
        "primary_language": profile.ai_primary_language or None,
        "content_distribution": profile.ai_content_distribution,
        "language_distribution": profile.ai_language_distribution,
        "average_sentiment": profile.ai_average_sentiment,
        "content_quality_score": profile.ai_content_quality_score,
        "analyzed_at": profile.ai_analyzed_at.isoformat() if profile.ai_analyzed_at else None,
        "post_sentiment": _counts(mix.sentiments, ("positive", "neutral", "negative")),
        "comment_sentiment": _counts(figures.comment_sentiments, ("positive", "neutral", "negative")),
        "analysis_status": _counts(mix.statuses, ("pending", "processing", "done", "failed")),
        "model_versions": [{"version": version, "posts": n} for version, n in mix.model_versions.most_common(5)],
        "pending_tag_suggestions": [
            {
                "tag": s.tag.slug,
                "name": s.tag.name,
                "confidence": round(s.confidence, 3),
                "model_version": s.model_version,
            }
            for s in figures.pending_suggestions
        ],
    }


def community_insights_json(community: Community, days: int = 30) -> dict[str, Any]:
    """Best posting hours (by mean score) and the top posts of the window for a subreddit."""
    figures = CommunityFigures(community, days)
    return {
        "window_days": days,
        "posting_hours": [
            {"hour": row.hour, "posts": row.posts, "mean_score": _round(row.mean_score, 1)}
            for row in figures.posting_hours
        ],
        "best_posting_hours": figures.best_posting_hours,
        "best_hours_method": "Hours (UTC) with the highest mean net score per post in the window.",
        "top_posts": [
            {**post_brief(post), "author": post.author.handle if post.author else None} for post in figures.top_posts
        ],
    }
