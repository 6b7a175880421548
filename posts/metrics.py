"""Creator and community metrics computed from posts, written into the cached metric columns.

Recomputed after every ingest (``scraping.collect``). Each metric names its window and formula;
unknown inputs (hidden likes, photos without views, no followers count) are left out, and a
metric with no usable input is stored as NULL, never 0. Percentages are in % (0.85 means 0.85 %).

Creator (``compute_profile_metrics``), "likes" meaning Instagram likes or Reddit's net score:

- ``engagement_rate``: mean over the last 12 posts with known likes of (likes + comments) / followers × 100.
- ``engagement_rate_median``: median over posts of the last 60 days (at most 500) of likes / followers × 100.
- ``engagement_rate_views``: mean over the last 12 videos/reels with views of (likes + comments) / views × 100.
- ``avg_likes`` / ``median_likes`` / ``avg_comments`` / ``median_comments``: last 12 posts;
  ``avg_views``: last 12 videos/reels with a view (or play) count.
- ``posts_per_week``: posts in the last 90 days / (90 / 7); when the posts we hold start later than
  90 days ago, the window is the span we hold, so a short history is not read as a slow poster.
- ``posting_consistency``: 1 − min(1, stdev / mean of the gaps between the last 30 posts); 1 is a
  clockwork schedule, 0 a very irregular one (needs 3 posts).
- ``best_posting_hour`` (UTC, 0-23) / ``best_posting_weekday`` (0 = Monday): the slot whose posts in
  the last 90 days have the highest mean (likes + comments).
- viral posts (``Post.is_viral``): (likes + comments) ≥ 5 × the creator's median over the last 60
  days and ≥ ``VIRAL_FLOOR`` interactions.
- audience quality, published thresholds (HypeAuditor/Modash guidance): ``comments_per_100_likes`` =
  100 × Σcomments / Σlikes over the last 12 posts (healthy 0.5-5); ``views_per_like`` = Σviews / Σlikes
  over the last 12 videos (healthy 2-10); ``is_mass_follower`` when following > 1,500.
- sponsorship: a post is sponsored when the platform labels a paid partnership or the caption
  carries #ad/#sponsored/#paid/… (``scraping.schemas.SPONSOR_HASHTAGS``). ``sponsored_share`` =
  sponsored / all posts in the last 90 days; ``sponsored_engagement_rate`` and
  ``organic_engagement_rate`` = mean (likes + comments) / followers × 100 over each group there.
- growth (7/30/90 d, spike): from snapshots, ``profiles.growth``.

Community (``compute_community_metrics``), posts of the last 30 days (at most 1,000):

- ``avg_upvotes``: mean score per post; ``comments_per_upvote``: Σcomments / Σscore (score > 0).
- ``posts_per_day``: posts / window days (the window shrinks to the span we hold, as above).
- ``best_posting_hour``: the UTC hour whose posts have the highest mean score.
- ``score``: interactions per post per 1,000 subscribers = (avg score + avg comments) / subscribers × 1,000.
- ``subscriber_growth_7d/30d``: from snapshots, ``profiles.growth``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import mean, median, pstdev
from typing import Any

from django.db import transaction
from django.utils import timezone

from posts.models import Post
from profiles.growth import community_growth, profile_growth
from profiles.models import Community, Profile, ProfileSnapshot

LAST_POSTS = 12
MEDIAN_WINDOW_DAYS = 60
MAX_POSTS = 500
FREQUENCY_WINDOW_DAYS = 90
CONSISTENCY_POSTS = 30
VIRAL_FACTOR = 5.0
VIRAL_FLOOR = 1000
MASS_FOLLOWING = 1500
COMMUNITY_WINDOW_DAYS = 30
VIDEO_KINDS = {"video", "reel"}


def _likes(post: dict[str, Any]) -> int | None:
    return post["score"] if post["platform"] == "reddit" else post["likes_count"]


def _interactions(post: dict[str, Any]) -> int | None:
    likes = _likes(post)
    if likes is None:
        return None
    return likes + (post["comments_count"] or 0)


def _views(post: dict[str, Any]) -> int | None:
    return post["views_count"] or post["plays_count"] or None


def _avg(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return mean(known) if known else None


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return median(known) if known else None


def _window_days(posts: list[dict[str, Any]], now: datetime, days: int) -> float:
    """``days``, or the span of the posts we hold when they start later than that (≥ 1 day)."""
    if not posts:
        return float(days)
    oldest = min(p["posted_at"] for p in posts)
    return max(1.0, min(float(days), (now - oldest).total_seconds() / 86400))


def _best_slot(posts: list[dict[str, Any]], key, value) -> int | None:
    groups: dict[int, list[float]] = defaultdict(list)
    for post in posts:
        v = value(post)
        if v is not None:
            groups[key(post["posted_at"])].append(v)
    if not groups:
        return None
    return max(sorted(groups), key=lambda slot: mean(groups[slot]))


def _consistency(posts: list[dict[str, Any]]) -> float | None:
    times = sorted(p["posted_at"] for p in posts[:CONSISTENCY_POSTS])
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    if len(gaps) < 2 or mean(gaps) == 0:
        return None
    return 1.0 - min(1.0, pstdev(gaps) / mean(gaps))


def profile_metrics(profile: Profile, posts: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The cached metric values for one creator, from their newest posts (newest first)."""
    followers = profile.followers_count or None
    last = posts[:LAST_POSTS]
    known = [p for p in last if _likes(p) is not None]
    window_60 = [p for p in posts if p["posted_at"] >= now - timedelta(days=MEDIAN_WINDOW_DAYS)]
    window_90 = [p for p in posts if p["posted_at"] >= now - timedelta(days=FREQUENCY_WINDOW_DAYS)]
    videos = [p for p in posts if p["kind"] in VIDEO_KINDS and _views(p)][:LAST_POSTS]

    def rate(group: list[dict[str, Any]]) -> float | None:
        if not followers:
            return None
        return _avg(_interactions(p) / followers * 100 for p in group if _interactions(p) is not None)

    likes_sum = sum(_likes(p) for p in known)
    video_known = [p for p in videos if _likes(p)]
    sponsored = [p for p in window_90 if p["is_sponsored"]]
    organic = [p for p in window_90 if not p["is_sponsored"]]
    return {
        "engagement_rate": rate(known),
        "engagement_rate_median": (
            _median(_likes(p) / followers * 100 for p in window_60 if _likes(p) is not None) if followers else None
        ),
        "engagement_rate_views": _avg(
            _interactions(p) / _views(p) * 100 for p in videos if _interactions(p) is not None
        ),
        "avg_likes": _avg(_likes(p) for p in last),
        "median_likes": _median(_likes(p) for p in last),
        "avg_comments": _avg(p["comments_count"] for p in last),
        "median_comments": _median(p["comments_count"] for p in last),
        "avg_views": _avg(_views(p) for p in videos),
        "posts_per_week": (len(window_90) / (_window_days(posts, now, FREQUENCY_WINDOW_DAYS) / 7) if posts else None),
        "posting_consistency": _consistency(posts),
        "best_posting_hour": _best_slot(window_90, lambda at: at.hour, _interactions),
        "best_posting_weekday": _best_slot(window_90, lambda at: at.weekday(), _interactions),
        "comments_per_100_likes": (
            100 * sum(p["comments_count"] or 0 for p in known) / likes_sum if known and likes_sum > 0 else None
        ),
        "views_per_like": (
            sum(_views(p) for p in video_known) / sum(_likes(p) for p in video_known) if video_known else None
        ),
        "is_mass_follower": (profile.following_count or 0) > MASS_FOLLOWING,
        "sponsored_share": len(sponsored) / len(window_90) if window_90 else None,
        "sponsored_engagement_rate": rate(sponsored),
        "organic_engagement_rate": rate(organic),
    }


