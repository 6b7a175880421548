"""Alert rules at the brief's thresholds, raised once per incident, stored, pushed and POSTed."""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from monitoring import alerts, collector, metrics, store
from monitoring.events import GROUP
from monitoring.models import Alert
from scraping.models import Scraper


class Webhook:
    """A local HTTP endpoint that records what is POSTed to it; answers ``statuses`` first, then 204."""

    def __init__(self, statuses: tuple[int, ...] = ()) -> None:
        received = self.received = []
        answers = list(statuses)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(answers.pop(0) if answers else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def webhook(settings):
    hook = Webhook()
    settings.MONITORING_ALERT_WEBHOOK = hook.url
    yield hook
    hook.close()


@pytest.fixture
def layer(settings):
    # A private prefix on this run's Redis: group messages from other tests never arrive here.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"asgi-alerts-{uuid.uuid4().hex[:8]}"},
        }
    }
    layer = get_channel_layer()
    # A plain (not process-specific) channel name: each drain below runs in a new event loop.
    channel = f"monitoring-alerts-test-{uuid.uuid4().hex}"
    async_to_sync(layer.group_add)(GROUP, channel)

    def drain() -> list[dict]:
        out = []
        while True:
            try:
                out.append(async_to_sync(_receive_now)(layer, channel))
            except TimeoutError:
                return out

    return drain


async def _receive_now(layer, channel):
    import asyncio

    return await asyncio.wait_for(layer.receive(channel), timeout=0.2)


def firing_rules(**resources) -> set[str]:
    store.flush()
    traffic = collector.traffic(300)
    return {
        c.key
        for c in alerts.conditions(traffic, collector.scrapers(), resources or {"cpu": 10.0}, collector.breakers())
    }


@pytest.mark.django_db
def test_quiet_platform_fires_nothing_and_scores_100():
    assert firing_rules() == set()
    assert alerts.health_score([]) == 100


@pytest.mark.django_db
def test_error_rate_above_5_percent_fires_and_at_5_percent_does_not():
    metrics.HTTP_REQUESTS.labels(status="2xx").inc(95)
    metrics.HTTP_REQUESTS.labels(status="5xx").inc(5)
    assert "error_rate" not in firing_rules()
    metrics.HTTP_REQUESTS.labels(status="5xx").inc(1)
    assert "error_rate" in firing_rules()


@pytest.mark.django_db
def test_p95_response_time_above_5_seconds_fires():
    for _ in range(18):
        metrics.HTTP_LATENCY.observe(0.05)
    metrics.HTTP_REQUESTS.labels(status="2xx").inc(20)
    metrics.HTTP_LATENCY.observe(4.0)
    metrics.HTTP_LATENCY.observe(4.0)
    assert "response_time" not in firing_rules()
    for _ in range(4):
        metrics.HTTP_LATENCY.observe(20.0)
    assert "response_time" in firing_rules()


@pytest.mark.django_db
def test_ai_failures_cache_hit_rate_and_resources_thresholds():
    metrics.AI_POSTS.labels(outcome="ok").inc(90)
    metrics.AI_POSTS.labels(outcome="failed").inc(11)
    metrics.CACHE_LOOKUPS.labels(result="hit").inc(79)
    metrics.CACHE_LOOKUPS.labels(result="miss").inc(21)
    fired = firing_rules(cpu=50.0, memory=86.0, disk=85.0)
    assert {"ai_failures", "cache_hit_rate", "resources:memory"} <= fired
    assert "resources:disk" not in fired and "resources:cpu" not in fired


@pytest.mark.django_db
def test_too_few_samples_do_not_alert():
    metrics.HTTP_REQUESTS.labels(status="5xx").inc(3)  # 100 % errors, but only 3 requests
    metrics.CACHE_LOOKUPS.labels(result="miss").inc(3)
    assert firing_rules() == set()


@pytest.mark.django_db
def test_stale_heartbeat_of_a_running_scraper_fires(settings):
    now = timezone.now()
    Scraper.objects.create(
        name="reddit-hot", upstream="reddit", status="running", heartbeat_at=now - timedelta(minutes=10)
    )
    Scraper.objects.create(name="reddit-new", upstream="reddit", status="running", heartbeat_at=now)
    Scraper.objects.create(name="ig-idle", upstream="instagram", status="idle", heartbeat_at=None)
    assert firing_rules() == {"scraper_stale:reddit-hot"}


@pytest.mark.django_db
def test_an_incident_is_raised_once_stored_pushed_and_posted_then_resolved(webhook, layer):
    stale = alerts.Condition("scraper_stale", "reddit-hot", "critical", "scraper reddit-hot is stale", 600, 300)

    # When the rule fires on three evaluations in a row
    raised, _ = alerts.evaluate([stale])
    again, _ = alerts.evaluate([stale])
    alerts.evaluate([stale])

    # Then one alert exists, pushed once and POSTed once
    assert len(raised) == 1 and again == []
    alert = Alert.objects.get()
    assert alert.key == "scraper_stale:reddit-hot" and alert.resolved_at is None
    assert alert.notified_at is not None and alert.notify_error == ""
    events = layer()
    assert [e["event"] for e in events] == ["alert"]
    assert events[0]["data"]["message"] == "scraper reddit-hot is stale"
    assert [body["status"] for body in webhook.received] == ["firing"]

    # When it clears, it is resolved once; a new breach is a new incident
    _, resolved = alerts.evaluate([])
    assert [a.pk for a in resolved] == [alert.pk]
    assert alerts.evaluate([]) == ([], [])
    alerts.evaluate([stale])
    assert Alert.objects.count() == 2
    assert Alert.objects.open().count() == 1
    assert [e["event"] for e in layer()] == ["alert.resolved", "alert"]
    assert [body["status"] for body in webhook.received] == ["firing", "resolved", "firing"]


@pytest.mark.django_db
def test_webhook_failure_is_recorded_and_does_not_stop_the_alert(settings):
    settings.MONITORING_ALERT_WEBHOOK = "http://127.0.0.1:9/unreachable"
    settings.MONITORING_WEBHOOK_TIMEOUT = 0.5
    alerts.evaluate([alerts.Condition("error_rate", "", "critical", "too many errors", 0.2, 0.05)])
    alert = Alert.objects.get()
    assert alert.notified_at is None
    assert alert.notify_error


def test_health_score_takes_30_per_critical_and_10_per_warning():
    c = alerts.Condition
    assert alerts.health_score([c("a", "", "critical", ""), c("b", "", "warning", "")]) == 60
    assert alerts.health_score([c(str(i), "", "critical", "") for i in range(5)]) == 0


@pytest.mark.django_db
def test_unreachable_broker_is_a_critical_condition():
    fired = alerts.conditions(collector.traffic(60), [], {}, {}, {"default": None, "scraping": None})
    assert [(c.key, c.severity) for c in fired] == [("broker_down", "critical")]


@pytest.mark.django_db
def test_staff_browse_alerts_in_admin(admin_client):
    Alert.objects.create(key="error_rate", rule="error_rate", severity="critical", message="too many errors")
    response = admin_client.get("/admin/monitoring/alert/")
    assert response.status_code == 200
    assert "too many errors" in response.content.decode()
