"""Workflows the tasks and ``manage.py analyze`` call: each records an AnalysisBatch row."""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.conf import settings

from intelligence.aggregate import aggregate_profile, update_profile_embedding
from intelligence.conf import analyzers, content_embeddings
from intelligence.lookalikes import refresh_lookalikes
from intelligence.models import AnalysisBatch
from intelligence.pipeline import BatchOutcome, finish_batch, mark_pending, run_batch
from intelligence.suggestions import TagMatrix, categorize_community, suggest_profile_tags
from posts.models import Post
from profiles.models import Community, CommunityReviewStatus, Profile, ReviewStatus


def _batch(kind: str, requested: int) -> tuple[AnalysisBatch, float]:
    analyzer_set = analyzers()
    batch = AnalysisBatch.objects.create(
        kind=kind, backend=analyzer_set.backend, model_version=analyzer_set.model_version, requested=requested
    )
    return batch, time.perf_counter()


def analyze_profile(profile_id: int, *, backend: str | None = None) -> dict | None:
    """Re-analyse all of a creator's posts, aggregate, refresh their content vector, lookalikes and
    tag suggestions. None when the profile is gone."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        return None
    post_ids = list(Post.objects.filter(author=profile).values_list("id", flat=True))
    mark_pending(Post.objects.filter(pk__in=post_ids))
    batches = []
    more = bool(post_ids)
    while more:
        batch, more = run_batch(post_ids, backend=backend, aggregate=False)
        batches.append(batch)
        if batch.processed + batch.failed == 0:
            break
    aggregate_profile(profile_id)
    refresh_profiles([profile_id], suggest=True)
    profile.refresh_from_db()
    return {
        "profile": profile.handle,
        "posts": len(post_ids),
        "processed": sum(b.processed for b in batches),
        "failed": sum(b.failed for b in batches),
        "batches": [b.pk for b in batches],
        "primary_content_type": profile.ai_primary_content_type,
        "primary_language": profile.ai_primary_language,
        "average_sentiment": profile.ai_average_sentiment,
        "content_quality_score": profile.ai_content_quality_score,
        "lookalikes": profile.related_links.filter(source="lookalike").count(),
        "tag_suggestions": profile.tag_suggestions.filter(status="pending").count(),
    }


def refresh_profiles(profile_ids: Sequence[int], *, suggest: bool = False) -> AnalysisBatch:
    """Content vectors, then lookalikes (and tag suggestions) for the given creators."""
    batch, started = _batch(AnalysisBatch.Kind.LOOKALIKES, len(profile_ids))
    outcome = BatchOutcome()
    embeddings = content_embeddings()
    with_vectors = []
    for profile_id in profile_ids:
        if update_profile_embedding(profile_id, embeddings) is None:
            outcome.skipped += 1
        else:
            with_vectors.append(profile_id)
    refresh_lookalikes(with_vectors, settings.AI_LOOKALIKES)
    if suggest and with_vectors:
        tags = TagMatrix(embeddings)
        for profile in Profile.objects.filter(pk__in=with_vectors):
            suggest_profile_tags(profile, tags)
    outcome.processed = len(with_vectors)
    return finish_batch(batch, outcome, started)


def categorize_communities(community_ids: Sequence[int]) -> AnalysisBatch:
    """Suggest a category and tags for each community (analysts confirm in admin)."""
    batch, started = _batch(AnalysisBatch.Kind.COMMUNITIES, len(community_ids))
    outcome = BatchOutcome()
    analyzer_set = analyzers()
    embeddings = content_embeddings()
    tags = TagMatrix(embeddings)
    communities = list(Community.objects.filter(pk__in=list(community_ids)))
    outcome.skipped = len(community_ids) - len(communities)
    for community in communities:
        try:
            categorize_community(community, analyzer_set, embeddings, tags)
            outcome.processed += 1
        except Exception as exc:  # one bad community must not stop the others
            outcome.failed += 1
            outcome.errors.append({"id": community.pk, "error": f"{type(exc).__name__}: {exc}"[:300]})
    return finish_batch(batch, outcome, started)


def nightly_tag_suggestions(limit: int = 500) -> AnalysisBatch:
    """Tags for approved creators and OK communities that have none yet (bounded per night)."""
    profile_ids = list(
        Profile.objects.filter(review_status=ReviewStatus.APPROVED, tags__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    community_ids = list(
        Community.objects.filter(review_status=CommunityReviewStatus.OK, tags__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if community_ids:
        categorize_communities(community_ids)
    return refresh_profiles(profile_ids, suggest=True)


def reaggregate_profiles(limit: int = 2000) -> int:
    """Recompute aggregates of creators with analysed posts, least recently aggregated first."""
    ids = list(
        Profile.objects.filter(posts__ai_status="done")
        .distinct()
        .order_by("ai_analyzed_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for profile_id in ids:
        aggregate_profile(profile_id)
    return len(ids)
