"""Filtering for posts."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone


class PostQuerySet(models.QuerySet):
    def recent(self, days: int) -> PostQuerySet:
        return self.filter(posted_at__gte=timezone.now() - timedelta(days=days))

    def viral(self) -> PostQuerySet:
        return self.filter(is_viral=True)

    def pending_analysis(self) -> PostQuerySet:
        return self.filter(ai_status="pending")
