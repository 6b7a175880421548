"""The analytics figures (posts/analytics.py) and the charts the admin panel and profile page draw of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.analytics import CommunityFigures, ProfileFigures, community_analytics, profile_analytics
from tests.factories import CommunityFactory, PostFactory, ProfileFactory, ProfileSnapshotFactory

pytestmark = pytest.mark.django_db


def chart(analytics, prefix: str):
    return next(c for c in analytics.charts if c.id.startswith(f"{prefix}-"))


def test_profile_charts_take_two_queries_whatever_the_posts(django_assert_num_queries):
    creator = ProfileFactory()
    for _ in range(3):
        ProfileSnapshotFactory(profile=creator)
    PostFactory.create_batch(25, author=creator)
    with django_assert_num_queries(2):  # snapshots, the window's posts
        analytics = profile_analytics(creator)
    assert analytics.post_count == 25
    assert [c.id.split("-")[0] for c in analytics.charts] == [
        "growth",
        "engagement",
        "content",
        "language",
        "format",
        "sentiment",
    ]


def test_a_hidden_likes_post_counts_as_a_post_but_not_in_engagement():
    creator = ProfileFactory(followers_count=1_000)
    PostFactory(author=creator, likes_count=40, comments_count=10)
    PostFactory(author=creator, likes_count=None, likes_hidden=True, comments_count=500)
    figures = ProfileFigures(creator)
    (week,) = figures.weekly
    assert (week.posts, week.mean_interactions, week.engagement_rate) == (2, 50.0, 5.0)
    organic = figures.sponsored_vs_organic["organic"]
    assert (organic.posts, organic.mean_interactions, organic.median_interactions) == (2, 50.0, 50.0)
    assert figures.mix.total == sum(map(sum, figures.heatmap.counts)) == 2


def test_mixes_count_only_analysed_posts_and_show_the_rest_as_not_analysed():
    creator = ProfileFactory()
    PostFactory(author=creator, ai_status="done", ai_category="food", ai_language="pt", ai_sentiment="positive")
    PostFactory(author=creator, ai_status="done", ai_category="food", ai_language="en", ai_sentiment="negative")
    # Queued for re-analysis: its old results no longer count until it is done again.
    PostFactory(author=creator, ai_status="pending", ai_category="travel", ai_language="pt", ai_sentiment="positive")
    analytics = profile_analytics(creator)
    content = chart(analytics, "content")
    assert dict(zip(content.labels, content.datasets[0]["data"], strict=True)) == {
        "Food & drink": 2,
        "Not analysed yet": 1,
    }
    sentiment = chart(analytics, "sentiment")
    assert dict(zip(sentiment.labels, sentiment.datasets[0]["data"], strict=True)) == {
        "positive": 1,
        "negative": 1,
        "not analysed yet": 1,
    }
    mix = ProfileFigures(creator).mix
    assert (mix.analysed, mix.categories, mix.statuses["pending"]) == (2, {"food": 2}, 1)


def test_without_a_follower_count_the_engagement_chart_shows_mean_interactions():
    creator = ProfileFactory(followers_count=None)
    PostFactory(author=creator, likes_count=90, comments_count=10)
    engagement = chart(profile_analytics(creator), "engagement")
    assert engagement.datasets[0] == {"label": "Mean interactions per post", "data": [100.0]}
    # Both axes say what they count; the post line has its own, titled axis.
    assert engagement.as_config()["axes"] == {
        "x": "Week starting",
        "y": "Mean interactions per post",
        "y2": "Posts per week",
    }


def test_community_charts_take_two_queries_and_hours_count_posts_with_unknown_scores(django_assert_num_queries):
    community = CommunityFactory()
    at_nine = (timezone.now() - timedelta(days=2)).replace(hour=9, minute=0)
    PostFactory(community=community, platform="reddit", posted_at=at_nine, score=30)
    PostFactory(community=community, platform="reddit", posted_at=at_nine + timedelta(minutes=5), score=None)
    PostFactory(community=community, platform="reddit", posted_at=at_nine + timedelta(hours=1), score=None)
    with django_assert_num_queries(2):  # snapshots, the window's posts
        analytics = community_analytics(community)
    assert analytics.post_count == 3 and analytics.best_hour is None
    figures = CommunityFigures(community, days=30)
    assert [(row.hour, row.posts, row.mean_score) for row in figures.posting_hours] == [(9, 2, 30.0), (10, 1, None)]
    assert figures.best_posting_hours == [9]  # an hour without a known score is not ranked
