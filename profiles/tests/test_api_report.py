"""The creator report's sub-resources through the API: the creator's posts, analytics and AI insights."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import CommentSentiment
from profiles.models import Profile, ProfileAccess, ProfileSnapshot, TagSuggestion
from tests.factories import PostFactory, ProfileFactory, TagFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def creator():
    return ProfileFactory(handle="lisbon.eats", followers_count=10_000)


def url(profile, part):
    return f"/api/v1/profiles/{profile.platform}/{profile.handle}/{part}/"


def test_posts_are_cursor_paginated_newest_first_with_ai_fields(creator, alice, client_for):
    now = timezone.now()
    for n in range(5):
        PostFactory(author=creator, posted_at=now - timedelta(days=n), ai_sentiment="positive", ai_status="done")
    PostFactory()  # someone else's
    client = client_for(alice)
    first = client.get(url(creator, "posts"), {"page_size": 3}).json()
    assert len(first["results"]) == 3
    assert first["results"][0]["ai_sentiment"] == "positive"
    second = client.get(first["next"]).json()
    dates = [p["posted_at"] for p in first["results"] + second["results"]]
    assert len(dates) == 5
    assert dates == sorted(dates, reverse=True)
    assert second["next"] is None
    assert ProfileAccess.objects.filter(user=alice, profile=creator).exists()


def test_posts_reject_bad_filters_and_cursor(creator, alice, client_for):
    client = client_for(alice)
    assert client.get(url(creator, "posts"), {"kind": "hologram"}).status_code == 400
    assert client.get(url(creator, "posts"), {"page_size": 101}).status_code == 400
    assert client.get(url(creator, "posts"), {"cursor": "garbage"}).status_code == 404
    window = client.get(
        url(creator, "posts"), {"posted_after": "2026-02-01T00:00:00Z", "posted_before": "2026-01-01T00:00:00Z"}
    )
    assert window.status_code == 400
    assert "posted_before" in window.json()


def test_posts_with_hidden_likes_report_unknown_engagement(creator, alice, client_for):
    PostFactory(author=creator, likes_count=None, likes_hidden=True, comments_count=4)
    post = client_for(alice).get(url(creator, "posts")).json()["results"][0]
    assert (post["likes_count"], post["likes_hidden"], post["engagement"]) == (None, True, None)


def test_posts_query_count_does_not_grow_with_the_page(creator, alice, client_for, django_assert_max_num_queries):
    for _ in range(20):
        post = PostFactory(author=creator)
        post.media.create(position=0, source_url="https://cdn.example.com/a.jpg")
    client = client_for(alice)
    client.get(url(creator, "posts"))  # opens access
    with django_assert_max_num_queries(4):  # lookup, page, media, assets
        assert len(client.get(url(creator, "posts"), {"page_size": 20}).json()["results"]) == 20


def test_analytics_series_heatmap_mix_and_split(creator, alice, client_for):
    now = timezone.now()
    ProfileSnapshot.objects.create(profile=creator, captured_at=now - timedelta(days=10), followers_count=9_000)
    ProfileSnapshot.objects.create(profile=creator, captured_at=now, followers_count=10_000)
    monday_9 = (now - timedelta(days=now.weekday() + 7)).replace(hour=9, minute=0)
    PostFactory(
        author=creator,
        posted_at=monday_9,
        likes_count=900,
        comments_count=100,
        ai_status="done",
        ai_category="food",
        ai_language="pt",
        is_sponsored=True,
        is_viral=True,
    )
    PostFactory(
        author=creator,
        posted_at=monday_9 + timedelta(minutes=5),
        likes_count=100,
        comments_count=0,
        ai_status="done",
        ai_category="travel",
        ai_language="pt",
    )
    PostFactory(
        author=creator, posted_at=monday_9 + timedelta(days=1), likes_count=None, likes_hidden=True, ai_status="pending"
    )
    body = client_for(alice).get(url(creator, "analytics"), {"days": 90}).json()
    assert [point["followers"] for point in body["followers_series"]] == [9_000, 10_000]
    assert body["posting_heatmap"]["counts"][0][9] == 2
    assert (body["posting_heatmap"]["best_hour"], body["posting_heatmap"]["best_weekday"]) == (9, "mon")
    assert body["content_distribution"] == {"food": 0.5, "travel": 0.5}
    assert body["language_distribution"] == {"pt": 1.0}
    assert body["analysed_posts"] == 2
    assert [p["engagement"] for p in body["viral_posts"]] == [1_000]
    split = body["sponsored_vs_organic"]
    assert split["sponsored"]["engagement_rate"] == 10.0  # 1,000 / 10,000 followers
    assert split["organic"]["posts"] == 2  # the hidden-likes post counts as a post, not as 0 engagement
    assert split["organic"]["mean_interactions"] == 100.0
    assert body["audience_quality"]["score"] is None  # metrics not computed yet


def test_analytics_rejects_a_bad_window(creator, alice, client_for):
    response = client_for(alice).get(url(creator, "analytics"), {"days": "5"})
    assert response.status_code == 400
    assert "days" in response.json()


def test_analytics_is_recomputed_after_an_ingest(creator, alice, client_for):
    client = client_for(alice)
    assert client.get(url(creator, "analytics")).json()["viral_posts"] == []
    # An ingest adds a post and stamps the profile; the next read must include it.
    PostFactory(author=creator, is_viral=True, likes_count=10, comments_count=1)
    Profile.objects.filter(pk=creator.pk).update(last_scraped_at=timezone.now())
    assert len(client.get(url(creator, "analytics")).json()["viral_posts"]) == 1


def test_analytics_query_count_is_bounded(creator, alice, client_for, django_assert_max_num_queries):
    PostFactory.create_batch(30, author=creator)
    client = client_for(alice)
    client.get(url(creator, "posts"))  # opens access
    # The viewer's teams, the lookup (and the rest of the profile on a cache miss), then snapshots, the
    # window's posts, viral posts.
    with django_assert_max_num_queries(6):
        client.get(url(creator, "analytics"))
    with django_assert_max_num_queries(2):
        assert client.get(url(creator, "analytics")).status_code == 200


def test_ai_insights_count_post_and_comment_sentiment(creator, alice, client_for):
    tag = TagFactory(slug="street-food")
    TagSuggestion.objects.create(tag=tag, profile=creator, confidence=0.8, model_version="tags:1")
    Profile.objects.filter(pk=creator.pk).update(ai_primary_content_type="food", ai_analyzed_at=timezone.now())
    post = PostFactory(author=creator, ai_status="done", ai_sentiment="positive", ai_model_version="vader:3.3.2")
    PostFactory(author=creator, ai_status="pending")
    CommentSentiment.objects.create(post=post, external_id="c1", text="love it", sentiment="positive", score=0.9)
    CommentSentiment.objects.create(post=post, external_id="c2", text="meh", sentiment="negative", score=-0.4)
    body = client_for(alice).get(url(creator, "ai-insights")).json()
    assert body["primary_content_type"] == "food"
    assert body["post_sentiment"] == {"positive": 1, "neutral": 0, "negative": 0}
    assert body["comment_sentiment"] == {"positive": 1, "neutral": 0, "negative": 1}
    assert body["analysis_status"]["pending"] == 1
    assert body["model_versions"] == [{"version": "vader:3.3.2", "posts": 1}]
    assert body["pending_tag_suggestions"][0]["tag"] == "street-food"


def test_ai_insights_query_count_is_bounded(creator, alice, client_for, django_assert_max_num_queries):
    for post in PostFactory.create_batch(30, author=creator, ai_status="done", ai_sentiment="neutral"):
        CommentSentiment.objects.create(post=post, external_id=f"c{post.pk}", text="ok", sentiment="neutral", score=0)
    client = client_for(alice)
    client.get(url(creator, "posts"))  # opens access
    # The viewer's teams, the lookup (and the rest of the profile on a cache miss), then posts by
    # status/sentiment/model, comment sentiment, pending suggestions.
    with django_assert_max_num_queries(6):
        body = client.get(url(creator, "ai-insights")).json()
    assert (body["post_sentiment"]["neutral"], body["comment_sentiment"]["neutral"]) == (30, 30)


def test_report_subresources_need_a_signed_in_user(creator, api_client):
    for part in ("posts", "analytics", "ai-insights", "similar"):
        assert api_client.get(url(creator, part)).status_code == 401


def test_report_subresources_respect_the_monthly_limit(creator, charlie, client_for, settings):
    settings.PROFILE_ACCESS_MONTHLY_LIMIT = 1
    client = client_for(charlie)
    opened = ProfileFactory()
    assert client.post(f"/api/v1/profiles/{opened.platform}/{opened.handle}/").status_code == 200
    assert client.get(url(opened, "analytics")).status_code == 200
    for part in ("posts", "analytics", "ai-insights", "similar"):
        response = client.get(url(creator, part))
        assert response.status_code == 403
        assert "limit" in response.json()["detail"]
