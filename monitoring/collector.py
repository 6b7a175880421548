"""What the live monitor shows: one snapshot of the whole platform, and the /metrics exporter.

``snapshot()`` reads the shared counters (monitoring/store.py), the broker's queue lengths, the
scraper rows, the AI backlog, today's scrape cost and the open alerts, and scores health 0-100. A
web process computes it at most once per ``MONITORING_PUSH_INTERVAL`` however many monitors it
serves (``current_snapshot``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.utils import timezone

from monitoring import metrics

logger = logging.getLogger(__name__)

DISPLAY_WINDOW = 60  # seconds: "per minute" figures and request latency on the monitor


def _rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def traffic(window: float) -> dict[str, Any]:
    """Request, task, API, AI and cache figures over the last ``window`` seconds, from the shared counters."""
    requests = metrics.HTTP_REQUESTS.recent(window)
    total_requests = sum(requests.values())
    errors = requests.get(("5xx",), 0.0)
    latency = metrics.HTTP_LATENCY.recent_summary(window).get(())
    tasks = metrics.TASKS.recent(window)
    ai = metrics.AI_POSTS.recent(window)
    ai_ok, ai_failed = ai.get(("ok",), 0.0), ai.get(("failed",), 0.0)
    cache = metrics.CACHE_LOOKUPS.recent(window)
    hits, misses = cache.get(("hit",), 0.0), cache.get(("miss",), 0.0)
    api = metrics.API_CALLS.recent(window)
    per_minute = 60.0 / window
    return {
        "window_s": window,
        "requests": {
            "count": int(total_requests),
            "per_second": round(total_requests / window, 3),
            "errors": int(errors),
            "error_rate": _rate(errors, total_requests),
            "p95_ms": round(latency.quantile(0.95) * 1000, 1) if latency and latency.count else None,
            "mean_ms": round(latency.mean * 1000, 1) if latency and latency.count else None,
        },
        "tasks": {
            "per_minute": round(sum(v for (_, state), v in tasks.items() if state == "succeeded") * per_minute, 2),
            "failed_per_minute": round(sum(v for (_, state), v in tasks.items() if state == "failed") * per_minute, 2),
            "retried_per_minute": round(
                sum(v for (_, state), v in tasks.items() if state == "retried") * per_minute, 2
            ),
            "failed": int(sum(v for (_, state), v in tasks.items() if state == "failed")),
        },
        "ai": {
            "posts_per_minute": round((ai_ok + ai_failed) * per_minute, 2),
            "failed": int(ai_failed),
            "analysed": int(ai_ok + ai_failed),
            "failure_rate": _rate(ai_failed, ai_ok + ai_failed),
        },
        "cache": {"hits": int(hits), "misses": int(misses), "hit_rate": _rate(hits, hits + misses)},
        "api_calls_per_minute": round(sum(api.values()) * per_minute, 2),
    }


def queue_depths() -> dict[str, int | None]:
    """Messages waiting per queue, asked of the broker; ``None`` for each queue when it cannot be reached."""
    from kombu.exceptions import ChannelError

    from config.celery import app

    depths: dict[str, int | None] = {}
    try:
        with app.connection_for_read(connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            channel = conn.default_channel
            for queue in settings.MONITORING_QUEUES:
                try:
                    depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except ChannelError:
                    # Redis deletes an empty list, and the transport then says "no such queue".
                    depths[queue] = 0
    except Exception as exc:
        logger.warning("queue depth unavailable: %s", exc)
        return dict.fromkeys(settings.MONITORING_QUEUES)
    return depths


def scrapers(now=None) -> list[dict[str, Any]]:
    """Every scraper with its heartbeat age; ``stale`` when a running scraper stopped beating."""
    from scraping.models import Scraper

    now = now or timezone.now()
    limit = settings.MONITORING_HEARTBEAT_STALE_SECONDS
    out = []
    for scraper in Scraper.objects.all():
        age = (now - scraper.heartbeat_at).total_seconds() if scraper.heartbeat_at else None
        running = scraper.status == Scraper.Status.RUNNING
        out.append(
            {
                "id": scraper.pk,
                "name": scraper.name,
                "upstream": scraper.upstream,
                "enabled": scraper.enabled,
                "status": scraper.status,
                "heartbeat_age_s": round(age, 1) if age is not None else None,
                "stale": scraper.status == Scraper.Status.STALLED or (running and (age is None or age > limit)),
                "current_run": scraper.current_run_id,
            }
        )
    return out


def breakers() -> dict[str, str]:
    names = {value: name for name, value in metrics.BREAKER_STATES.items() if "_" not in name}
    return {labels[0]: names.get(int(value), "unknown") for labels, value in metrics.BREAKER_STATE.values().items()}


_cpu_sample = {"at": 0.0, "value": 0.0}


def resources() -> dict[str, float]:
    """CPU, memory and disk use (percent) of the machine this runs on; disk is the one holding var/."""
    import psutil

    now = time.monotonic()
    # psutil measures CPU since its previous call in this process (no blocking sample). Calls a
    # moment apart measure a few milliseconds of noise, so keep a sample for at least a second.
    if now - _cpu_sample["at"] >= 1.0:
        # The first call in a process would measure since psutil's import (start-up work): sample
        # a tenth of a second instead.
        _cpu_sample["value"] = psutil.cpu_percent(interval=None if _cpu_sample["at"] else 0.1)
        _cpu_sample["at"] = now
    return {
        "cpu": _cpu_sample["value"],
        "memory": psutil.virtual_memory().percent,
        "disk": psutil.disk_usage(str(settings.VAR_DIR)).percent,
    }


def api_today() -> dict[str, Any]:
    """Upstream calls and estimated cost since 00:00 UTC, from the shared counters the HTTP layer adds to."""
    by_upstream: dict[str, int] = {}
    errors = 0
    for (upstream, status), value in metrics.API_CALLS.today().items():
        by_upstream[upstream] = by_upstream.get(upstream, 0) + int(value)
        if not status.startswith("2"):
            errors += int(value)
    return {
        "calls_today": sum(by_upstream.values()),
        "calls_today_by_upstream": by_upstream,
        "errors_today": errors,
        "cost_today": round(sum(metrics.API_COST.today().values()), 4),
    }


def ai_backlog() -> int:
    from posts.models import AIStatus, Post

    # Served by the partial index post_ai_backlog (ai_status = 'pending').
    return Post.objects.filter(ai_status=AIStatus.PENDING).count()


def open_alerts() -> list[dict[str, Any]]:
    from monitoring.models import Alert

    return [alert.as_event() for alert in Alert.objects.open()[:50]]


def snapshot() -> dict[str, Any]:
    """The typed ``metrics`` message the monitor draws (websocket, SSE, page)."""
    from monitoring import alerts

    display = traffic(DISPLAY_WINDOW)
    scraper_rows = scrapers()
    breaker_states = breakers()
    usage = resources()
    depths = queue_depths()
    judged = (
        display if settings.MONITORING_ALERT_WINDOW == DISPLAY_WINDOW else traffic(settings.MONITORING_ALERT_WINDOW)
    )
    conditions = alerts.conditions(judged, scraper_rows, usage, breaker_states, depths)
    ai = display["ai"] | {"backlog": ai_backlog()}
    return {
        "type": "metrics",
        "at": timezone.now().isoformat(),
        "interval_s": settings.MONITORING_PUSH_INTERVAL,
        "requests": display["requests"],
        "queues": depths,
        "tasks": display["tasks"],
        "scrapers": scraper_rows,
        "api": api_today() | {"calls_per_minute": display["api_calls_per_minute"]},
        "ai": ai,
        "cache": display["cache"],
        "breakers": breaker_states,
        "resources": usage,
        "alerts": open_alerts(),
        "health": {"score": alerts.health_score(conditions), "issues": [c.message for c in conditions]},
    }


_memo: dict[str, Any] = {"at": 0.0, "value": None}
_memo_lock = threading.Lock()


def current_snapshot() -> dict[str, Any]:
    """``snapshot()``, computed at most once per push interval in this process."""
    with _memo_lock:
        if _memo["value"] is None or time.monotonic() - _memo["at"] >= settings.MONITORING_PUSH_INTERVAL * 0.9:
            _memo["value"] = snapshot()
            _memo["at"] = time.monotonic()
        return _memo["value"]


def forget_snapshot() -> None:
    _memo["value"] = None


class SharedMetricsCollector:
    """Exports the shared counters (and queue depth, health) on /metrics as ``creatorscope_*``."""

    def describe(self):
        # Without describe(), prometheus_client calls collect() at registration: no I/O at import.
        return []

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

        for metric in metrics.registry().values():
            name = f"creatorscope_{metric.name}"
            if metric.kind == "counter":
                family = CounterMetricFamily(name, metric.documentation, labels=metric.labelnames)
                for labels, value in sorted(metric.totals().items()):
                    family.add_metric(list(labels), value)
            elif metric.kind == "gauge":
                family = GaugeMetricFamily(name, metric.documentation, labels=metric.labelnames)
                for labels, value in sorted(metric.values().items()):
                    family.add_metric(list(labels), value)
            else:
                family = HistogramMetricFamily(name, metric.documentation, labels=metric.labelnames)
                for labels, data in sorted(metric.total_summary().items()):
                    family.add_metric(list(labels), data.cumulative(), data.sum)
            yield family
        depth = GaugeMetricFamily(
            "creatorscope_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        for queue, value in queue_depths().items():
            if value is not None:
                depth.add_metric([queue], value)
        yield depth
        backlog = GaugeMetricFamily("creatorscope_ai_backlog", "Posts waiting for AI analysis.")
        backlog.add_metric([], ai_backlog())
        yield backlog


_registered = False


def register_prometheus_collector() -> None:
    global _registered
    if _registered:
        return
    from prometheus_client import REGISTRY

    REGISTRY.register(SharedMetricsCollector())
    _registered = True
