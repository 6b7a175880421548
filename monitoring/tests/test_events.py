"""publish(): JSON-safe payloads, never raising, and what the platform publishes by itself."""

from __future__ import annotations

import asyncio
import datetime
import decimal
import os
import uuid

import pybreaker
import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from monitoring import metrics, store
from monitoring.events import GROUP, publish
from scraping.models import SystemLog


@pytest.fixture
def listen(settings):
    """Join the monitor group on this run's Redis (private prefix); returns a function draining it."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"asgi-events-{uuid.uuid4().hex[:8]}"},
        }
    }
    layer = get_channel_layer()
    channel = f"monitoring-events-test-{uuid.uuid4().hex}"
    async_to_sync(layer.group_add)(GROUP, channel)

    async def drain():
        out = []
        while True:
            try:
                out.append(await asyncio.wait_for(layer.receive(channel), timeout=0.3))
            except TimeoutError:
                return out

    return lambda: async_to_sync(drain)()


def test_payload_with_datetimes_and_decimals_is_sent_as_json(listen):
    when = datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC)
    publish("scrape_run.finished", {"id": 1, "finished_at": when, "cost": decimal.Decimal("0.0125")})
    [message] = listen()
    assert message["event"] == "scrape_run.finished"
    assert message["data"] == {"id": 1, "finished_at": "2026-11-21T09:00:00Z", "cost": "0.0125"}


def test_publish_never_raises_when_the_channel_layer_is_down(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]}}
    }
    publish("scrape_run.started", {"id": 1})  # logs a warning, returns


@pytest.mark.django_db(transaction=True)
def test_new_error_log_lines_are_pushed_after_commit_and_info_lines_are_not(listen):
    with transaction.atomic():
        SystemLog.objects.create(level="error", source="scraping.reddit", message="HTTP 503 from r/python")
        SystemLog.objects.create(level="info", source="scraping.reddit", message="fetched 25 posts")
        assert listen() == []  # nothing before commit
    [message] = listen()
    assert message["event"] == "log"
    assert message["data"]["level"] == "error" and message["data"]["message"] == "HTTP 503 from r/python"


def test_breaker_listener_records_state_and_pushes_the_change(listen):
    breaker = pybreaker.CircuitBreaker(fail_max=1, reset_timeout=60, listeners=[metrics.BreakerListener("reddit")])

    def fail():
        raise OSError("upstream down")

    with pytest.raises((OSError, pybreaker.CircuitBreakerError)):
        breaker.call(fail)
    store.flush()
    assert metrics.BREAKER_STATE.values() == {("reddit",): 2.0}
    assert [(m["event"], m["data"]) for m in listen()] == [("breaker.changed", {"name": "reddit", "state": "open"})]


@pytest.mark.django_db(transaction=True)
def test_scrape_runs_announce_start_and_finish_once_each(listen):
    from scraping.models import ScrapeRun

    # Given a run created running (as scraping.collect does), saved with progress, then finished
    run = ScrapeRun.objects.create(kind="subreddit", target="python", status="running")
    run.items_scraped = 10
    run.save()
    run.status, run.api_calls = "succeeded", 3
    run.save()
    ScrapeRun.objects.get(pk=run.pk).save()  # re-saving a loaded, finished run says nothing new

    messages = listen()
    assert [m["event"] for m in messages] == ["scrape_run.started", "scrape_run.finished"]
    assert messages[1]["data"]["status"] == "succeeded" and messages[1]["data"]["api_calls"] == 3
    assert messages[1]["data"]["target"] == "python"


@pytest.mark.django_db(transaction=True)
def test_finished_ai_batches_are_announced(listen):
    from intelligence.models import AnalysisBatch

    batch = AnalysisBatch.objects.create(kind="posts", requested=64)
    batch.processed, batch.failed, batch.status = 63, 1, "partial"
    batch.save()

    [message] = listen()
    assert message["event"] == "ai_batch.finished"
    assert message["data"]["processed"] == 63 and message["data"]["status"] == "partial"
