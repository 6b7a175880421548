"""Celery tasks of the ``ai`` queue (routed in settings): thin — ids in, call a function, return.

Heavy imports (torch, transformers) happen inside the functions they call, in the worker only.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready

from config.celery import enqueue_on_commit

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def analyze_posts(post_ids: list[int]) -> None:
    """Analyse these posts (those still pending); re-queue while some remain claimable."""
    from intelligence.pipeline import run_batch

    batch, more = run_batch(post_ids)
    if more and batch.processed + batch.failed:
        enqueue_on_commit(analyze_posts.name, [post_ids])


@shared_task(ignore_result=True)
def analyze_pending() -> None:
    """Analyse the pending-post backlog in bounded batches, re-queueing while work remains.

    Posts analysed by an older model version are put back in the backlog first.
    """
    from intelligence.conf import analyzers
    from intelligence.pipeline import queue_outdated, run_batch

    queue_outdated(analyzers().model_version)
    batch, more = run_batch()
    if not batch.requested:
        batch.delete()  # nothing to do: no row for an empty run every few minutes
        return
    if more:
        enqueue_on_commit(analyze_pending.name)


@shared_task(ignore_result=True)
def reap_batches() -> None:
    """Close batches of dead workers and put their claimed posts back; re-queue the backlog if any."""
    from intelligence.pipeline import reap_orphans

    closed, released = reap_orphans()
    if released:
        logger.warning("released %d posts claimed by a dead worker (batches closed: %s)", released, closed)
        enqueue_on_commit(analyze_pending.name)


@shared_task(ignore_result=True)
def analyze_profile_posts(profile_id: int) -> None:
    """Re-analyse one creator's posts, then aggregate, refresh lookalikes and suggest tags."""
    from intelligence.jobs import analyze_profile

    if analyze_profile(profile_id) is None:
        logger.info("profile %s no longer exists; skipping", profile_id)


@shared_task(ignore_result=True)
def analyze_comments(post_id: int, comments: list[dict]) -> None:
    """Score comments ``[{external_id, text, author_handle?, posted_at?}]`` of one post."""
    from django.utils.dateparse import parse_datetime

    from intelligence.comments import CommentIn
    from intelligence.comments import analyze_comments as run
    from intelligence.conf import analyzers
    from posts.models import Post

    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        logger.info("post %s no longer exists; skipping", post_id)
        return
    items = [
        CommentIn(
            str(c.get("external_id", "")),
            str(c.get("text", "")),
            str(c.get("author_handle", "")),
            parse_datetime(c["posted_at"]) if c.get("posted_at") else None,
        )
        for c in comments
    ]
    run(post, items, analyzers())


@shared_task(ignore_result=True)
def categorize_communities(community_ids: list[int]) -> None:
    """Suggest a category and taxonomy tags for these communities."""
    from intelligence.jobs import categorize_communities as run

    run(community_ids)


@shared_task(ignore_result=True)
def suggest_tags() -> None:
    """Nightly: suggest tags for approved creators and OK communities that have none."""
    from intelligence.jobs import nightly_tag_suggestions

    nightly_tag_suggestions()


@shared_task(ignore_result=True)
def reaggregate_profiles() -> None:
    """Recompute creators' AI aggregates (primary category, languages, sentiment, quality score)."""
    from intelligence.jobs import reaggregate_profiles as run

    run()


@shared_task(ignore_result=True)
def refresh_lookalikes() -> None:
    """Nightly: refresh content vectors and lookalikes of creators with analysed posts."""
    from intelligence.jobs import refresh_profiles
    from profiles.models import Profile

    ids = list(Profile.objects.filter(posts__ai_status="done").distinct().values_list("id", flat=True)[:5000])
    refresh_profiles(ids)


@shared_task(ignore_result=True)
def assess_communities(community_ids: list[int]) -> None:
    """Posting requirements, observed lower bounds and a review suggestion for these subreddits."""
    from intelligence.conf import requirement_classifier
    from intelligence.subreddits import assess

    classifier = requirement_classifier() if community_ids else None
    for community_id in community_ids:
        if assess(community_id, classifier=classifier) is None:
            logger.info("community %s no longer exists; skipping", community_id)


@shared_task(ignore_result=True)
def suggest_profile_links(profile_ids: list[int]) -> None:
    """Suggest the same person's accounts on other platforms for these profiles."""
    from intelligence.identity import suggest_links

    for profile_id in profile_ids:
        suggest_links(profile_id)


# Training takes minutes on two busy cores: far longer than the ai queue's per-batch limits.
@shared_task(ignore_result=True, soft_time_limit=2 * 60 * 60, time_limit=2 * 60 * 60 + 300)
def build_models() -> None:
    """Build the embedded category and sentiment models if missing, then re-analyse what the stand-ins did
    (``analyze_pending`` on the beat picks them up sooner when the category model lands first)."""
    from intelligence.model_builds import build_models as build

    if build().get("built"):
        analyze_pending.delay()


@shared_task(ignore_result=True, soft_time_limit=60 * 60, time_limit=60 * 60 + 300)
def retrain_category_model() -> None:
    """Retrain the category model on the analysts' accepted categories (weekly); skips quietly when
    there are not enough decisions yet, then re-analyses the posts the old model categorised."""
    from intelligence.analyst_training import NotEnoughDecisions, retrain

    try:
        summary = retrain()
    except NotEnoughDecisions as exc:
        logger.info("%s; skipped", exc)
        return
    if summary.get("queued_for_reanalysis"):
        analyze_pending.delay()


@worker_ready.connect
def _build_missing_models(sender=None, **kwargs) -> None:
    """At worker start: queue the model build when the embedded backend's model is not there yet."""
    from intelligence.model_builds import needs_build

    try:
        if needs_build():
            logger.info(
                "embedded models missing: queueing their build; phrase similarity (category) and VADER "
                "(sentiment) answer until they land"
            )
            build_models.delay()
    except Exception:  # a worker must start even if the broker hiccups here
        logger.exception("could not queue the model build")


@shared_task(name="intelligence.tasks.estimate_audiences", ignore_result=True)
def estimate_audiences(batch: int = 500) -> None:
    """Nightly: audience estimates and credibility, in bounded batches, re-queued while work remains."""
    from intelligence.audience import estimate_all

    if estimate_all(batch) == batch:
        enqueue_on_commit(estimate_audiences.name, [batch])


@shared_task(name="intelligence.tasks.estimate_audience", ignore_result=True)
def estimate_audience(profile_id: int) -> None:
    """One creator's audience estimates now (returns quietly if the creator is gone)."""
    from intelligence.audience import estimate_profile

    estimate_profile(profile_id)
