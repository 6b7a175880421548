"""The API's JSON for a creator's analytics and AI insights and a subreddit's insights.

The figures are computed once, in ``profiles/analytics.py`` (the admin panel and the profile page
draw charts from the same objects); this module only shapes them for the serializers in
``posts/api/serializers.py``: rounding, key names, and each figure's window and method. The API
caches the result under the profile's version.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from posts.models import Post
from profiles.analytics import (
    AUDIENCE_METHOD,
    WEEKDAYS,
    AIFigures,
    CommunityFigures,
    Heatmap,
    ProfileFigures,
    engagement_of,
    rounded,
)
from profiles.models import Community, Profile

API_WEEKDAYS = [day.lower() for day in WEEKDAYS]


def _round(value: float | None, digits: int = 3) -> float | None:
    return rounded(value, digits)


def _shares(counter: Counter) -> dict[str, float]:
    total = sum(counter.values())
    return {key: round(n / total, 4) for key, n in counter.most_common()} if total else {}


def _counts(counter: Counter, keys: tuple[str, ...]) -> dict[str, int]:
    return {key: counter.get(key, 0) for key in keys}


def _heatmap(heatmap: Heatmap) -> dict[str, Any]:
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
        "posting_heatmap": _heatmap(figures.heatmap),
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
