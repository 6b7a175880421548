"""Alert rules, the health score, and raising/resolving alerts once per incident.

``conditions()`` is pure: figures in, firing conditions out. ``evaluate()`` turns them into
``Alert`` rows (one open row per rule and subject), pushes ``alert`` / ``alert.resolved`` events and
POSTs both to ``MONITORING_ALERT_WEBHOOK``. Beat runs it every ``MONITORING_ALERT_INTERVAL``
seconds (``monitoring.tasks.evaluate_alerts``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config import http
from monitoring.events import publish
from monitoring.models import Alert

logger = logging.getLogger(__name__)

# Points a firing condition takes off the 100-point health score.
_PENALTY = {"critical": 30, "warning": 10}

# A chat or paging hook that hiccups gets two more tries, half a second apart then about a
# second (full jitter): enough for a restart or a 503, short enough that the beat task evaluating
# alerts is not held up. A Retry-After over WEBHOOK_MAX_WAIT is not waited for.
WEBHOOK_ATTEMPTS = 3
WEBHOOK_BACKOFF_SECONDS = 0.5
WEBHOOK_MAX_WAIT_SECONDS = 5.0


@dataclass
class Condition:
    """A rule firing now for one subject."""

    rule: str
    subject: str
    severity: str
    message: str
    value: float | None = None
    threshold: float | None = None

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject}" if self.subject else self.rule


def conditions(
    traffic: dict[str, Any],
    scrapers: list[dict[str, Any]],
    resources: dict[str, float],
    breakers: dict[str, str],
    queues: dict[str, int | None] | None = None,
) -> list[Condition]:
    """The brief's thresholds applied to figures from ``collector.traffic()`` and friends.

    ``queues`` maps queue names to depths; ``None`` depths mean the broker could not be asked.
    """
    s = settings
    enough = s.MONITORING_ALERT_MIN_SAMPLES
    out: list[Condition] = []
    req = traffic["requests"]
    if req["count"] >= enough and req["p95_ms"] is not None and req["p95_ms"] / 1000 > s.MONITORING_ALERT_RESPONSE_TIME:
        out.append(
            Condition(
                "response_time",
                "",
                "warning",
                f"p95 response time {req['p95_ms'] / 1000:.1f} s is above {s.MONITORING_ALERT_RESPONSE_TIME:g} s",
                req["p95_ms"] / 1000,
                s.MONITORING_ALERT_RESPONSE_TIME,
            )
        )
    if req["count"] >= enough and req["error_rate"] is not None and req["error_rate"] > s.MONITORING_ALERT_ERROR_RATE:
        out.append(
            Condition(
                "error_rate",
                "",
                "critical",
                f"{req['error_rate']:.1%} of requests failed (5xx), above {s.MONITORING_ALERT_ERROR_RATE:.0%}",
                req["error_rate"],
                s.MONITORING_ALERT_ERROR_RATE,
            )
        )
    for resource, percent in resources.items():
        if percent / 100 > s.MONITORING_ALERT_RESOURCE_USAGE:
            out.append(
                Condition(
                    "resources",
                    resource,
                    "warning",
                    f"{resource} use {percent:.0f}% is above {s.MONITORING_ALERT_RESOURCE_USAGE:.0%}",
                    percent / 100,
                    s.MONITORING_ALERT_RESOURCE_USAGE,
                )
            )
    ai = traffic["ai"]
    if (
        ai["analysed"] >= enough
        and ai["failure_rate"] is not None
        and ai["failure_rate"] > s.MONITORING_ALERT_AI_FAILURE_RATE
    ):
        out.append(
            Condition(
                "ai_failures",
                "",
                "warning",
                f"{ai['failure_rate']:.1%} of analysed posts failed, above {s.MONITORING_ALERT_AI_FAILURE_RATE:.0%}",
                ai["failure_rate"],
                s.MONITORING_ALERT_AI_FAILURE_RATE,
            )
        )
    cache = traffic["cache"]
    lookups = cache["hits"] + cache["misses"]
    if lookups >= enough and cache["hit_rate"] is not None and cache["hit_rate"] < s.MONITORING_ALERT_CACHE_HIT_RATE:
        out.append(
            Condition(
                "cache_hit_rate",
                "",
                "warning",
                f"cache hit rate {cache['hit_rate']:.0%} is below {s.MONITORING_ALERT_CACHE_HIT_RATE:.0%}",
                cache["hit_rate"],
                s.MONITORING_ALERT_CACHE_HIT_RATE,
            )
        )
    for scraper in scrapers:
        if scraper["stale"]:
            age = scraper["heartbeat_age_s"]
            seen = f"last heartbeat {age:.0f} s ago" if age is not None else "no heartbeat"
            out.append(
                Condition(
                    "scraper_stale",
                    scraper["name"],
                    "critical",
                    f"scraper {scraper['name']} is {scraper['status']} with a stale heartbeat ({seen})",
                    age,
                    float(settings.MONITORING_HEARTBEAT_STALE_SECONDS),
                )
            )
    if queues and any(depth is None for depth in queues.values()):
        out.append(Condition("broker_down", "", "critical", "the Celery broker cannot be reached"))
    for name, state in breakers.items():
        if state == "open":
            out.append(Condition("breaker_open", name, "warning", f"circuit breaker {name} is open: calls are paused"))
    return out


def health_score(firing: list[Condition]) -> int:
    """100 minus 30 per critical and 10 per warning condition, never below 0."""
    return max(0, 100 - sum(_PENALTY.get(c.severity, 10) for c in firing))


def evaluate(firing: list[Condition]) -> tuple[list[Alert], list[Alert]]:
    """Raise alerts for new incidents, resolve the ones that cleared; returns (raised, resolved)."""
    now = timezone.now()
    by_key = {c.key: c for c in firing}
    open_alerts = {alert.key: alert for alert in Alert.objects.open()}
    raised: list[Alert] = []
    for key, condition in by_key.items():
        if key in open_alerts:
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    key=key,
                    rule=condition.rule,
                    subject=condition.subject,
                    severity=condition.severity,
                    message=condition.message,
                    value=condition.value,
                    threshold=condition.threshold,
                    started_at=now,
                    last_seen_at=now,
                )
        except IntegrityError:
            continue  # another evaluator raised this incident a moment ago
        raised.append(alert)
    still_open = [alert.pk for key, alert in open_alerts.items() if key in by_key]
    Alert.objects.filter(pk__in=still_open).update(last_seen_at=now)
    resolved: list[Alert] = []
    for key, alert in open_alerts.items():
        if key in by_key:
            continue
        # Conditional update: only the evaluator that flips the row announces the resolution.
        if Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(resolved_at=now):
            alert.resolved_at = now
            resolved.append(alert)
    for alert in raised:
        logger.warning("alert raised: %s", alert.message, extra={"alert": alert.key})
        publish("alert", alert.as_event())
        notify(alert)
    for alert in resolved:
        logger.info("alert resolved: %s", alert.message, extra={"alert": alert.key})
        publish("alert.resolved", alert.as_event())
        notify(alert)
    return raised, resolved


def notify(alert: Alert) -> None:
    """POST the alert to ``MONITORING_ALERT_WEBHOOK``, retrying transient failures; the outcome is stored on the row."""
    url = settings.MONITORING_ALERT_WEBHOOK
    if not url:
        return
    body = {
        "status": "resolved" if alert.resolved_at else "firing",
        "text": ("RESOLVED: " if alert.resolved_at else "") + alert.message,
        "alert": alert.as_event(),
        "source": settings.SITE_URL,
    }
    retrying = http.retrying(
        attempts=WEBHOOK_ATTEMPTS,
        backoff_base=WEBHOOK_BACKOFF_SECONDS,
        backoff_cap=WEBHOOK_MAX_WAIT_SECONDS,
        max_wait=WEBHOOK_MAX_WAIT_SECONDS,
    )
    try:
        retrying(_post, url, body)
    except http.TransportError as exc:
        logger.warning("alert webhook failed for %s: %s", alert.key, exc)
        Alert.objects.filter(pk=alert.pk).update(notify_error=str(exc)[:500])
        return
    Alert.objects.filter(pk=alert.pk).update(notified_at=timezone.now(), notify_error="")


def _post(url: str, body: dict[str, Any]) -> None:
    response = http.send("POST", url, json=body, timeout=settings.MONITORING_WEBHOOK_TIMEOUT, upstream="webhook")
    http.check_status(response, upstream="webhook")
