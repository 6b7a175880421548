"""Peer benchmarks: a creator's engagement, growth and posting pace as percentiles among peers.

Peers share the platform, the follower tier (``TIERS``: nano < 10k, micro < 100k, mid < 500k,
macro < 1M, mega) and the AI's primary content category. The percentile is PostgreSQL's
``percent_rank()`` over the peer group × 100: the share of peers with a strictly lower value, so
"better than 72 % of micro fitness creators". Computed nightly for the whole database
(``profiles.tasks.compute_benchmarks``); creators whose figure is unknown get no percentile for it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import PercentRank
from django.utils import timezone

from profiles.categories import CATEGORY_CHOICES
from profiles.models import Profile

TIERS = (("nano", 10_000), ("micro", 100_000), ("mid", 500_000), ("macro", 1_000_000), ("mega", None))
METRICS = {
    "engagement_rate": "engagement rate",
    "follower_growth_30d": "30-day follower growth",
    "posts_per_week": "posting frequency",
}
# Percentiles of groups smaller than this say little; they are stored with their size, not hidden.
MIN_PEERS = 5
BATCH = 2000


def tier(followers: int | None) -> str | None:
    if followers is None:
        return None
    for name, limit in TIERS:
        if limit is None or followers < limit:
            return name
    return None


def _tier_bounds(name: str) -> tuple[int, int | None]:
    lower = 0
    for tier_name, limit in TIERS:
        if tier_name == name:
            return lower, limit
        lower = limit or lower
    raise KeyError(name)


def compute_benchmarks() -> int:
    """Recompute every creator's percentiles; returns the number of creators updated."""
    categories = dict(CATEGORY_CHOICES)
    results: dict[int, dict] = {}
    groups = (
        Profile.objects.exclude(followers_count__isnull=True)
        .values_list("platform", "ai_primary_content_type")
        # Without order_by() the model's ordering (-followers_count, id) joins the DISTINCT and
        # every creator became a "group": 100,000 creators ran ~1.5 M ranking queries, not 405.
        .order_by()
        .distinct()
    )
    for platform, category in groups:
        for tier_name, _ in TIERS:
            low, high = _tier_bounds(tier_name)
            peers = Profile.objects.filter(
                platform=platform, ai_primary_content_type=category, followers_count__gte=low
            )
            if high is not None:
                peers = peers.filter(followers_count__lt=high)
            label = (
                f"{tier_name} {categories.get(category, category).lower() if category else 'uncategorised'} creators"
            )
            for field, metric_label in METRICS.items():
                ranked = (
                    peers.exclude(**{f"{field}__isnull": True})
                    .annotate(rank=Window(PercentRank(), order_by=F(field).asc()))
                    .values_list("pk", "rank")
                )
                ranked = list(ranked)
                for pk, rank in ranked:
                    entry = results.setdefault(
                        pk, {"peer_group": label, "platform": platform, "tier": tier_name, "category": category}
                    )
                    entry[field] = {
                        "percentile": round(rank * 100),
                        "peers": len(ranked),
                        "label": metric_label,
                    }
    stamp = timezone.now()
    now = stamp.isoformat()
    ids = list(Profile.objects.values_list("pk", flat=True))
    updated = 0
    for start in range(0, len(ids), BATCH):
        chunk = Profile.objects.filter(pk__in=ids[start : start + BATCH]).only("pk", "benchmarks", "updated_at")
        rows = []
        for profile in chunk:
            entry = results.get(profile.pk)
            profile.benchmarks = {**entry, "computed_at": now} if entry else {}
            profile.updated_at = stamp
            rows.append(profile)
        with transaction.atomic():
            Profile.objects.bulk_update(rows, ["benchmarks", "updated_at"])
        updated += len(rows)
    return updated
