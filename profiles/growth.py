"""Growth computed from history: the snapshot rows every scrape appends.

growth over N days = (latest value − value N days earlier) / value N days earlier × 100, where
"N days earlier" is the newest snapshot taken at least N days before the latest one. Without a
snapshot that old, growth is unknown (None), not 0: a week of history cannot say anything about 90 days.

growth spike: within the last 30 days, one interval between consecutive snapshots gained more
than ``SPIKE_MIN_DAILY_PCT`` % of the audience per day *and* more than ``SPIKE_FACTOR`` × the
median daily gain of the last 90 days. Bought followers arrive as such a jump (HypeAuditor and
Modash flag the same pattern); organic growth is smooth.

Each series is read from ``HISTORY_DAYS`` before the latest snapshot on, a bound on ``captured_at``
that lets PostgreSQL read only the monthly partitions it needs (config/partitions.py) instead of a
creator's whole history: the 90-day window's comparison point is looked for up to 90 days further
back, and the spike baseline needs 90 days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median

from django.db.models import QuerySet

from profiles.models import Community, CommunitySnapshot, Profile, ProfileSnapshot

SPIKE_MIN_DAILY_PCT = 2.0
SPIKE_FACTOR = 3.0
SPIKE_WINDOW_DAYS = 30
BASELINE_DAYS = 90
HISTORY_DAYS = 180

Point = tuple[datetime, int]


def growth_pct(series: Sequence[Point], days: int) -> float | None:
    """Percent change of the latest value against the newest point at least ``days`` older."""
    if len(series) < 2:
        return None
    latest_at, latest = series[-1]
    cutoff = latest_at - timedelta(days=days)
    earlier = [value for at, value in series if at <= cutoff]
    if not earlier or not earlier[-1]:
        return None
    return (latest - earlier[-1]) / earlier[-1] * 100.0


def has_spike(series: Sequence[Point]) -> bool:
    """True when a recent interval's daily gain is far above both a floor and the usual pace."""
    if len(series) < 3:
        return False
    latest_at = series[-1][0]
    rates: list[tuple[datetime, float]] = []
    for (a_at, a), (b_at, b) in zip(series, series[1:], strict=False):
        days = (b_at - a_at).total_seconds() / 86400
        if days <= 0 or not a or b_at < latest_at - timedelta(days=BASELINE_DAYS):
            continue
        rates.append((b_at, (b - a) / a * 100.0 / max(days, 1.0)))
    if len(rates) < 2:
        return False
    usual = median(rate for _, rate in rates)
    recent = [rate for at, rate in rates if at >= latest_at - timedelta(days=SPIKE_WINDOW_DAYS)]
    return any(rate > SPIKE_MIN_DAILY_PCT and rate > SPIKE_FACTOR * max(usual, 0.0) for rate in recent)


def _series(rows) -> list[Point]:
    return [(at, value) for at, value in rows if value is not None]


def recent_history(snapshots: QuerySet) -> QuerySet:
    """``snapshots`` from ``HISTORY_DAYS`` before the latest one on, oldest first. The latest is found
    newest partition first and the series then reads only the partitions of its window."""
    latest = snapshots.order_by("-captured_at").values_list("captured_at", flat=True).first()
    if latest is None:
        return snapshots.none()
    window = snapshots.filter(captured_at__gte=latest - timedelta(days=HISTORY_DAYS), captured_at__lte=latest)
    return window.order_by("captured_at")


def profile_growth(profile: Profile) -> dict[str, float | bool | None]:
    """Follower growth 7/30/90 d and the spike flag, from the last 90+ days of snapshots."""
    rows = recent_history(ProfileSnapshot.objects.filter(profile=profile)).values_list("captured_at", "followers_count")
    series = _series(rows)
    return {
        "follower_growth_7d": growth_pct(series, 7),
        "follower_growth_30d": growth_pct(series, 30),
        "follower_growth_90d": growth_pct(series, 90),
        "growth_spike": has_spike(series),
    }


def community_growth(community: Community) -> dict[str, float | None]:
    """Subscriber growth 7/30 d; where Reddit shows only visitors, their growth instead."""
    rows = list(
        recent_history(CommunitySnapshot.objects.filter(community=community)).values_list(
            "captured_at", "subscribers", "visitors"
        )
    )
    series = _series((at, subscribers) for at, subscribers, _ in rows)
    if len(series) < 2:
        series = _series((at, visitors) for at, _, visitors in rows)
    return {"subscriber_growth_7d": growth_pct(series, 7), "subscriber_growth_30d": growth_pct(series, 30)}