def viral_ids(posts: list[dict[str, Any]], now: datetime) -> set[int]:
    """Posts with ≥ 5 × the creator's 60-day median interactions and at least ``VIRAL_FLOOR``."""
    baseline = _median(_interactions(p) for p in posts if p["posted_at"] >= now - timedelta(days=MEDIAN_WINDOW_DAYS))
    if baseline is None:
        baseline = _median(_interactions(p) for p in posts)
    if baseline is None:
        return set()
    threshold = max(VIRAL_FACTOR * baseline, VIRAL_FLOOR)
    return {p["id"] for p in posts if (_interactions(p) or 0) >= threshold}


_POST_FIELDS = (
    "id",
    "platform",
    "kind",
    "posted_at",
    "likes_count",
    "score",
    "comments_count",
    "views_count",
    "plays_count",
    "is_sponsored",
)


def compute_profile_metrics(profile_id: int, now: datetime | None = None) -> Profile | None:
    """Recompute and store one creator's metrics, viral flags and growth; None if the profile is gone."""
    now = now or timezone.now()
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        return None
    posts = list(Post.objects.filter(author_id=profile_id).order_by("-posted_at").values(*_POST_FIELDS)[:MAX_POSTS])
    values = {**profile_metrics(profile, posts, now), **profile_growth(profile), "metrics_computed_at": now}
    viral = viral_ids(posts, now)
    with transaction.atomic():
        Profile.objects.filter(pk=profile_id).update(**values)
        Post.objects.filter(author_id=profile_id, is_viral=True).exclude(pk__in=viral).update(is_viral=False)
        Post.objects.filter(pk__in=viral, is_viral=False).update(is_viral=True)
        latest = ProfileSnapshot.objects.filter(profile_id=profile_id).order_by("-captured_at").first()
        if latest is not None and latest.engagement_rate is None:
            latest.engagement_rate = values["engagement_rate"]
            latest.save(update_fields=["engagement_rate"])
    for name, value in values.items():
        setattr(profile, name, value)
    return profile


