"""Deleting old records in bounded batches, for the nightly retention tasks.

One ``DELETE`` over months of rows holds its locks for as long as it runs; 5,000 rows at a time keep
each statement short, so writers of new rows never wait long. Imports no app.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

BATCH = 5000


def delete_older_than(queryset: models.QuerySet, field: str, days: int) -> int:
    """Delete the rows of ``queryset`` whose ``field`` is more than ``days`` days old; returns how many."""
    old = queryset.filter(**{f"{field}__lt": timezone.now() - timedelta(days=days)})
    deleted = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        deleted += old.filter(pk__in=ids).delete()[0]
