"""Background tasks of the media app (thin: arguments in, call a function)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="media.tasks.backfill_missing", ignore_result=True)
def backfill_missing(limit: int = 200) -> None:
    """Periodic safety net: retry post media and avatars that still have no stored asset."""
    from media.pipeline import backfill

    backfill(limit=limit)
