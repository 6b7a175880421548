"""The pipeline against PostgreSQL: claiming, writing, re-analysis, aggregation, suggestions, lookalikes."""

from datetime import timedelta

import numpy as np
import pytest
from django.test import override_settings
from django.utils import timezone

from intelligence.aggregate import aggregate_profile, content_quality_score
from intelligence.comments import CommentIn, analyze_comments
from intelligence.conf import analyzers
from intelligence.lookalikes import nearest, refresh_lookalikes
from intelligence.models import AnalysisBatch, ProfileEmbedding
from intelligence.pipeline import claim_posts, queue_outdated, run_batch, run_pending
from intelligence.suggestions import _store
from posts.models import CommentSentiment, Post
from profiles.models import RelatedProfile, TagSuggestion
from tests.factories import CommunityFactory, PostFactory, ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db

RULES = {"AI_BACKEND": "rules"}


def test_two_claims_never_take_the_same_post():
    posts = PostFactory.create_batch(6)
    first = claim_posts(limit=4)
    second = claim_posts(limit=4)
    assert len(first) == 4 and len(second) == 2
    assert not set(first) & set(second)
    assert claim_posts() == []
    assert set(Post.objects.values_list("ai_status", flat=True)) == {"processing"}
    assert {p.pk for p in posts} == set(first) | set(second)


@override_settings(AI_CLAIM_TIMEOUT=60)
def test_a_stale_claim_from_a_dead_worker_is_taken_over():
    post = PostFactory()
    assert claim_posts() == [post.pk]
    Post.objects.filter(pk=post.pk).update(ai_claimed_at=timezone.now() - timedelta(minutes=5))
    assert claim_posts() == [post.pk]


@override_settings(**RULES, AI_BATCH_SIZE=2)
def test_run_batch_writes_ai_fields_and_records_the_batch():
    author = ProfileFactory()
    love = PostFactory(author=author, caption="I love this recipe #food #baking")
    hate = PostFactory(author=author, caption="worst gym ever, broken machines #fitness")
    empty = PostFactory(author=author, caption="")
    batch, more = run_batch([love.pk, hate.pk, empty.pk])
    assert not more
    love.refresh_from_db(), hate.refresh_from_db(), empty.refresh_from_db()
    assert (love.ai_sentiment, love.ai_category, love.ai_status) == ("positive", "food", "done")
    assert (hate.ai_sentiment, hate.ai_category) == ("negative", "fitness")
    assert -1 <= love.ai_sentiment_score <= 1 and love.ai_analyzed_at is not None
    assert love.ai_model_version == analyzers().model_version
    assert love.ai_claimed_at is None
    assert empty.ai_status == "done" and empty.ai_sentiment == "" and empty.ai_category == ""
    assert (batch.status, batch.processed, batch.failed, batch.backend) == ("done", 3, 0, "rules")
    assert batch.duration_seconds is not None
    author.refresh_from_db()
    assert author.ai_primary_content_type in {"food", "fitness"}
    assert author.ai_content_distribution == {"food": 0.5, "fitness": 0.5}


@override_settings(**RULES)
def test_posts_already_claimed_or_deleted_are_skipped():
    taken, gone, free = PostFactory.create_batch(3)
    claim_posts([taken.pk])
    gone_pk = gone.pk
    gone.delete()
    batch, _ = run_batch([taken.pk, gone_pk, free.pk])
    assert batch.processed == 1 and batch.skipped == 2
    taken.refresh_from_db()
    assert taken.ai_status == "processing"  # still the other worker's


@override_settings(**RULES, AI_PIPELINE_BATCH=2)
def test_run_pending_drains_the_backlog_in_bounded_batches():
    PostFactory.create_batch(5, caption="great day")
    batches = run_pending()
    assert [b.processed for b in batches] == [2, 2, 1]
    assert not Post.objects.exclude(ai_status="done").exists()
    assert run_pending() == []


@override_settings(**RULES)
def test_a_model_version_change_requeues_analysed_posts():
    old = PostFactory(ai_status="done", ai_model_version="embedded:old@1")
    current = PostFactory(ai_status="done", ai_model_version=analyzers().model_version)
    assert queue_outdated(analyzers().model_version) == 1
    old.refresh_from_db(), current.refresh_from_db()
    assert (old.ai_status, current.ai_status) == ("pending", "done")
    run_pending()
    old.refresh_from_db()
    assert old.ai_model_version == analyzers().model_version


def test_aggregates_and_quality_score_follow_their_definition():
    author = ProfileFactory()
    for score, category, lang in [(0.8, "food", "en"), (0.4, "food", "en"), (-0.2, "travel", "pt")]:
        PostFactory(
            author=author,
            caption="a caption with at least eight words in it",
            ai_status="done",
            ai_sentiment_score=score,
            ai_category=category,
            ai_language=lang,
        )
    PostFactory(author=author, ai_status="pending", ai_category="gaming")  # not analysed: ignored
    profile = aggregate_profile(author.pk)
    assert profile.ai_primary_content_type == "food"
    assert profile.ai_content_distribution == {"food": 0.6667, "travel": 0.3333}
    assert profile.ai_language_distribution == {"en": 0.6667, "pt": 0.3333}
    assert profile.ai_average_sentiment == pytest.approx(1 / 3, abs=1e-3)
    # tone (1/3+1)/2*40 = 26.67, focus 2/3*25 = 16.67, substance 20, volume 3/12*15 = 3.75
    assert profile.ai_content_quality_score == pytest.approx(67.08, abs=0.01)
    assert aggregate_profile(10**9) is None


