"""Viral posts across creators and communities through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post
from tests.factories import CommunityFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_viral_posts_in_a_window_across_creators_and_communities(alice, client_for):
    python = CommunityFactory(name="python")
    now = timezone.now()
    PostFactory(is_viral=True, likes_count=100, comments_count=0, posted_at=now - timedelta(days=1))
    PostFactory(is_viral=True, likes_count=900, comments_count=0, posted_at=now - timedelta(days=2))
    PostFactory(is_viral=True, likes_count=5_000, posted_at=now - timedelta(days=20))  # outside 7 days
    PostFactory(is_viral=False, likes_count=9_999, posted_at=now)
    PostFactory(platform="reddit", community=python, is_viral=True, score=300, comments_count=10, posted_at=now)
    client = client_for(alice)
    week = client.get("/api/v1/posts/viral/").json()
    assert [p["engagement"] for p in week["results"]] == [900, 310, 100]
    month = client.get("/api/v1/posts/viral/", {"days": 30, "platform": "instagram"}).json()
    assert [p["engagement"] for p in month["results"]] == [5_000 + 20, 900, 100]
    assert client.get("/api/v1/posts/viral/", {"community": "PYTHON"}).json()["count"] == 1
    assert client.get("/api/v1/posts/viral/", {"days": 0}).status_code == 400
    assert client.get("/api/v1/posts/viral/", {"days": 999}).status_code == 400


def test_viral_posts_query_count(alice, client_for, django_assert_max_num_queries):
    for _ in range(15):
        PostFactory(is_viral=True, posted_at=timezone.now())
    with django_assert_max_num_queries(4):
        assert client_for(alice).get("/api/v1/posts/viral/").json()["count"] == 15
    assert Post.objects.count() == 15
