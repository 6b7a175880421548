"""Filtering and the report lookup for profiles and communities."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections, models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Greatest, Lower
from django.utils import timezone

from config.querysets import VIEW, SignedInQuerySet, TeamOwnedQuerySet

# The stamps that move whenever a profile's data changes (scrape, metrics, AI analysis, an analyst's
# edit): a report's cache version, and the search caches' generation. Migration 0003's
# profile_data_changed index is on GREATEST() of them in this order.
PROFILE_VERSION_FIELDS = ("updated_at", "last_scraped_at", "ai_analyzed_at", "metrics_computed_at")
# What a report reads before it knows whether the cache can answer.
REPORT_LOOKUP_FIELDS = ("platform", "handle", *PROFILE_VERSION_FIELDS)


class BioDocument(SearchVector):
    """The bio's full-text document (``simple`` configuration, so it works for every language).

    ``Profile.search_document`` stores it as a generated column: the database computes it whenever
    the bio is written (``save()``, ``update()``, an upsert, COPY), so search reads it from the row
    and its GIN index instead of running ``to_tsvector()`` on every candidate row. SQLite has no
    full-text type: there the column is NULL and ``search()`` matches the bio with ``LIKE``.
    """

    def __init__(self):
        super().__init__("bio", config="simple")

    def as_sqlite(self, compiler, connection, **extra):
        return "NULL", []


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

    def for_report(self, user, platform: str, handle: str, only: Sequence[str] = (), *, team=None, access_team=None):
        """The profile a report shows, with the viewer's access expiry and favorite flag, or ``None``.

        One query (every report view makes it, cached or not): the handle comparison uses the unique
        ``(LOWER(handle), platform)`` index, the viewer's state comes in two correlated subqueries.
        ``only`` loads just those fields (the rest are deferred): a report answered from the cache
        needs the profile's timestamps, not its 60-odd columns. ``team`` is the viewer's current team
        (favorites are kept per team), ``access_team`` the team sharing access grants (``sharing_team``).
        """
        access_holder = {"team": access_team} if access_team is not None else {"user": user}
        access = apps.get_model("profiles", "ProfileAccess").objects.filter(profile=OuterRef("pk"), **access_holder)
        favorite = apps.get_model("profiles", "Favorite").objects.filter(user=user, team=team, profile=OuterRef("pk"))
        found = (
            self.restrict(user)
            .by_handle(platform, handle)
            .annotate(
                viewer_access_expires_at=Subquery(access.values("expires_at")[:1]),
                viewer_is_favorite=Exists(favorite),
            )
            .order_by()
        )
        if only:
            found = found.only(*only)
        return next(iter(found[:1]), None)

    def search(self, text: str) -> ProfileQuerySet:
        """Creators whose handle or name contains ``text``, or whose bio matches its words.

        On PostgreSQL the substring match runs on GIN trigram indexes over ``UPPER(handle)`` and
        ``UPPER(full_name)`` (migration ``0003_search_indexes``) and the bio match is full-text on
        the stored ``search_document`` and its GIN index (migration ``0015``): a candidate row found
        by any of the three indexes is rechecked against stored values, never a recomputed vector.
        SQLite falls back to plain substring matches.
        """
        text = text.strip().lstrip("@").strip()
        if not text:
            return self
        by_name = models.Q(handle__icontains=text) | models.Q(full_name__icontains=text)
        if connections[self.db].vendor != "postgresql":
            return self.filter(by_name | models.Q(bio__icontains=text))
        return self.filter(by_name | models.Q(search_document=SearchQuery(text, config="simple")))

    def data_generation(self):
        """The newest change of any profile: scrape, metrics, AI analysis or an analyst's edit.

        Search caches key on it, so a re-scrape or re-analysis makes cached results unreachable. On
        PostgreSQL ``MAX(GREATEST(...))`` is one probe of the ``profile_data_changed`` index.
        """
        stamps = PROFILE_VERSION_FIELDS
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

    def by_name(self, name: str) -> CommunityQuerySet:
        """Like ``ProfileQuerySet.by_handle``: ``Lower(name)`` so the unique index on ``LOWER(name)`` serves it."""
        return self.alias(name_lower=Lower("name")).filter(name_lower=name.lower())

    def due_for_scrape(self, now=None) -> CommunityQuerySet:
        now = now or timezone.now()
        return (
            self.filter(scrape_enabled=True)
            .exclude(review_status="banned")
            .filter(models.Q(next_scrape_at__isnull=True) | models.Q(next_scrape_at__lte=now))
            .order_by(models.F("next_scrape_at").asc(nulls_first=True))
        )


class ProfileAccessQuerySet(TeamOwnedQuerySet):
    """Access grants are the team's with ``PROFILE_ACCESS_SCOPE=team``; else each user sees their own."""

    def restrict(self, user, team=None, action: str = VIEW) -> ProfileAccessQuerySet:
        if settings.PROFILE_ACCESS_SCOPE == "team":
            return super().restrict(user, team=team, action=action)
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)
