"""Building the embedded backend's trained parts, in the background worker, with progress.

``make run`` no longer waits for training: the worker sends ``intelligence.tasks.build_models``
when it starts (if the model is missing), VADER answers sentiment meanwhile, and once the file
lands the registry reloads and ``analyze_pending`` re-queues every post the stand-in analysed (its
``ai_model_version`` differs). Progress goes to the worker log and to an ``AnalysisBatch`` row of
kind ``models`` (requested = training steps, processed = steps done), which the monitor shows.
Only one build runs at a time (a cache lock), however many workers start together.
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
LOCK_SECONDS = 2 * 60 * 60
# Write the batch row and a log line at most this often (seconds) during training.
REPORT_EVERY = 5.0


def sentiment_head_path() -> Path:
    from intelligence.analyzers.embedded import MINILM_NAME
    from intelligence.analyzers.sentiment_head import head_file

    return head_file(Path(settings.AI_ARTIFACTS_DIR), MINILM_NAME)


def needs_build() -> bool:
    """Whether the embedded backend is configured and its sentiment model is not built yet."""
    return settings.AI_BACKEND == "embedded" and not sentiment_head_path().exists()


class Progress:
    """``(step, total)`` callback: logs and updates the batch row, at most every few seconds."""

    def __init__(self, batch: AnalysisBatch, echo: Callable[[str], None] | None = None) -> None:
        self.batch = batch
        self.echo = echo
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, step: int, total: int) -> None:
        now = time.monotonic()
        if step < total and now - self.last < REPORT_EVERY:
            return
        self.last = now
        elapsed = now - self.started
        eta = elapsed / step * (total - step) if step else 0
        line = f"sentiment model: training step {step}/{total} ({100 * step // total} %), about {eta:.0f} s left"
        logger.info(line)
        if self.echo:
            self.echo(line)
        AnalysisBatch.objects.filter(pk=self.batch.pk).update(requested=total, processed=step)


def build_models(force: bool = False, echo: Callable[[str], None] | None = None) -> dict:
    """Build what is missing (everything with ``force``); returns a summary.

    ``{"built": bool, "path": str, "seconds": float}``, or ``{"built": False, "busy": True}``
    when another process holds the build lock.
    """
    from intelligence.analyzers import embedded
    from intelligence.analyzers.registry import reset
    from intelligence.analyzers.sentiment_head import build_head
    from intelligence.conf import content_embeddings

    path = sentiment_head_path()
    if path.exists() and not force:
        return {"built": False, "path": str(path), "seconds": 0.0}
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, LOCK_SECONDS):
        logger.info("sentiment model: another process is building it")
        return {"built": False, "busy": True, "path": str(path)}
    started = time.monotonic()
    batch = AnalysisBatch.objects.create(kind=AnalysisBatch.Kind.MODELS, backend="embedded", model_version=path.name)
    try:
        logger.info("sentiment model: building %s (fetches the rated sentences once, then trains)", path)
        if echo:
            echo(f"sentiment model: building {path} (a few minutes on two cores)")
        build_head(
            Path(settings.AI_ARTIFACTS_DIR),
            content_embeddings().encoder,
            embedded.MINILM_NAME,
            force,
            progress=Progress(batch, echo),
        )
    except Exception as exc:
        _finish(batch, AnalysisBatch.Status.FAILED, started, [{"id": None, "error": f"{type(exc).__name__}: {exc}"}])
        raise
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)
    _finish(batch, AnalysisBatch.Status.DONE, started)
    reset()  # analyzers loaded before the model existed would keep answering with VADER alone
    seconds = round(time.monotonic() - started, 1)
    logger.info("sentiment model: built in %.0f s; posts analysed without it will be re-analysed", seconds)
    return {"built": True, "path": str(path), "seconds": seconds}


def _finish(batch: AnalysisBatch, status: str, started: float, errors: list | None = None) -> None:
    batch.status = status
    batch.finished_at = timezone.now()
    batch.duration_seconds = round(time.monotonic() - started, 1)
    batch.errors = errors or []
    if status == AnalysisBatch.Status.DONE:
        batch.processed = batch.requested
    batch.save(update_fields=["status", "finished_at", "duration_seconds", "errors", "processed"])
