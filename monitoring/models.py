"""Alerts: what the monitor raised, when, and whether the webhook heard about it.

Monitoring reads every app and writes only its own table (DESIGN §1).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone


class AlertQuerySet(models.QuerySet):
    def open(self) -> AlertQuerySet:
        return self.filter(resolved_at__isnull=True)


class Alert(models.Model):
    """One incident: a rule firing for one subject, from first seen until it clears.

    The partial unique constraint allows one open alert per ``key``, so an incident is raised once
    even when two evaluators race; it is resolved when the rule stops firing, and the next breach is
    a new row.
    """

    class Severity(models.TextChoices):
        WARNING = "warning", "Warning"
        CRITICAL = "critical", "Critical"

    key = models.CharField(max_length=200, help_text="rule:subject, e.g. scraper_stale:reddit-hot")
    rule = models.CharField(max_length=40)
    subject = models.CharField(max_length=150, blank=True, default="")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    message = models.TextField()
    value = models.FloatField(null=True, blank=True, help_text="the measurement that breached")
    threshold = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="when the webhook accepted it")
    notify_error = models.TextField(blank=True, default="")

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(resolved_at__isnull=True), name="alert_one_open_per_key"
            )
        ]
        indexes = [models.Index(fields=["-started_at"], name="alert_recent")]

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message}"

    def as_event(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "key": self.key,
            "rule": self.rule,
            "subject": self.subject,
            "severity": self.severity,
            "message": self.message,
            "value": self.value,
            "threshold": self.threshold,
            "started_at": self.started_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }
