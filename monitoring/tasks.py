"""Monitoring's periodic work (thin: each calls one function)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(ignore_result=True)
def evaluate_alerts() -> None:
    """Apply the alert rules to the last MONITORING_ALERT_WINDOW seconds; raise and resolve alerts."""
    from monitoring import alerts, collector

    traffic = collector.traffic(settings.MONITORING_ALERT_WINDOW)
    firing = alerts.conditions(
        traffic, collector.scrapers(), collector.resources(), collector.breakers(), collector.queue_depths()
    )
    alerts.evaluate(firing)


@shared_task(ignore_result=True)
def prune_alerts() -> int:
    """Delete resolved alerts older than MONITORING_ALERT_RETENTION_DAYS."""
    from monitoring.models import Alert

    cutoff = timezone.now() - timedelta(days=settings.MONITORING_ALERT_RETENTION_DAYS)
    return Alert.objects.filter(resolved_at__lt=cutoff).delete()[0]
