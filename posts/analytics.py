"""Analytics of one creator and one subreddit as plain data, for the API.

Computed from history rows and posts on each call (the API caches the result under the profile's
version). Every figure names its window and formula; counts the platform hides stay unknown: a
post with hidden likes is left out of engagement averages, never counted as 0.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from statistics import mean, median
from typing import Any

from django.db.models import Avg, Count, F, FloatField, Q
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay, TruncWeek
from django.utils import timezone

from posts.models import CommentSentiment, Post
from profiles.models import Community, Profile, TagSuggestion

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
VIRAL_LIMIT = 10


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _shares(counter: Counter) -> dict[str, float]:
    total = sum(counter.values())
    return {key: round(n / total, 4) for key, n in counter.most_common()} if total else {}


def _heatmap(posts) -> dict[str, Any]:
    """Posts per weekday × hour (UTC), and the busiest hour and weekday."""
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        posts.annotate(weekday=ExtractIsoWeekDay("posted_at"), hour=ExtractHour("posted_at"))
        .values("weekday", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] = row["n"]
    by_hour = [sum(day[h] for day in grid) for h in range(24)]
    by_day = [sum(day) for day in grid]
    any_posts = any(by_hour)
    return {
        "weekdays": WEEKDAYS,
        "counts": grid,
        "best_hour": by_hour.index(max(by_hour)) if any_posts else None,
        "best_weekday": WEEKDAYS[by_day.index(max(by_day))] if any_posts else None,
        "method": "Posts per ISO weekday (mon..sun) and hour, UTC, in the window.",
    }


def engagement_of(post: Post) -> int | None:
    """Likes + comments (Instagram) or net score + comments (Reddit); None when likes are hidden."""
    first = post.score if post.platform == "reddit" else post.likes_count
    if first is None:
        return None
    return first + (post.comments_count or 0)


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


def audience_quality(profile: Profile) -> dict[str, Any]:
    """A 0-100 score from the audience-quality signals the metrics job stores, with each signal.

    Formula: start at 100; mass following −30 (follows thousands to be followed back); growth spike
    −25 (bought followers show as a sudden jump); fewer than 1 comment per 100 likes −20 (bought
    likes); engagement below 1 % with 10,000+ followers −15 (inactive audience). ``null`` when
    the metrics have not been computed yet.
    """
    if profile.metrics_computed_at is None:
        return {"score": None, "signals": {}, "method": audience_quality.__doc__.split("\n\n")[1].strip()}
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
    penalty = {"mass_follower": 30, "growth_spike": 25, "low_comments_per_like": 20, "low_engagement": 15}
    score = 100 - sum(penalty[name] for name, hit in signals.items() if hit)
    return {
        "score": score,
        "signals": signals,
        "comments_per_100_likes": profile.comments_per_100_likes,
        "following_to_followers": _round(
            profile.following_count / profile.followers_count
            if profile.following_count is not None and profile.followers_count
            else None
        ),
        "method": "100 − 30 mass following − 25 growth spike − 20 under 1 comment per 100 likes − 15 engagement under 1 % at 10k+ followers.",
    }


def profile_analytics(profile: Profile, days: int = 180) -> dict[str, Any]:
    """Time series, posting heatmap, content/language mix, viral posts, audience, sponsored vs organic.

    Six queries whatever the number of posts: snapshots, weekly engagement, the heatmap, one grouped
    count for both distributions, the viral posts, and sponsored vs organic.
    """
    since = timezone.now() - timedelta(days=days)
    posts = Post.objects.filter(author=profile, posted_at__gte=since)
    followers = profile.followers_count
    reddit = profile.platform == "reddit"

    followers_series = [
        {
            "date": captured.isoformat(),
            "followers": count,
            "total_karma": karma,
            "engagement_rate": _round(rate),
        }
        for captured, count, karma, rate in profile.snapshots.filter(captured_at__gte=since)
        .order_by("captured_at")
        .values_list("captured_at", "followers_count", "total_karma", "engagement_rate")
    ]

    interactions = (F("score") if reddit else F("likes_count")) + F("comments_count")
    weekly = (
        posts.filter(Q(score__isnull=False) if reddit else Q(likes_count__isnull=False))
        .annotate(week=TruncWeek("posted_at"))
        .values("week")
        .annotate(interactions=Avg(Cast(interactions, FloatField())), posts=Count("id"))
        .order_by("week")
    )
    engagement_series = [
        {
            "week": row["week"].date().isoformat(),
            "posts": row["posts"],
            "mean_interactions": _round(row["interactions"], 1),
            "engagement_rate": _round(100 * row["interactions"] / followers)
            if followers and not reddit and row["interactions"] is not None
            else None,
        }
        for row in weekly
    ]

    categories, languages = Counter(), Counter()
    analysed = 0
    for row in posts.values("ai_category", "ai_language", "ai_status").annotate(n=Count("id")).order_by():
        if row["ai_status"] != "done":
            continue
        analysed += row["n"]
        if row["ai_category"]:
            categories[row["ai_category"]] += row["n"]
        if row["ai_language"]:
            languages[row["ai_language"]] += row["n"]

    viral = [
        post_brief(post)
        for post in posts.with_engagement().filter(is_viral=True).order_by("-engagement", "-posted_at")[:VIRAL_LIMIT]
    ]

    split = {}
    for sponsored in (True, False):
        values = [
            engagement_of(p)
            for p in posts.filter(is_sponsored=sponsored).only("platform", "likes_count", "score", "comments_count")
        ]
        known = [v for v in values if v is not None]
        split["sponsored" if sponsored else "organic"] = {
            "posts": len(values),
            "mean_interactions": _round(mean(known), 1) if known else None,
            "median_interactions": _round(median(known), 1) if known else None,
            "engagement_rate": _round(100 * mean(known) / followers) if known and followers and not reddit else None,
        }

    return {
        "window_days": days,
        "followers_series": followers_series,
        "engagement_series": engagement_series,
        "engagement_method": (
            "Mean (net score + comments) per post by week."
            if reddit
            else "Mean (likes + comments) per post by week; engagement_rate divides by current followers, in %. Hidden likes left out."
        ),
        "posting_heatmap": _heatmap(posts),
        "content_distribution": _shares(categories),
        "language_distribution": _shares(languages),
        "analysed_posts": analysed,
        "viral_posts": viral,
        "audience_quality": audience_quality(profile),
        "sponsored_vs_organic": split,
    }


def profile_ai_insights(profile: Profile) -> dict[str, Any]:
    """The AI aggregates of a creator with what they rest on: per-post sentiment, comments, backlog."""
    posts = Post.objects.filter(author=profile)
    status = dict(posts.values_list("ai_status").annotate(n=Count("id")).order_by())
    sentiment = dict(
        posts.filter(ai_status="done")
        .exclude(ai_sentiment="")
        .values_list("ai_sentiment")
        .annotate(n=Count("id"))
        .order_by()
    )
    comments = dict(
        CommentSentiment.objects.filter(post__author=profile)
        .values_list("sentiment")
        .annotate(n=Count("id"))
        .order_by()
    )
    models = list(
        posts.exclude(ai_model_version="").values("ai_model_version").annotate(posts=Count("id")).order_by("-posts")[:5]
    )
    suggestions = [
        {"tag": s.tag.slug, "name": s.tag.name, "confidence": round(s.confidence, 3), "model_version": s.model_version}
        for s in TagSuggestion.objects.filter(profile=profile, status=TagSuggestion.Status.PENDING).select_related(
            "tag"
        )[:20]
    ]
    return {
        "primary_content_type": profile.ai_primary_content_type or None,
        "primary_language": profile.ai_primary_language or None,
        "content_distribution": profile.ai_content_distribution,
        "language_distribution": profile.ai_language_distribution,
        "average_sentiment": profile.ai_average_sentiment,
        "content_quality_score": profile.ai_content_quality_score,
        "analyzed_at": profile.ai_analyzed_at.isoformat() if profile.ai_analyzed_at else None,
        "post_sentiment": {key: sentiment.get(key, 0) for key in ("positive", "neutral", "negative")},
        "comment_sentiment": {key: comments.get(key, 0) for key in ("positive", "neutral", "negative")},
        "analysis_status": {key: status.get(key, 0) for key in ("pending", "processing", "done", "failed")},
        "model_versions": [{"version": m["ai_model_version"], "posts": m["posts"]} for m in models],
        "pending_tag_suggestions": suggestions,
    }


def community_insights(community: Community, days: int = 30) -> dict[str, Any]:
    """Best posting hours (by mean score) and the top posts of the window for a subreddit."""
    since = timezone.now() - timedelta(days=days)
    posts = Post.objects.filter(community=community, posted_at__gte=since)
    hours = list(
        posts.filter(score__isnull=False)
        .annotate(hour=ExtractHour("posted_at"))
        .values("hour")
        .annotate(posts=Count("id"), mean_score=Avg("score"))
        .order_by("hour")
    )
    ranked = sorted(hours, key=lambda row: row["mean_score"] or 0, reverse=True)
    top = posts.with_engagement().order_by("-engagement", "-posted_at").select_related("author")[:VIRAL_LIMIT]
    return {
        "window_days": days,
        "posting_hours": [
            {"hour": row["hour"], "posts": row["posts"], "mean_score": _round(row["mean_score"], 1)} for row in hours
        ],
        "best_posting_hours": [row["hour"] for row in ranked[:3]],
        "best_hours_method": "Hours (UTC) with the highest mean net score per post in the window.",
        "top_posts": [{**post_brief(p), "author": p.author.handle if p.author else None} for p in top],
    }
