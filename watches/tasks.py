"""Background tasks of the watches app (thin: ids in, call a function, return quietly if gone)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from config.http import PermanentError, TransientError


@shared_task(name="watches.tasks.evaluate", ignore_result=True)
def evaluate(kind: str, target_id: int, post_ids: list[int]) -> None:
    """The events one ingest of a creator or subreddit raised for the users watching it."""
    from watches.events import evaluate as run

    run(kind, target_id, post_ids)


@shared_task(name="watches.tasks.deliver", ignore_result=True)
def deliver(user_id: int) -> None:
    """Send a user's new events by e-mail and webhook (at once, or as their digest)."""
    from watches.delivery import deliver as run

    run(user_id)


@shared_task(name="watches.tasks.send_digests", ignore_result=True)
def send_digests() -> None:
    """Beat: the hourly and daily digests that are due."""
    from watches.delivery import send_digests as run

    run()


@shared_task(bind=True, name="watches.tasks.send_webhook", ignore_result=True, autoretry_for=())
def send_webhook(self, user_id: int, event_ids: list[int]) -> None:
    """POST events to the user's webhook; a transient failure is retried with exponential backoff and
    jitter (``WATCHES_WEBHOOK_BACKOFF`` × 2^n seconds, ``WATCHES_WEBHOOK_ATTEMPTS`` tries), then the
    events are marked failed in the inbox; a permanent one (4xx, refused address) at once."""
    from celery.utils.time import get_exponential_backoff_interval

    from watches.delivery import post_webhook, webhook_failed

    try:
        post_webhook(user_id, event_ids)
    except TransientError as exc:
        if self.request.retries + 1 >= settings.WATCHES_WEBHOOK_ATTEMPTS:
            webhook_failed(event_ids, f"{exc} (after {self.request.retries + 1} attempts)")
            return
        countdown = get_exponential_backoff_interval(
            settings.WATCHES_WEBHOOK_BACKOFF, self.request.retries, maximum=3600, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown, max_retries=settings.WATCHES_WEBHOOK_ATTEMPTS) from exc
    except PermanentError as exc:
        webhook_failed(event_ids, str(exc))
