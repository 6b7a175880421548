"""Dashboard figures for staff: data set size and growth, AI coverage, scrape health."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from posts.models import Post
from profiles.models import Community, Profile
from scraping.models import Scraper, ScrapeRun, SystemLog

FINISHED = [ScrapeRun.Status.SUCCEEDED, ScrapeRun.Status.PARTIAL, ScrapeRun.Status.FAILED]


def _per_day(queryset, since) -> list[dict[str, Any]]:
    rows = (
        queryset.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return [{"date": row["day"].isoformat(), "count": row["n"]} for row in rows]


def _success_rate(since) -> dict[str, Any]:
    """Succeeded runs / finished runs (succeeded + partial + failed) since ``since``."""
    counts = ScrapeRun.objects.filter(created_at__gte=since, status__in=FINISHED).aggregate(
        finished=Count("id"), succeeded=Count("id", filter=Q(status=ScrapeRun.Status.SUCCEEDED))
    )
    finished = counts["finished"]
    return {**counts, "rate": round(counts["succeeded"] / finished, 4) if finished else None}


def dashboard() -> dict[str, Any]:
    now = timezone.now()
    month_ago = now - timedelta(days=30)
    posts_by_status = dict(Post.objects.values_list("ai_status").annotate(n=Count("id")).order_by())
    total_posts = sum(posts_by_status.values())
    profiles = Profile.objects.aggregate(
        total=Count("id"),
        instagram=Count("id", filter=Q(platform="instagram")),
        reddit=Count("id", filter=Q(platform="reddit")),
        analysed=Count("id", filter=Q(ai_analyzed_at__isnull=False)),
        scraped=Count("id", filter=Q(last_scraped_at__isnull=False)),
    )
    return {
        "generated_at": now.isoformat(),
        "counts": {
            "profiles": profiles["total"],
            "instagram_profiles": profiles["instagram"],
            "reddit_profiles": profiles["reddit"],
            "communities": Community.objects.count(),
            "posts": total_posts,
        },
        "growth_30d": {
            "profiles_per_day": _per_day(Profile.objects.all(), month_ago),
            "posts_per_day": _per_day(Post.objects.all(), month_ago),
        },
        "ai_coverage": {
            "posts_by_status": {
                key: posts_by_status.get(key, 0) for key in ("pending", "processing", "done", "failed")
            },
            "posts_analysed_share": round(posts_by_status.get("done", 0) / total_posts, 4) if total_posts else None,
            "profiles_analysed_share": round(profiles["analysed"] / profiles["total"], 4)
            if profiles["total"]
            else None,
        },
        "scraping": {
            "success_rate_24h": _success_rate(now - timedelta(hours=24)),
            "success_rate_7d": _success_rate(now - timedelta(days=7)),
            "profiles_never_scraped": profiles["total"] - profiles["scraped"],
            "scrapers_by_status": dict(Scraper.objects.values_list("status").annotate(n=Count("id")).order_by()),
            "errors_24h": SystemLog.objects.filter(
                created_at__gte=now - timedelta(hours=24), level__in=["error", "critical"]
            ).count(),
        },
    }
