"""Filtering and access scoping for profiles and communities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from django.apps import apps
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections, models
from django.db.models.functions import Greatest, Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class SignedInQuerySet(models.QuerySet):
    """Collected data (creators, communities, posts) is shared by every signed-in user."""

    def restrict(self, user) -> SignedInQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self


class UserOwnedQuerySet(models.QuerySet):
    """Rows that belong to one user (favorites, searches, access grants): nobody else sees them."""

    def restrict(self, user) -> UserOwnedQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class ProfileQuerySet(SignedInQuerySet):
    def instagram(self) -> ProfileQuerySet:
        return self.filter(platform="instagram")

    def reddit(self) -> ProfileQuerySet:
        return self.filter(platform="reddit")

    def by_handle(self, platform: str, handle: str) -> ProfileQuerySet:
        """Handles are unique per platform case-insensitively (see the model's constraint).

        Compares ``Lower(handle)`` rather than ``handle__iexact`` (which PostgreSQL runs as
        ``UPPER(...)``) so the lookup uses the unique index on ``(LOWER(handle), platform)``.
        """
        return self.alias(handle_lower=Lower("handle")).filter(platform=platform, handle_lower=handle.lower())

    def for_report(self, user, platform: str, handle: str, only: Sequence[str] = ()):
        """The profile a report shows, with the viewer's access expiry and favorite flag, or ``None``.

        The hottest query of the API (every report view, cached or not), so it is written once as
        SQL: building and compiling the equivalent ORM query (two correlated subqueries) cost
        about 1.8 ms of CPU per request on our machines, ten times its execution. The handle
        comparison uses the unique ``(LOWER(handle), platform)`` index.

        ``only`` loads just those fields (the rest are deferred, as with ``QuerySet.only()``): a
        report answered from the cache needs the profile's timestamps, not its 60-odd columns,
        whose decoding was a third of a cached report's CPU.
        """
        if self.restrict(user).query.is_empty():
            return None
        access = apps.get_model("profiles", "ProfileAccess")._meta.db_table
        favorite = apps.get_model("profiles", "Favorite")._meta.db_table
        if only:
            quote = connections[self.db].ops.quote_name
            fields = [self.model._meta.get_field(name) for name in ("id", *only)]
            columns = ", ".join(f"p.{quote(field.column)}" for field in dict.fromkeys(fields))
        else:
            columns = "p.*"
        sql = (
            f"SELECT {columns}, "
            f"(SELECT a.expires_at FROM {access} a WHERE a.user_id = %s AND a.profile_id = p.id) AS viewer_access_expires_at, "
            f"EXISTS (SELECT 1 FROM {favorite} f WHERE f.user_id = %s AND f.profile_id = p.id) AS viewer_is_favorite "
            f"FROM {self.model._meta.db_table} p WHERE p.platform = %s AND LOWER(p.handle) = %s"
        )
        profile = next(iter(self.model.objects.raw(sql, [user.pk, user.pk, platform, handle.lower()])), None)
        if profile is not None:
            # Raw annotations skip field converters: SQLite returns text and 0/1 here.
            expires = profile.viewer_access_expires_at
            if isinstance(expires, str):
                expires = parse_datetime(expires)
            if expires is not None and timezone.is_naive(expires):
                expires = timezone.make_aware(expires, UTC)  # stored in UTC (USE_TZ)
            profile.viewer_access_expires_at = expires
            profile.viewer_is_favorite = bool(profile.viewer_is_favorite)
        return profile

    def search(self, text: str) -> ProfileQuerySet:
        """Creators whose handle or name contains ``text``, or whose bio matches its words.

        On PostgreSQL the substring match runs on GIN trigram indexes over ``UPPER(handle)`` and
        ``UPPER(full_name)`` and the bio match is full-text (``simple`` configuration, so it works
        for every language) on a GIN index; all three are created by migration
        ``0003_search_indexes``. SQLite falls back to plain substring matches.
        """
        text = text.strip().lstrip("@").strip()
        if not text:
            return self
        by_name = models.Q(handle__icontains=text) | models.Q(full_name__icontains=text)
        if connections[self.db].vendor != "postgresql":
            return self.filter(by_name | models.Q(bio__icontains=text))
        return self.alias(bio_document=SearchVector("bio", config="simple")).filter(
            by_name | models.Q(bio_document=SearchQuery(text, config="simple"))
        )

    def data_generation(self):
        """The newest change of any profile: scrape, metrics, AI analysis or an analyst's edit.

        Search caches key on it, so a re-scrape or re-analysis makes cached results unreachable. On
        PostgreSQL ``MAX(GREATEST(...))`` is one probe of the ``profile_data_changed`` index.
        """
        stamps = ("updated_at", "last_scraped_at", "ai_analyzed_at", "metrics_computed_at")
        if connections[self.db].vendor == "postgresql":
            return self.order_by().aggregate(newest=models.Max(Greatest(*stamps)))["newest"]
        # SQLite's GREATEST (MAX) is NULL when any argument is; take each maximum instead.
        newest = self.order_by().aggregate(**{stamp: models.Max(stamp) for stamp in stamps})
        return max((value for value in newest.values() if value is not None), default=None)

    def due_for_scrape(self, now=None) -> ProfileQuerySet:
        """Enabled, approved (discovered profiles wait for an analyst), and past their next scrape."""
        now = now or timezone.now()
        return (
            self.filter(scrape_enabled=True, review_status__in=["approved", "watchlist"])
            .filter(models.Q(next_scrape_at__isnull=True) | models.Q(next_scrape_at__lte=now))
            .order_by("scrape_priority", models.F("next_scrape_at").asc(nulls_first=True))
        )


class CommunityQuerySet(SignedInQuerySet):
    def search(self, text: str) -> CommunityQuerySet:
        """Subreddits whose name or title contains ``text`` (``r/`` prefix ignored)."""
        text = text.strip().removeprefix("r/").strip()
        if not text:
            return self
        return self.filter(models.Q(name__icontains=text) | models.Q(title__icontains=text))

    def due_for_scrape(self, now=None) -> CommunityQuerySet:
        now = now or timezone.now()
        return (
            self.filter(scrape_enabled=True)
            .exclude(review_status="banned")
            .filter(models.Q(next_scrape_at__isnull=True) | models.Q(next_scrape_at__lte=now))
            .order_by(models.F("next_scrape_at").asc(nulls_first=True))
        )
