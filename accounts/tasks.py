"""Accounts tasks: the audit trail's retention."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from accounts import audit


@shared_task(name="accounts.tasks.prune_audit_trail", ignore_result=True)
def prune_audit_trail() -> int:
    """Delete audit entries older than AUDIT_RETENTION_DAYS; nothing when it is 0 (keep forever)."""
    days = settings.AUDIT_RETENTION_DAYS
    return audit.prune(days) if days > 0 else 0
