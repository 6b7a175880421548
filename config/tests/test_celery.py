"""The base task class: time limits per queue, declarative retries, enqueue after commit, row claims."""

from __future__ import annotations

import base64
import json

import pytest
import redis
from celery import signals
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from config import http
from config.celery import app, enqueue_on_commit
from config.claims import claim
from profiles.models import Community
from tests.factories import CommunityFactory


@app.task(name="config.tests.fetch_status")
def fetch_status(url: str) -> int:
    """A task doing outbound I/O the way every task does: through the transport."""
    response = http.send("GET", url, timeout=(1, 1))
    http.check_status(response)
    return response.status_code


@pytest.fixture
def retries():
    """The countdown of every retry a task asks for (``Retry.when``)."""
    seen: list[float] = []

    def record(sender=None, reason=None, **kwargs):
        seen.append(reason.when)

    signals.task_retry.connect(record, weak=False)
    yield seen
    signals.task_retry.disconnect(record)


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("scraping.tasks.scrape_community", "scraping"),
        ("intelligence.tasks.analyze_posts", "ai"),
        ("posts.tasks.download_post_media", "media"),
        ("profiles.tasks.download_avatar", "media"),
        ("monitoring.tasks.evaluate_alerts", "default"),
        ("profiles.tasks.bulk_edit", "default"),
    ],
)
def test_every_task_gets_the_time_limits_of_its_queue(task_name, queue):
    app.loader.import_default_modules()
    task = app.tasks[task_name]

    assert (task.soft_time_limit, task.time_limit) == settings.CELERY_TASK_TIME_LIMITS[queue]
    assert task.soft_time_limit < task.time_limit


def test_every_queue_has_time_limits():
    queues = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert queues == set(settings.CELERY_TASK_TIME_LIMITS)


def test_a_transient_error_is_retried_with_backoff(scripted, retries):
    server = scripted(503, 200)

    result = fetch_status.apply(args=[server.url])

    assert result.get() == 200
    assert server.hits == 2
    # Full jitter under the first backoff step.
    assert len(retries) == 1 and 0 <= retries[0] <= fetch_status.retry_backoff


def test_retry_after_from_the_upstream_is_the_least_countdown(scripted, retries):
    server = scripted(503, 200, retry_after="90")

    assert fetch_status.apply(args=[server.url]).get() == 200

    assert retries == [90]


def test_a_permanent_error_is_not_retried(scripted, retries):
    server = scripted(404, 200)

    result = fetch_status.apply(args=[server.url])

    assert result.failed() and isinstance(result.result, http.PermanentError)
    assert server.hits == 1 and retries == []


def test_retries_stop_after_max_retries(scripted, retries):
    server = scripted(503)

    result = fetch_status.apply(args=[server.url])

    assert result.failed() and isinstance(result.result, http.TransientError)
    assert server.hits == fetch_status.max_retries + 1 == 4


@pytest.mark.django_db
def test_enqueue_on_commit_sends_by_name_to_the_routed_queue_after_commit(django_capture_on_commit_callbacks):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("ai")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit("intelligence.tasks.analyze_posts", [[1, 2]])
    assert broker.llen("ai") == 0  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    messages = [json.loads(raw) for raw in broker.lrange("ai", 0, -1)]
    broker.delete("ai")
    assert [m["headers"]["task"] for m in messages] == ["intelligence.tasks.analyze_posts"]
    assert json.loads(base64.b64decode(messages[0]["body"]))[0] == [[1, 2]]


@pytest.mark.django_db
def test_a_claimed_row_is_not_claimed_again():
    first, second = CommunityFactory(), CommunityFactory()
    unclaimed = Q(next_scrape_at__isnull=True)
    lease = {"next_scrape_at": timezone.now()}

    taken = claim(Community.objects.order_by("pk"), unclaimed, limit=1, **lease)
    again = claim(Community.objects.order_by("pk"), unclaimed, **lease)

    assert taken == [first.pk] and again == [second.pk]
    assert claim(Community.objects.all(), unclaimed, **lease) == []
