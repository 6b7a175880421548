"""The analysis pipeline: claim pending posts, run the analyzers, write the ai_* fields.

Backlog rules (STYLE.md "Backlogs"): posts are marked ``pending`` by ingestion or here (model
version changed), processed in bounded batches, and claimed with a conditional UPDATE
(``pending → processing``) so two workers never analyse the same post and running a task twice
is harmless. A claim older than ``AI_CLAIM_TIMEOUT`` belongs to a dead worker and is taken over.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.claims import claim
from intelligence.analyzers.registry import AnalyzerSet
from intelligence.conf import analyzers as current_analyzers
from intelligence.models import AnalysisBatch
from posts.models import AIStatus, Post

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 50


@dataclass
class BatchOutcome:
    """What one pipeline run did; also saved as an AnalysisBatch row."""

    processed: int = 0
    failed: int = 0
    skipped: int = 0
    profile_ids: set[int] = field(default_factory=set)
    errors: list[dict] = field(default_factory=list)


def _claimable(now) -> Q:
    stale = now - timedelta(seconds=settings.AI_CLAIM_TIMEOUT)
    return Q(ai_status=AIStatus.PENDING) | Q(ai_status=AIStatus.PROCESSING, ai_claimed_at__lt=stale)


def claim_posts(post_ids: Sequence[int] | None = None, limit: int | None = None) -> list[int]:
    """Move up to ``limit`` claimable posts (of ``post_ids`` if given) to processing; return their ids."""
    now = timezone.now()
    candidates = Post.objects.order_by("id")
    if post_ids is not None:
        candidates = candidates.filter(pk__in=list(post_ids))
    return claim(
        candidates,
        _claimable(now),
        limit=limit or settings.AI_PIPELINE_BATCH,
        ai_status=AIStatus.PROCESSING,
        ai_claimed_at=now,
    )


def mark_pending(queryset) -> int:
    """Put posts back in the backlog (a forced re-analysis); claimed ones are left to their worker."""
    return queryset.exclude(ai_status=AIStatus.PROCESSING).update(ai_status=AIStatus.PENDING)


def queue_outdated(model_version: str, limit: int = 5000) -> int:
    """Re-queue analysed posts whose stored model version is not the current one (bounded)."""
    ids = list(
        Post.objects.filter(ai_status__in=[AIStatus.DONE, AIStatus.FAILED])
        .exclude(ai_model_version=model_version)
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    return Post.objects.filter(pk__in=ids).exclude(ai_status=AIStatus.PROCESSING).update(ai_status=AIStatus.PENDING)


def renew_lease(batch: AnalysisBatch | None, post_ids: Sequence[int]) -> None:
    """Extend the claim on posts still waiting in this batch, and the batch's heartbeat.

    Called before each chunk, so a live worker's claims never age past ``AI_CLAIM_TIMEOUT`` while a
    dead worker's do within that timeout (the reaper then releases them).
    """
    now = timezone.now()
    if post_ids:
        Post.objects.filter(pk__in=list(post_ids), ai_status=AIStatus.PROCESSING).update(ai_claimed_at=now)
    if batch is not None and batch.pk:
        AnalysisBatch.objects.filter(pk=batch.pk).update(heartbeat_at=now)


def analyze_claimed(
    post_ids: Sequence[int], analyzer_set: AnalyzerSet, batch: AnalysisBatch | None = None
) -> BatchOutcome:
    """Analyse claimed posts in chunks of ``AI_BATCH_SIZE`` and write results; each chunk commits alone."""
    outcome = BatchOutcome()
    size = settings.AI_BATCH_SIZE
    for start in range(0, len(post_ids), size):
        renew_lease(batch, post_ids[start:])
        chunk = list(post_ids[start : start + size])
        posts = list(
            Post.objects.filter(pk__in=chunk, ai_status=AIStatus.PROCESSING).only(
                "id", "caption", "body", "hashtags", "author_id"
            )
        )
        outcome.skipped += len(chunk) - len(posts)
        if not posts:
            continue
        try:
            _analyze_chunk(posts, analyzer_set)
        except Exception as exc:  # keep the rest of the batch going; the error is on the batch row
            logger.exception("analysis of %d posts failed", len(posts))
            Post.objects.filter(pk__in=[p.pk for p in posts]).update(ai_status=AIStatus.FAILED, ai_claimed_at=None)
            outcome.failed += len(posts)
            outcome.errors.extend({"id": p.pk, "error": f"{type(exc).__name__}: {exc}"[:300]} for p in posts)
            _record_metrics("failed", len(posts))
            continue
        outcome.processed += len(posts)
        outcome.profile_ids.update(p.author_id for p in posts if p.author_id)
        _record_metrics("ok", len(posts))
    return outcome


def post_text(caption: str, body: str, hashtags: Iterable[str] | None) -> str:
    """Caption/title, self-text and any hashtags the caption itself does not already show."""
    text = "\n\n".join(part for part in (caption, body) if part)
    extra = [f"#{tag}" for tag in (hashtags or []) if f"#{tag}".lower() not in text.lower()]
    return f"{text} {' '.join(extra)}".strip() if extra else text


def _analyze_chunk(posts: list[Post], analyzer_set: AnalyzerSet) -> None:
    texts = [post_text(p.caption, p.body, p.hashtags) for p in posts]
    timings = {}
    started = time.perf_counter()
    sentiments = analyzer_set.sentiment.analyze(texts)
    timings["sentiment"] = time.perf_counter() - started
    started = time.perf_counter()
    languages = analyzer_set.language.analyze(texts)
    timings["language"] = time.perf_counter() - started
    started = time.perf_counter()
    categories = analyzer_set.category.analyze(texts)
    timings["category"] = time.perf_counter() - started
    version = analyzer_set.last_batch_version
    now = timezone.now()
    for post, text, s, lang, cat in zip(posts, texts, sentiments, languages, categories, strict=True):
        has_text = bool(text.strip())
        post.ai_sentiment = s.label if has_text else ""
        post.ai_sentiment_score = s.score if has_text else None
        post.ai_sentiment_confidence = s.confidence if has_text else None
        post.ai_language = lang.code if lang.code != "und" else ""
        post.ai_language_confidence = lang.confidence if post.ai_language else None
        post.ai_category = cat.category
        post.ai_category_confidence = cat.confidence if cat.category else None
        post.ai_category_distribution = cat.distribution
        post.ai_analyzed_at = now
        post.ai_model_version = version
        post.ai_status = AIStatus.DONE
        post.ai_claimed_at = None
    with transaction.atomic():
        Post.objects.bulk_update(posts, [*Post.AI_FIELDS, "ai_claimed_at"])
    _record_latency(timings, len(posts), analyzer_set)


def _record_metrics(outcome: str, n: int) -> None:
    try:
        from monitoring.metrics import AI_POSTS
    except ImportError:  # monitoring is optional for the worker
        return
    AI_POSTS.labels(outcome=outcome).inc(n)


def _record_latency(timings: dict[str, float], n: int, analyzer_set: AnalyzerSet) -> None:
    try:
        from monitoring.metrics import AI_INFERENCES, AI_LATENCY
    except ImportError:
        return
    for name, seconds in timings.items():
        analyzer = getattr(analyzer_set, name)
        outcome = "fallback" if analyzer.backend == "rules" and analyzer_set.backend != "rules" else "ok"
        AI_INFERENCES.labels(analyzer=name, outcome=outcome).inc(n)
        AI_LATENCY.labels(analyzer=name).observe(seconds)


def run_batch(
    post_ids: Sequence[int] | None = None,
    *,
    limit: int | None = None,
    backend: str | None = None,
    aggregate: bool = True,
) -> tuple[AnalysisBatch, bool]:
    """Claim, analyse, write and aggregate one bounded batch; record it as an AnalysisBatch.

    Returns the batch row and whether claimable posts remain (the task re-queues itself then).
    """
    from intelligence.aggregate import aggregate_profiles

    analyzer_set = current_analyzers(backend)
    started = time.perf_counter()
    claimed = claim_posts(post_ids, limit)
    batch = AnalysisBatch.objects.create(
        kind=AnalysisBatch.Kind.POSTS,
        backend=analyzer_set.backend,
        model_version=analyzer_set.model_version,
        requested=len(post_ids) if post_ids is not None else len(claimed),
    )
    outcome = analyze_claimed(claimed, analyzer_set, batch)
    if post_ids is not None:
        outcome.skipped = len(post_ids) - outcome.processed - outcome.failed
    if aggregate and outcome.profile_ids:
        aggregate_profiles(sorted(outcome.profile_ids), analyzer_set)
    finish_batch(batch, outcome, started)
    remaining = Post.objects.filter(_claimable(timezone.now()))
    if post_ids is not None:
        remaining = remaining.filter(pk__in=list(post_ids))
    return batch, remaining.exists()


def finish_batch(batch: AnalysisBatch, outcome: BatchOutcome, started: float) -> AnalysisBatch:
    batch.processed = outcome.processed
    batch.failed = outcome.failed
    batch.skipped = max(outcome.skipped, 0)
    batch.errors = outcome.errors[:MAX_ERRORS_KEPT]
    if outcome.failed and not outcome.processed:
        batch.status = AnalysisBatch.Status.FAILED
    elif outcome.failed:
        batch.status = AnalysisBatch.Status.PARTIAL
    else:
        batch.status = AnalysisBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.duration_seconds = round(time.perf_counter() - started, 4)
    batch.save()
    return batch


def run_pending(*, backend: str | None = None, max_batches: int | None = None) -> list[AnalysisBatch]:
    """Synchronously drain the backlog (``manage.py analyze --pending``), outdated posts included."""
    analyzer_set = current_analyzers(backend)
    queue_outdated(analyzer_set.model_version)
    batches = []
    while max_batches is None or len(batches) < max_batches:
        batch, more = run_batch(backend=backend)
        if not batch.requested:
            batch.delete()  # nothing was claimable: not a job worth a row
            break
        batches.append(batch)
        if not more:
            break
    return batches


def reap_orphans(now=None) -> tuple[list[int], int]:
    """Close batches whose worker died (``running``, no heartbeat for too long) and release their claims.

    A posts batch renews its heartbeat before every chunk, so one silent for ``AI_CLAIM_TIMEOUT`` is
    dead; other kinds do not beat, so they are given the ``ai`` queue's hard time limit, after which
    no worker can still be running them. Posts still claimed past ``AI_CLAIM_TIMEOUT`` go back to
    pending. Returns the closed batch ids and the number of posts released.
    """
    now = now or timezone.now()
    claim_stale = now - timedelta(seconds=settings.AI_CLAIM_TIMEOUT)
    hard_limit = settings.CELERY_TASK_TIME_LIMITS["ai"][1]
    silent = Q(kind=AnalysisBatch.Kind.POSTS, heartbeat_at__lt=claim_stale) | Q(
        heartbeat_at__lt=now - timedelta(seconds=hard_limit)
    )
    closed = []
    for batch in AnalysisBatch.objects.filter(silent, status=AnalysisBatch.Status.RUNNING):
        # Conditional, so a heartbeat that arrived meanwhile wins.
        if AnalysisBatch.objects.filter(silent, pk=batch.pk, status=AnalysisBatch.Status.RUNNING).update(
            status=AnalysisBatch.Status.FAILED,
            finished_at=now,
            duration_seconds=(now - batch.started_at).total_seconds(),
            errors=[*batch.errors, {"id": None, "error": "worker lost: no heartbeat, closed by the reaper"}][
                :MAX_ERRORS_KEPT
            ],
        ):
            closed.append(batch.pk)
            logger.warning("analysis batch %s closed: its worker stopped beating at %s", batch.pk, batch.heartbeat_at)
    released = Post.objects.filter(ai_status=AIStatus.PROCESSING, ai_claimed_at__lt=claim_stale).update(
        ai_status=AIStatus.PENDING, ai_claimed_at=None
    )
    return closed, released
