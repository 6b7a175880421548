"""Shared metrics add up across processes and are exported on /metrics; request ids reach the logs."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.core.cache import cache

from monitoring import metrics, store

pytestmark = pytest.mark.django_db

OTHER_PROCESS = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from monitoring import metrics, store
metrics.API_CALLS.labels(upstream="reddit", status="200").inc(5)
metrics.MEDIA_BYTES_SAVED.inc(2048)
store.flush()
"""


def test_counters_from_another_process_add_up_on_metrics(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the test client's address
    # Given a worker process and this (web) process both counting
    subprocess.run([sys.executable, "-c", OTHER_PROCESS], check=True, env=os.environ.copy(), timeout=60)
    metrics.API_CALLS.labels(upstream="reddit", status="200").inc(2)
    metrics.API_CALLS.labels(upstream="reddit", status="429").inc()
    metrics.AI_LATENCY.labels(analyzer="sentiment").observe(0.3)
    metrics.BREAKER_STATE.labels(name="instagram").set(2)
    store.flush()

    body = client.get("/metrics").content.decode()

    assert 'creatorscope_api_calls_total{status="200",upstream="reddit"} 7.0' in body
    assert 'creatorscope_api_calls_total{status="429",upstream="reddit"} 1.0' in body
    assert "creatorscope_media_bytes_saved_total 2048.0" in body
    assert 'creatorscope_ai_batch_seconds_bucket{analyzer="sentiment",le="0.5"} 1.0' in body
    assert 'creatorscope_breaker_state{name="instagram"} 2.0' in body
    assert 'creatorscope_queue_depth{queue="scraping"}' in body
    assert "creatorscope_ai_backlog 0.0" in body
    assert "django_http_requests_latency_seconds_by_view_method" in body  # django-prometheus' own


def test_wrong_labels_are_a_programming_error():
    with pytest.raises(ValueError, match="takes labels"):
        metrics.API_CALLS.labels(upstream="reddit").inc()
    with pytest.raises(ValueError, match="needs .labels"):
        metrics.API_CALLS.inc()
    with pytest.raises(ValueError, match="only go up"):
        metrics.MEDIA_BYTES_SAVED.inc(-1)


def test_cache_reads_are_counted_as_hits_and_misses():
    cache.set("monitoring-test-key", 1)
    cache.get("monitoring-test-key")
    cache.get("monitoring-test-missing")
    cache.get_many(["monitoring-test-key", "monitoring-test-missing-2"])
    store.flush()
    assert metrics.CACHE_LOOKUPS.recent(60) == {("hit",): 2.0, ("miss",): 2.0}


def test_requests_are_counted_and_timed(client):
    for _ in range(3):
        client.get("/health")
    client.get("/no-such-page")
    store.flush()
    counts = metrics.HTTP_REQUESTS.recent(60)
    assert counts[("2xx",)] == 3 and counts[("4xx",)] == 1
    assert metrics.HTTP_LATENCY.recent_summary(60)[()].count == 4


def test_request_id_is_echoed_when_valid_and_replaced_when_not(client):
    assert client.get("/health", HTTP_X_REQUEST_ID="lb-0123456789abcdef")["X-Request-ID"] == "lb-0123456789abcdef"
    replaced = client.get("/health", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert len(replaced) == 32 and "\n" not in replaced


def test_log_lines_are_json_on_stdout_with_the_request_id(client):
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "stream", None) is not None)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        response = client.get("/health", HTTP_X_REQUEST_ID="trace-abcdef123456")
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    access = next(line for line in lines if line["logger"] == "creatorscope.access")
    assert previous is sys.stdout or previous.name == "<stdout>"
    assert access["request_id"] == response["X-Request-ID"] == "trace-abcdef123456"
    assert access["status"] == 200 and access["path"] == "/health" and access["level"] == "INFO"
    assert access["duration_ms"] >= 0


def test_storing_a_compressed_asset_counts_the_bytes_saved(django_capture_on_commit_callbacks):
    from tests.factories import AssetFactory

    store.flush()
    before = metrics.MEDIA_BYTES_SAVED.totals().get((), 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        AssetFactory(bytes_original=1_000_000, bytes_stored=240_000)
        AssetFactory(bytes_original=None, bytes_stored=10)  # unknown original: nothing to count
    store.flush()
    assert metrics.MEDIA_BYTES_SAVED.totals().get((), 0.0) - before == 760_000
