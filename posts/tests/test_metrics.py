"""Creator and community metrics: formulas on known numbers, and the stored values after an ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from statistics import mean

import pytest

from posts import metrics
from posts.models import Post
from profiles.models import Community, Profile
from scraping import ingest
from scraping.instagram import parse as ig
from scraping.tests.fake_upstream import load_fixture

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def post(
    i: int, *, likes: int | None, comments: int = 10, days_ago: float = 0, kind="image", views=None, sponsored=False
):
    return {
        "id": i,
        "platform": "instagram",
        "kind": kind,
        "posted_at": NOW - timedelta(days=days_ago),
        "likes_count": likes,
        "score": None,
        "comments_count": comments,
        "views_count": views,
        "plays_count": None,
        "is_sponsored": sponsored,
    }


def test_engagement_rate_is_the_mean_of_the_last_12_and_skips_hidden_likes():
    posts = [post(i, likes=90, comments=10, days_ago=i) for i in range(12)]
    posts[0]["likes_count"] = None  # hidden: left out, not counted as 0
    posts += [post(100 + i, likes=10_000, days_ago=20 + i) for i in range(5)]  # older than the last 12
    profile = Profile(platform="instagram", handle="x", followers_count=1000, following_count=2000)

    values = metrics.profile_metrics(profile, posts, NOW)

    assert values["engagement_rate"] == pytest.approx(10.0)  # (90 + 10) / 1000 × 100
    assert values["avg_likes"] == 90 and values["median_comments"] == 10
    assert values["comments_per_100_likes"] == pytest.approx(100 * 10 / 90)
    assert values["is_mass_follower"] is True
    assert values["engagement_rate_views"] is None and values["avg_views"] is None  # no videos: unknown


def test_unknown_followers_give_unknown_rates_not_zero():
    profile = Profile(platform="instagram", handle="x", followers_count=None)

    values = metrics.profile_metrics(profile, [post(1, likes=5)], NOW)

    assert values["engagement_rate"] is None and values["engagement_rate_median"] is None


def test_frequency_consistency_and_sponsorship():
    # One post a day for 30 days; every third one is an ad with half the interactions.
    posts = [post(i, likes=50 if i % 3 == 0 else 100, comments=0, days_ago=i, sponsored=i % 3 == 0) for i in range(30)]
    profile = Profile(platform="instagram", handle="x", followers_count=10_000)

    values = metrics.profile_metrics(profile, posts, NOW)

    # We hold 29 days of posts, so the window is 29 days: 30 posts / (29/7) weeks.
    assert values["posts_per_week"] == pytest.approx(30 / (29 / 7))
    assert values["posting_consistency"] == pytest.approx(1.0)
    assert values["sponsored_share"] == pytest.approx(10 / 30)
    assert values["sponsored_engagement_rate"] == pytest.approx(0.5)
    assert values["organic_engagement_rate"] == pytest.approx(1.0)


def test_views_based_rate_uses_videos_only():
    posts = [post(1, likes=100, comments=0, kind="reel", views=1000), post(2, likes=100, comments=0, kind="image")]
    values = metrics.profile_metrics(Profile(platform="instagram", handle="x", followers_count=1), posts, NOW)

    assert values["engagement_rate_views"] == pytest.approx(10.0)
    assert values["views_per_like"] == pytest.approx(10.0)


def test_viral_needs_five_times_the_median_and_the_floor():
    posts = [post(i, likes=1000, comments=0, days_ago=i) for i in range(10)]
    posts.append(post(99, likes=5000, comments=0, days_ago=1))
    posts.append(post(98, likes=4999, comments=0, days_ago=2))

    assert metrics.viral_ids(posts, NOW) == {99}
    small = [post(i, likes=10, days_ago=i, comments=0) for i in range(10)] + [post(77, likes=500, comments=0)]
    assert metrics.viral_ids(small, NOW) == set()  # 50× the median but under the floor


def test_community_metrics():
    community = Community(name="x", subscribers=10_000)
    posts = [
        {"posted_at": NOW - timedelta(days=i, hours=i % 2), "score": 100 * (i % 2 + 1), "comments_count": 30}
        for i in range(10)
    ]

    values = metrics.community_metrics(community, posts, NOW)

    assert values["avg_upvotes"] == 150
    assert values["comments_per_upvote"] == pytest.approx(300 / 1500)
    assert values["score"] == pytest.approx((150 + 30) / 10_000 * 1000)
    assert values["best_posting_hour"] == 11  # posts at 11:00 score 200, those at 12:00 score 100


@pytest.mark.django_db
def test_metrics_are_stored_after_an_instagram_ingest():
    profile, _ = ig.parse_web_profile_page(load_fixture("instagram/web/web_profile_info__robertdowneyjr.json"))
    posts = ig.parse_timeline(load_fixture("instagram/web/graphql_user_timeline_media.json")["data"]["user"]).items
    result = ingest.ingest_profile(profile, posts)

    stored = metrics.compute_profile_metrics(result.target_id)

    stored.refresh_from_db()
    expected = mean((p.likes_count + p.comments_count) / profile.followers_count * 100 for p in posts)
    assert stored.engagement_rate == pytest.approx(expected)
    assert stored.avg_views == pytest.approx(mean(p.views_count for p in posts if p.kind == "video"))
    assert stored.metrics_computed_at is not None
    assert stored.snapshots.get().engagement_rate == pytest.approx(expected)
    assert Post.objects.filter(is_viral=True).count() == 0  # RDJ's posts are all within 5× of his median