def test_quality_score_is_zero_without_posts_and_bounded():
    assert content_quality_score([], [], []) == 0
    best = content_quality_score([1.0] * 20, ["food"] * 20, ["one two three four five six seven eight"] * 20)
    assert best == 100


@override_settings(**RULES)
def test_comment_sentiment_is_upserted_per_comment():
    post = PostFactory()
    comments = [CommentIn("c1", "love it 😍", "fan"), CommentIn("c2", "this is awful"), CommentIn("c3", "  ")]
    assert analyze_comments(post, comments, analyzers()) == 2
    assert analyze_comments(post, [CommentIn("c1", "hate it now")], analyzers()) == 1
    rows = dict(CommentSentiment.objects.filter(post=post).values_list("external_id", "sentiment"))
    assert rows == {"c1": "negative", "c2": "negative"}


def test_tag_suggestions_skip_low_scores_sensitive_tags_and_earlier_decisions():
    profile = ProfileFactory()
    niche, weak, rejected = TagFactory.create_batch(3)
    TagSuggestion.objects.create(tag=rejected, profile=profile, confidence=0.9, status="rejected")
    created = _store([(niche, 0.9), (weak, 0.5), (rejected, 0.95)], 0.75, "test@1", profile=profile)
    assert created == 1
    suggestion = TagSuggestion.objects.get(profile=profile, status="pending")
    assert suggestion.tag == niche
    suggestion.accept()
    assert list(profile.tags.all()) == [niche]


def test_lookalikes_are_the_nearest_same_platform_creators():
    a, b, c = ProfileFactory.create_batch(3)
    far = ProfileFactory(platform="reddit")
    vectors = {a: [1, 0, 0], b: [0.9, 0.1, 0], c: [0, 1, 0], far: [1, 0, 0]}
    for profile, vec in vectors.items():
        v = np.array(vec, dtype=np.float32)
        ProfileEmbedding.objects.create(
            profile=profile, model_name="all-MiniLM-L6-v2", dim=3, vector=ProfileEmbedding.pack(v / np.linalg.norm(v))
        )
    assert refresh_lookalikes([a.pk], k=5) == 2
    links = list(RelatedProfile.objects.filter(profile=a, source="lookalike").values_list("related_id", flat=True))
    assert links == [b.pk, c.pk]
    refresh_lookalikes([a.pk], k=1)  # a refresh replaces, never piles up
    assert RelatedProfile.objects.filter(profile=a, source="lookalike").count() == 1


def test_nearest_excludes_self_and_orders_by_similarity():
    ids = np.array([1, 2, 3])
    matrix = np.array([[1, 0], [0.6, 0.8], [0, 1]], dtype=np.float32)
    assert [pk for pk, _ in nearest(np.array([1, 0], dtype=np.float32), ids, matrix, 5, exclude=1)] == [2, 3]


@override_settings(**RULES)
def test_community_gets_a_suggested_category_but_keeps_the_analysts():
    from intelligence.suggestions import categorize_community

    community = CommunityFactory(
        name="Sourdough",
        title="Sourdough bakers",
        public_description="Bread baking, recipes and crumb shots",
        rules=[{"short_name": "Recipes welcome", "description": "Share your bread recipe"}],
        primary_category="lifestyle",
    )
    PostFactory(community=community, author=None, platform="reddit", caption="My first loaf of bread, recipe inside")
    categorize_community(community, analyzers())
    community.refresh_from_db()
    assert community.ai_suggested_category == "food"
    assert community.primary_category == "lifestyle"
    assert 0 < community.ai_category_confidence <= 1


@override_settings(**RULES)
def test_failed_batch_is_recorded_with_its_errors(monkeypatch):
    post = PostFactory()

    def explode(posts, analyzer_set):
        raise RuntimeError("disk full")

    monkeypatch.setattr("intelligence.pipeline._analyze_chunk", explode)
    batch, _ = run_batch([post.pk])
    post.refresh_from_db()
    assert post.ai_status == "failed"
    assert batch.status == AnalysisBatch.Status.FAILED
    assert batch.errors == [{"id": post.pk, "error": "RuntimeError: disk full"}]


@override_settings(**RULES)
def test_comment_task_takes_the_ingest_payload_and_skips_a_deleted_post():
    from intelligence import tasks

    post = PostFactory()
    payload = [
        {"external_id": "k1", "text": "so good 😍", "author_handle": "fan", "posted_at": "2026-11-20T10:00:00+00:00"},
        {"external_id": "k2", "text": "meh", "author_handle": "", "posted_at": ""},
    ]
    tasks.analyze_comments(post.pk, payload)
    row = CommentSentiment.objects.get(post=post, external_id="k1")
    assert (row.sentiment, row.author_handle, row.posted_at.day) == ("positive", "fan", 20)
    assert CommentSentiment.objects.get(post=post, external_id="k2").posted_at is None
    tasks.analyze_comments(10**9, payload)  # gone: returns quietly


@override_settings(**RULES)
def test_analyze_pending_leaves_no_row_for_an_empty_backlog():
    from intelligence import tasks

    tasks.analyze_pending()
    assert not AnalysisBatch.objects.exists()
