"""Building the embedded backend's trained parts, in the background worker, with progress.

Three parts, quickest first: the category head (``category_head.py``; embeds ~1,800 weakly
labelled rows and fits six logistic regressions, seconds), the multilingual sentiment head
(``sentiment_multilingual.py``; embeds 13,000 rated sentences with USE, a minute or two), then
the English sentiment branch (``sentiment_head.py``; fine-tuning, minutes).

``make run`` no longer waits for training: the worker sends ``intelligence.tasks.build_models``
when it starts (if the model is missing), VADER answers sentiment meanwhile, and once the file
lands the registry reloads and ``analyze_pending`` re-queues every post the stand-in analysed (its
``ai_model_version`` differs). Progress goes to the worker log and to an ``AnalysisBatch`` row of
kind ``models`` (requested = training steps, processed = steps done), which the monitor shows.
Only one build runs at a time (a cache lock), however many workers start together. The lock is a
lease renewed at every progress report, so a build whose worker was killed frees it within
``LOCK_SECONDS`` instead of keeping every later build out for hours.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from intelligence.models import AnalysisBatch

logger = logging.getLogger(__name__)

LOCK_KEY = "intelligence:build-models"
# The lease: every part reports progress at least every few seconds (encoding chunks, training
# steps), so ten minutes without a report means the building process is gone.
LOCK_SECONDS = 10 * 60
# Write the batch row and a log line at most this often (seconds) during training.
REPORT_EVERY = 5.0


def sentiment_head_path() -> Path:
    from intelligence.analyzers.embedded import MINILM_NAME
    from intelligence.analyzers.sentiment_head import head_file

    return head_file(Path(settings.AI_ARTIFACTS_DIR), MINILM_NAME)


def category_head_path() -> Path:
    from intelligence.analyzers.embedded import category_head_path as path
    from intelligence.conf import ai_config

    return path(ai_config())


def multilingual_head_path() -> Path:
    from intelligence.analyzers import sentiment_multilingual, use_encoder

    return sentiment_multilingual.head_file(Path(settings.AI_ARTIFACTS_DIR), use_encoder.NAME)


def model_paths() -> list[Path]:
    return [category_head_path(), multilingual_head_path(), sentiment_head_path()]


def needs_build() -> bool:
    """Whether the embedded backend is configured and one of its trained models is not built yet."""
    return settings.AI_BACKEND == "embedded" and not all(p.exists() for p in model_paths())


class Progress:
    """``(step, total)`` callback: logs and updates the batch row, at most every few seconds."""

    def __init__(
        self,
        batch: AnalysisBatch,
        echo: Callable[[str], None] | None = None,
        what: str = "sentiment model",
        lease: str | None = None,
    ) -> None:
        self.batch = batch
        self.echo = echo
        self.what = what
        self.lease = lease
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, step: int, total: int) -> None:
        now = time.monotonic()
        if step < total and now - self.last < REPORT_EVERY:
            return
        self.last = now
        elapsed = now - self.started
        eta = elapsed / step * (total - step) if step else 0
        line = f"{self.what}: training step {step}/{total} ({100 * step // total} %), about {eta:.0f} s left"
        logger.info(line)
        if self.echo:
            self.echo(line)
        AnalysisBatch.objects.filter(pk=self.batch.pk).update(requested=total, processed=step)
        if self.lease:
            renew_lease(self.lease)


def take_lease() -> str | None:
    """The build lock (one process at a time writes model files: a build or a retrain), or ``None``."""
    token = uuid.uuid4().hex
    return token if cache.add(LOCK_KEY, token, LOCK_SECONDS) else None


def release_lease(token: str) -> None:
    if cache.get(LOCK_KEY) == token:
        cache.delete(LOCK_KEY)


def renew_lease(token: str) -> None:
    """Extend the build lock by ``LOCK_SECONDS`` if this build (``token``) still holds it."""
    if cache.get(LOCK_KEY) == token:
        cache.touch(LOCK_KEY, LOCK_SECONDS)


def build_models(force: bool = False, echo: Callable[[str], None] | None = None) -> dict:
    """Build what is missing (everything with ``force``); returns a summary.

    ``{"built": bool, "path": str, "category_path": str, "seconds": float}``, or
    ``{"built": False, "busy": True}`` when another process holds the build lock.
    """
    path, category_path, multilingual_path = sentiment_head_path(), category_head_path(), multilingual_head_path()
    if all(p.exists() for p in model_paths()) and not force:
        return {"built": False, "path": str(path), "category_path": str(category_path), "seconds": 0.0}
    token = take_lease()
    if token is None:
        logger.info("embedded models: another process is building them")
        return {"built": False, "busy": True, "path": str(path), "category_path": str(category_path)}
    started = time.monotonic()
    parts = [
        ("category model", category_path, _build_category),
        ("multilingual sentiment model", multilingual_path, _build_multilingual),
        ("sentiment model", path, _build_sentiment),
    ]
    failed: list[Exception] = []
    try:
        for what, part_path, build in parts:
            if force or not part_path.exists():
                try:
                    _build_one(what, part_path, build, force, echo, token)
                except Exception as exc:  # one part failing must not keep the others from landing
                    logger.exception("%s: build failed", what)
                    failed.append(exc)
    finally:
        release_lease(token)
    if failed:
        raise failed[0]
    seconds = round(time.monotonic() - started, 1)
    return {"built": True, "path": str(path), "category_path": str(category_path), "seconds": seconds}


def _build_category(force: bool, progress: Progress) -> None:
    from intelligence.analyzers import category_head, use_encoder
    from intelligence.conf import ai_config

    config = ai_config()
    encoder = use_encoder.get_encoder(config.num_threads)
    category_head.build_head(
        Path(settings.AI_ARTIFACTS_DIR),
        encoder.encode,
        list(config.category_labels()),
        use_encoder.NAME,
        force,
        progress=progress,
    )


def _build_multilingual(force: bool, progress: Progress) -> None:
    from intelligence.analyzers import sentiment_multilingual, use_encoder
    from intelligence.conf import ai_config

    encoder = use_encoder.get_encoder(ai_config().num_threads)
    sentiment_multilingual.build_head(
        Path(settings.AI_ARTIFACTS_DIR), encoder.encode, use_encoder.NAME, force, progress=progress
    )


def _build_sentiment(force: bool, progress: Progress) -> None:
    from intelligence.analyzers import embedded
    from intelligence.analyzers.sentiment_head import build_head
    from intelligence.conf import content_embeddings

    build_head(
        Path(settings.AI_ARTIFACTS_DIR), content_embeddings().encoder, embedded.MINILM_NAME, force, progress=progress
    )


def _build_one(
    what: str,
    path: Path,
    build: Callable[[bool, Progress], None],
    force: bool,
    echo: Callable[[str], None] | None,
    lease: str | None = None,
) -> None:
    """One model: an ``AnalysisBatch`` row the monitor shows, progress lines, and a registry reset
    when it lands (so the analyzers that answered in its place are replaced)."""
    from intelligence.analyzers.registry import reset

    started = time.monotonic()
    batch = AnalysisBatch.objects.create(kind=AnalysisBatch.Kind.MODELS, backend="embedded", model_version=path.name)
    logger.info("%s: building %s", what, path)
    if echo:
        echo(f"{what}: building {path}")
    try:
        build(force, Progress(batch, echo, what, lease))
    except Exception as exc:
        finish_batch(
            batch, AnalysisBatch.Status.FAILED, started, [{"id": None, "error": f"{type(exc).__name__}: {exc}"}]
        )
        raise
    finish_batch(batch, AnalysisBatch.Status.DONE, started)
    _release_memory()  # the next part starts from a trimmed heap, not from this one's leftovers
    reset()  # analyzers loaded before the model existed would keep answering with the stand-in
    logger.info("%s: built in %.0f s; posts analysed without it will be re-analysed", what, time.monotonic() - started)
    if echo:
        echo(f"{what}: built in {time.monotonic() - started:.0f} s")


def _release_memory() -> None:
    from intelligence.analyzers.memory import release_memory

    release_memory()


def finish_batch(batch: AnalysisBatch, status: str, started: float, errors: list | None = None) -> None:
    batch.status = status
    batch.finished_at = timezone.now()
    batch.duration_seconds = round(time.monotonic() - started, 1)
    batch.errors = errors or []
    if status == AnalysisBatch.Status.DONE:
        batch.processed = batch.requested
    batch.save(update_fields=["status", "finished_at", "duration_seconds", "errors", "processed"])
