"""Housekeeping tasks of the project package: the monthly partitions of the append-only tables."""

from __future__ import annotations

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from config import partitions

# The tables that config/partitions.py manages, by model label (config imports no domain app);
# their migrations: profiles 0013_partition_snapshots, scraping 0006_partition_systemlog.
PARTITIONED = ("profiles.ProfileSnapshot", "profiles.CommunitySnapshot", "scraping.SystemLog")


@shared_task(name="config.tasks.ensure_partitions", ignore_result=True)
def ensure_partitions() -> dict[str, list[str]]:
    """Beat: create this month's and the next PARTITIONS_MONTHS_AHEAD months' partitions of every
    partitioned table (nothing on SQLite); returns the names created per model."""
    now = timezone.now()
    until = partitions.add_months(partitions.month_start(now), settings.PARTITIONS_MONTHS_AHEAD)
    return {label: partitions.ensure_partitions(apps.get_model(label), now, until) for label in PARTITIONED}
