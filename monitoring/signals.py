"""Signal handlers: Celery task metrics and log context; live events derived from rows.

New error lines in the system log, scrape runs starting and finishing, and AI batches finishing are
pushed to the monitor from the rows themselves, so every code path that records them reports once.

Connected in ``MonitoringConfig.ready()``, so they are active in the web process and in every
Celery worker (which set up Django through ``config.celery``).
"""

from __future__ import annotations

import time

from celery import signals as celery_signals
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from monitoring import metrics
from monitoring.events import publish
from monitoring.logcontext import task_id_var

_LEVELS = ["debug", "info", "warning", "error", "critical"]
_started: dict[str, tuple[float, object]] = {}


def _task_name(sender, task=None) -> str:
    return getattr(task or sender, "name", None) or str(sender)


def task_prerun(task_id=None, task=None, **kwargs) -> None:
    _started[task_id] = (time.perf_counter(), task_id_var.set(task_id or ""))


def task_postrun(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None)
    if started is None:
        return
    elapsed, token = time.perf_counter() - started[0], started[1]
    name = _task_name(task)
    metrics.TASK_LATENCY.labels(task=name).observe(elapsed)
    # RETRY is counted by task_retry; FAILURE by task_failure (it also fires for tasks that raised).
    if state == "SUCCESS":
        metrics.TASKS.labels(task=name, state="succeeded").inc()
    try:
        task_id_var.reset(token)
    except ValueError:
        # A thread pool may finish the task in another context than the one that started it.
        task_id_var.set("")


def task_failure(sender=None, **kwargs) -> None:
    metrics.TASKS.labels(task=_task_name(sender), state="failed").inc()


def task_retry(sender=None, **kwargs) -> None:
    metrics.TASKS.labels(task=_task_name(sender), state="retried").inc()


def system_log_saved(sender, instance, created: bool, **kwargs) -> None:
    """Push new lines at or above MONITORING_LOG_EVENT_LEVEL to the monitor once they are committed."""
    if not created or instance.level not in _LEVELS:
        return
    if _LEVELS.index(instance.level) < _LEVELS.index(settings.MONITORING_LOG_EVENT_LEVEL):
        return
    payload = {
        "id": instance.pk,
        "created_at": instance.created_at,
        "level": instance.level,
        "source": instance.source,
        "message": instance.message[:2000],
        "scrape_run": instance.scrape_run_id,
    }
    transaction.on_commit(lambda: publish("log", payload))


_FINAL_RUN_STATES = {"succeeded", "partial", "failed", "cancelled"}


def remember_status(sender, instance, **kwargs) -> None:
    # The status as loaded, so a save can tell a change of status from a progress update.
    instance._monitor_status = instance.status


def scrape_run_saved(sender, instance, created: bool, **kwargs) -> None:
    """``scrape_run.started`` / ``scrape_run.finished`` when a run's status moves (after commit).

    Derived from the row, so every way of running a scrape (task, command, admin) is reported once.
    """
    before = None if created else getattr(instance, "_monitor_status", None)
    instance._monitor_status = instance.status
    if instance.status == before:
        return
    if instance.status == "running":
        event = "scrape_run.started"
    elif instance.status in _FINAL_RUN_STATES:
        event = "scrape_run.finished"
    else:
        return
    payload = {
        "id": instance.pk,
        "scraper": instance.scraper_id,
        "kind": instance.kind,
        "target": instance.target,
        "status": instance.status,
        "items_scraped": instance.items_scraped,
        "created": instance.created,
        "updated": instance.updated,
        "errors": instance.errors,
        "api_calls": instance.api_calls,
        "estimated_cost": instance.estimated_cost,
        "duration_seconds": instance.duration_seconds,
        "error_message": instance.error_message[:300],
    }
    transaction.on_commit(lambda: publish(event, payload))


def analysis_batch_saved(sender, instance, created: bool, **kwargs) -> None:
    """``ai_batch.finished`` when an intelligence batch reaches done / partial / failed (after commit)."""
    before = None if created else getattr(instance, "_monitor_status", None)
    instance._monitor_status = instance.status
    if instance.status == before or instance.status not in ("done", "partial", "failed"):
        return
    payload = {
        "id": instance.pk,
        "kind": instance.kind,
        "status": instance.status,
        "backend": instance.backend,
        "model_version": instance.model_version,
        "requested": instance.requested,
        "processed": instance.processed,
        "failed": instance.failed,
        "skipped": instance.skipped,
        "duration_seconds": instance.duration_seconds,
    }
    transaction.on_commit(lambda: publish("ai_batch.finished", payload))


def asset_saved(sender, instance, created: bool, **kwargs) -> None:
    """Count what compression saved when a new asset is stored (media itself imports none of our apps)."""
    if created and instance.bytes_original is not None and instance.bytes_stored is not None:
        saved = max(0, instance.bytes_original - instance.bytes_stored)
        transaction.on_commit(lambda: metrics.MEDIA_BYTES_SAVED.inc(saved))


def connect() -> None:
    from django.db.models.signals import post_init

    from intelligence.models import AnalysisBatch
    from media.models import Asset
    from scraping.models import ScrapeRun, SystemLog

    for model, saved in ((ScrapeRun, scrape_run_saved), (AnalysisBatch, analysis_batch_saved)):
        post_init.connect(remember_status, sender=model, dispatch_uid=f"monitoring.loaded.{model.__name__}")
        post_save.connect(saved, sender=model, dispatch_uid=f"monitoring.saved.{model.__name__}")

    celery_signals.task_prerun.connect(task_prerun, weak=False, dispatch_uid="monitoring.task_prerun")
    celery_signals.task_postrun.connect(task_postrun, weak=False, dispatch_uid="monitoring.task_postrun")
    celery_signals.task_failure.connect(task_failure, weak=False, dispatch_uid="monitoring.task_failure")
    celery_signals.task_retry.connect(task_retry, weak=False, dispatch_uid="monitoring.task_retry")
    post_save.connect(system_log_saved, sender=SystemLog, dispatch_uid="monitoring.system_log_saved")
    post_save.connect(asset_saved, sender=Asset, dispatch_uid="monitoring.asset_saved")
