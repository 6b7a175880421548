"""A real Celery worker (a subprocess on Redis) runs a task whose event reaches a connected socket."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from monitoring import metrics
from monitoring.consumers import MonitorConsumer
from monitoring.models import Alert
from monitoring.tasks import evaluate_alerts
from scraping.models import Scraper
from tests.workers import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker():
    """``celery worker`` on a queue of its own, against the test database and this run's Redis."""
    queue = f"monitoring-test-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue, wait_ready=True, loglevel="info"):
        yield queue


def test_task_run_by_a_real_worker_pushes_an_alert_to_a_connected_socket(bob, worker, settings):
    settings.MONITORING_PUSH_INTERVAL = 60  # only the pushed event matters here
    Scraper.objects.create(
        name="reddit-hot", upstream="reddit", status="running", heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    async def scenario():
        communicator = WebsocketCommunicator(MonitorConsumer.as_asgi(), "/ws/monitor/")
        communicator.scope["user"] = bob
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from(timeout=10))["type"] == "metrics"
        # When the worker evaluates the alert rules
        evaluate_alerts.apply_async(queue=worker)
        # Then the alert it raises arrives on the socket
        while True:
            message = await communicator.receive_json_from(timeout=30)
            # (other rules may fire too on a busy machine, e.g. CPU use)
            if message["type"] == "alert" and message["data"]["rule"] == "scraper_stale":
                break
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    assert message["data"]["key"] == "scraper_stale:reddit-hot"
    assert Alert.objects.open().filter(key="scraper_stale:reddit-hot").count() == 1

    # And the worker's own task counter reached the shared store (flushed within a second)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        finished = metrics.TASKS.recent(60).get(("monitoring.tasks.evaluate_alerts", "succeeded"), 0)
        if finished:
            break
        time.sleep(0.2)
    assert finished == 1