def community_metrics(community: Community, posts: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The cached metric values for one subreddit, from its posts of the last 30 days."""
    scores = [p["score"] for p in posts if p["score"] is not None]
    positive = sum(s for s in scores if s > 0)
    comments = [p["comments_count"] for p in posts if p["comments_count"] is not None]
    avg_score = _avg(scores)
    avg_comments = _avg(comments)
    return {
        "avg_upvotes": avg_score,
        "comments_per_upvote": sum(comments) / positive if positive > 0 else None,
        "posts_per_day": len(posts) / _window_days(posts, now, COMMUNITY_WINDOW_DAYS) if posts else None,
        "best_posting_hour": _best_slot(posts, lambda at: at.hour, lambda p: p["score"]),
        "score": (
            ((avg_score or 0) + (avg_comments or 0)) / community.subscribers * 1000
            if community.subscribers and avg_score is not None
            else None
        ),
    }


def compute_community_metrics(community_id: int, now: datetime | None = None) -> Community | None:
    """Recompute and store one subreddit's metrics and growth; None if it is gone."""
    now = now or timezone.now()
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return None
    posts = list(
        Post.objects.filter(community_id=community_id, posted_at__gte=now - timedelta(days=COMMUNITY_WINDOW_DAYS))
        .order_by("-posted_at")
        .values("posted_at", "score", "comments_count")[:1000]
    )
    values = {**community_metrics(community, posts, now), **community_growth(community), "metrics_computed_at": now}
    Community.objects.filter(pk=community_id).update(**values)
    for name, value in values.items():
        setattr(community, name, value)
    return community


def compute_comment_sentiment(post_ids: Iterable[int]) -> None:
    """Store the mean comment sentiment (-1..1) and analysed-comment count on these posts and their communities.

    Means over every stored ``CommentSentiment`` row: of the post, and of all posts of the subreddit.
    A post or subreddit with no analysed comment keeps NULL (unknown), never 0.
    """
    from django.db.models import Avg, Count

    from posts.models import CommentSentiment

    post_ids = list(post_ids)
    rows = (
        CommentSentiment.objects.filter(post_id__in=post_ids)
        .values("post_id")
        .annotate(n=Count("id"), avg=Avg("score"))
    )
    with transaction.atomic():
        for row in rows:
            Post.objects.filter(pk=row["post_id"]).update(comment_sentiment=row["avg"], comments_analyzed=row["n"])
        community_ids = set(
            Post.objects.filter(pk__in=post_ids, community__isnull=False).values_list("community_id", flat=True)
        )
        for community_id in community_ids:
            totals = CommentSentiment.objects.filter(post__community_id=community_id).aggregate(
                n=Count("id"), avg=Avg("score")
            )
            Community.objects.filter(pk=community_id).update(
                comment_sentiment=totals["avg"], comments_analyzed=totals["n"]
            )
