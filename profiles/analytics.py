"""Read-only analytics for one profile or community, shared by the admin panel and the profile page.

Everything is computed from history rows (snapshots) and the profile's posts, reached through the
reverse relation ``profile.posts`` so this module needs no import from ``posts`` (DESIGN §1). A metric
the platform hides stays unknown: posts with hidden likes are left out of engagement, never counted as 0.
Each series carries its formula so pages can show it on hover.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Avg, Count, F
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncWeek
from django.utils import timezone

from profiles.categories import CONTENT_CATEGORIES
from profiles.models import Community, Profile

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

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
}


@dataclass
class Chart:
    """One chart: what Chart.js draws, and the same numbers as a table for readers without JavaScript."""

    id: str
    title: str
    kind: str
    labels: list[str]
    datasets: list[dict]
    formula: str = ""

    def as_config(self) -> dict:
        return {"type": self.kind, "labels": self.labels, "datasets": self.datasets}

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


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def profile_analytics(profile: Profile, days: int = 180) -> Analytics:
    """Growth, engagement over time, posting heatmap, content/language/format mix and sentiment.

    Three queries: snapshots, weekly engagement, and one grouped count of posts that feeds the heatmap
    and every mix at once.
    """
    since = timezone.now() - timedelta(days=days)
    result = Analytics()

    snapshots = list(
        profile.snapshots.filter(captured_at__gte=since)
        .order_by("captured_at")
        .values_list("captured_at", "followers_count", "total_karma")
    )
    is_reddit = profile.platform == "reddit"
    growth_values = [karma if is_reddit else followers for _, followers, karma in snapshots]
    result.charts.append(
        Chart(
            id=f"growth-{profile.pk}",
            title="Karma over time" if is_reddit else "Follower growth",
            kind="line",
            labels=[captured.date().isoformat() for captured, _, _ in snapshots],
            datasets=[{"label": "Karma" if is_reddit else "Followers", "data": growth_values}],
            formula="One point per scrape (snapshot), last 180 days.",
        )
    )

    weekly = list(
        profile.posts.filter(posted_at__gte=since)
        .annotate(week=TruncWeek("posted_at"))
        .values("week")
        .annotate(
            interactions=Avg(F("likes_count") + F("comments_count")),
            score=Avg("score"),
            posts=Count("id"),
        )
        .order_by("week")
    )
    followers = profile.followers_count
    if is_reddit or not followers:
        data = [_round(row["score"], 1) for row in weekly]
        label, formula = "Mean score", "Mean net upvotes per post, by week."
    else:
        data = [
            _round(100 * row["interactions"] / followers) if row["interactions"] is not None else None for row in weekly
        ]
        label = "Engagement %"
        formula = "Mean (likes + comments) / current followers per week, in %; posts with hidden likes left out."
    result.charts.append(
        Chart(
            id=f"engagement-{profile.pk}",
            title="Engagement over time",
            kind="bar",
            labels=[row["week"].date().isoformat() for row in weekly],
            datasets=[{"label": label, "data": data}, {"label": "Posts", "data": [row["posts"] for row in weekly]}],
            formula=formula,
        )
    )

    grouped = (
        profile.posts.filter(posted_at__gte=since)
        .annotate(weekday=ExtractIsoWeekDay("posted_at"), hour=ExtractHour("posted_at"))
        .values("weekday", "hour", "ai_category", "ai_language", "ai_sentiment", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    heat = [[0] * 24 for _ in range(7)]
    categories, languages, sentiments, kinds = Counter(), Counter(), Counter(), Counter()
    for row in grouped:
        n = row["n"]
        heat[row["weekday"] - 1][row["hour"]] += n
        categories[CONTENT_CATEGORIES.get(row["ai_category"], "Not analysed yet")] += n
        languages[row["ai_language"] or "Not analysed yet"] += n
        sentiments[row["ai_sentiment"] or "not analysed yet"] += n
        kinds[row["kind"]] += n
        result.post_count += n
    result.heatmap = list(zip(WEEKDAYS, heat, strict=True))
    result.heatmap_max = max((max(row) for row in heat), default=0)
    by_hour = [sum(heat[d][h] for d in range(7)) for h in range(24)]
    result.best_hour = by_hour.index(max(by_hour)) if result.post_count else None

    for chart_id, title, counter, formula in (
        ("content", "Content mix", categories, "Share of posts per AI content category (last 180 days)."),
        ("language", "Language mix", languages, "Share of posts per detected language."),
        ("format", "Format mix", kinds, "Posts per format."),
        ("sentiment", "Sentiment", sentiments, "Posts per caption sentiment (AI)."),
    ):
        common = counter.most_common(8)
        result.charts.append(
            Chart(
                id=f"{chart_id}-{profile.pk}",
                title=title,
                kind="doughnut",
                labels=[str(label) for label, _ in common],
                datasets=[{"label": "Posts", "data": [count for _, count in common]}],
                formula=formula,
            )
        )
    return result


def community_analytics(community: Community, days: int = 180) -> Analytics:
    """Subscriber history and posts by hour for a subreddit (two queries)."""
    since = timezone.now() - timedelta(days=days)
    result = Analytics()
    snapshots = list(
        community.snapshots.filter(captured_at__gte=since)
        .order_by("captured_at")
        .values_list("captured_at", "subscribers", "active_users")
    )
    result.charts.append(
        Chart(
            id=f"subscribers-{community.pk}",
            title="Subscribers",
            kind="line",
            labels=[captured.date().isoformat() for captured, _, _ in snapshots],
            datasets=[
                {"label": "Subscribers", "data": [subs for _, subs, _ in snapshots]},
                {"label": "Active users", "data": [active for _, _, active in snapshots]},
            ],
            formula="One point per scrape (snapshot), last 180 days.",
        )
    )
    heat = [[0] * 24 for _ in range(7)]
    for row in (
        community.posts.filter(posted_at__gte=since)
        .annotate(weekday=ExtractIsoWeekDay("posted_at"), hour=ExtractHour("posted_at"))
        .values("weekday", "hour")
        .annotate(n=Count("id"))
        .order_by()
    ):
        heat[row["weekday"] - 1][row["hour"]] += row["n"]
        result.post_count += row["n"]
    result.heatmap = list(zip(WEEKDAYS, heat, strict=True))
    result.heatmap_max = max((max(row) for row in heat), default=0)
    return result
