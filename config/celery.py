"""The Celery application: settings come from Django's (``CELERY_*``), tasks from every app.

Every task is a ``config.celery.Task`` (``task_cls``): it gets the soft and hard time limits of the
queue ``CELERY_TASK_ROUTES`` sends it to (``CELERY_TASK_TIME_LIMITS``), and retries a
``config.http.TransientError`` by itself, with exponential backoff and full jitter, the upstream's
Retry-After when it named one; a ``PermanentError`` fails the task at once (Saleor, healthchecks).
Work is handed to a worker with ``enqueue_on_commit``, by task name, after the transaction commits.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import celery
from celery import Celery
from django.db import transaction
from kombu.exceptions import OperationalError
from prometheus_client import Counter

from config.http import TransientError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)
# In this process's prometheus_client registry (/metrics): the shared store lives in the same Redis.
ENQUEUE_FAILURES = Counter("creatorscope_enqueue_failures", "Tasks that could not be sent (broker unreachable).")


class Task(celery.Task):
    """The base of every task: per-queue time limits and declarative retries of transient errors."""

    autoretry_for = (TransientError,)
    # 60 s, then up to 120 s and 240 s (full jitter): an upstream that failed after the transport's
    # own retries needs minutes, not seconds, to recover.
    retry_backoff = 60
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 3

    @classmethod
    def on_bound(cls, app: Celery) -> None:
        # A limit given on the task itself wins; otherwise its queue's, from the routes.
        route = app.amqp.router.route({}, cls.name)
        queue = getattr(route.get("queue"), "name", None) or app.conf.task_default_queue
        soft, hard = app.conf.task_time_limits[queue]
        if cls.soft_time_limit is None:
            cls.soft_time_limit = soft
        if cls.time_limit is None:
            cls.time_limit = hard

    def retry(self, *args: Any, exc: BaseException | None = None, countdown: float | None = None, **options: Any):
        # The upstream's Retry-After (an open circuit's reset timeout) is the least wait worth trying.
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            countdown = max(countdown or 0, retry_after)
        return super().retry(*args, exc=exc, countdown=countdown, **options)


app = Celery("creatorscope", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _load_beat_schedule(sender: Celery, **kwargs) -> None:
    # Imported here, not at module top, so the schedule module may reference task names only.
    from config.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE


def enqueue_on_commit(
    name: str, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None, **options: Any
) -> None:
    """Send task ``name`` once the current transaction commits (at once outside a transaction).

    After commit, so the worker finds the rows the caller wrote; by name, so an app hands work to
    another app's worker without importing its task module (the arrows between apps stay one-way
    and the web process never imports torch or the scrapers). ``options`` are ``send_task``'s.
    """
    args, kwargs = list(args), dict(kwargs or {})
    transaction.on_commit(lambda: send(name, args, kwargs, **options))


def send(name: str, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None, **options: Any) -> bool:
    """Send task ``name`` now; ``False`` (counted and logged) when the broker cannot take it.

    The rows the caller committed stay: the beat sweeps that look for work by its rows (pending
    posts, due targets, missing media, stale lookups) pick it up once the broker is back, so a
    broker outage delays the work instead of answering 500 after the data is already saved.
    """
    # Results are off (CELERY_TASK_IGNORE_RESULT), but send_task only reads that from the options: without
    # it, it subscribes to the result backend first, which fails on its own while Redis is down.
    options.setdefault("ignore_result", app.conf.task_ignore_result)
    try:
        app.send_task(name, args=list(args), kwargs=dict(kwargs or {}), **options)
    except OperationalError as exc:
        ENQUEUE_FAILURES.inc()
        logger.warning("broker unreachable, %s not queued (queued later by its sweep): %s", name, exc)
        return False
    return True
