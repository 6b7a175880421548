"""Filtering and access scoping for profiles and communities."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ProfileQuerySet(models.QuerySet):
    def instagram(self) -> ProfileQuerySet:
        return self.filter(platform="instagram")

    def reddit(self) -> ProfileQuerySet:
        return self.filter(platform="reddit")

    def by_handle(self, platform: str, handle: str) -> ProfileQuerySet:
        """Handles are unique per platform case-insensitively (see the model's constraint)."""
        return self.filter(platform=platform, handle__iexact=handle)

    def due_for_scrape(self, now=None) -> ProfileQuerySet:
        """Enabled, approved (discovered profiles wait for an analyst), and past their next scrape."""
        now = now or timezone.now()
        return (
            self.filter(scrape_enabled=True, review_status__in=["approved", "watchlist"])
            .filter(models.Q(next_scrape_at__isnull=True) | models.Q(next_scrape_at__lte=now))
            .order_by("scrape_priority", models.F("next_scrape_at").asc(nulls_first=True))
        )


class CommunityQuerySet(models.QuerySet):
    def due_for_scrape(self, now=None) -> CommunityQuerySet:
        now = now or timezone.now()
        return (
            self.filter(scrape_enabled=True)
            .exclude(review_status="banned")
            .filter(models.Q(next_scrape_at__isnull=True) | models.Q(next_scrape_at__lte=now))
            .order_by(models.F("next_scrape_at").asc(nulls_first=True))
        )
