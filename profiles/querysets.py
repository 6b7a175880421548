"""Filtering and the report lookup for profiles and communities."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections, models
from django.db.models.functions import Greatest, Lower
from django.utils import timezone

from config.querysets import VIEW, SignedInQuerySet, TeamOwnedQuerySet
from config.sql import Join, RowStatement, model_fields, select_list

# The stamps that move whenever a profile's data changes (scrape, metrics, AI analysis, an analyst's
# edit): a report's cache version, and the search caches' generation. Migration 0003's
# profile_data_changed index is on GREATEST() of them in this order.
PROFILE_VERSION_FIELDS = ("updated_at", "last_scraped_at", "ai_analyzed_at", "metrics_computed_at")
# What a report reads before it knows whether the cache can answer.
REPORT_LOOKUP_FIELDS = ("platform", "handle", *PROFILE_VERSION_FIELDS)


def _report_select(model: type[models.Model], alias: str, only: Sequence[str], viewer: str) -> tuple[str, tuple, tuple]:
    """The report lookup's columns of profile ``p``: ``(select list, profile fields, extras)``.

    The extras are the viewer's access expiry and favorite flag, ``viewer`` being the SQL of the
    viewer's user id (a parameter, or a column of a join).
    """
    access = apps.get_model("profiles", "ProfileAccess")
    favorite = apps.get_model("profiles", "Favorite")._meta.db_table
    fields = model_fields(model, only)
    select = (
        f"{select_list(alias, 'p', fields)}, "
        f"(SELECT a.expires_at FROM {access._meta.db_table} a WHERE a.user_id = {viewer} AND a.profile_id = p.id), "
        f"EXISTS (SELECT 1 FROM {favorite} f WHERE f.user_id = {viewer} AND f.profile_id = p.id)"
    )
    return select, fields, (access._meta.get_field("expires_at"), None)


@functools.lru_cache(maxsize=8)
def report_statement(model: type[models.Model], alias: str, only: tuple[str, ...]) -> RowStatement:
    """Built once per process and column set; building it per request cost more than the query."""
    select, fields, extras = _report_select(model, alias, only, viewer="%s")
    sql = f"SELECT {select} FROM {model._meta.db_table} p WHERE p.platform = %s AND LOWER(p.handle) = %s"
    return RowStatement.build(alias, sql, ((model, fields),), extras)


@functools.lru_cache(maxsize=8)
def report_join(model: type[models.Model], alias: str, only: tuple[str, ...]) -> Join:
    """What token authentication adds to its statement (``token_statement``) to read the report
    lookup of the token's user in the same round trip. Parameters: the platform, the lowercased handle."""
    select, fields, extras = _report_select(model, alias, only, viewer="t.user_id")
    sql = f"LEFT JOIN {model._meta.db_table} p ON p.platform = %s AND LOWER(p.handle) = %s"
    return Join(sql, select, ((model, fields),), extras)


def attach_viewer(profile, extras: Sequence):
    """The looked-up profile (or ``None``) with the viewer's access expiry and favorite flag set."""
    if profile is not None:
        expires, favorite = extras
        profile.viewer_access_expires_at, profile.viewer_is_favorite = expires, bool(favorite)  # SQLite: 0/1
    return profile


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
        SQL (``config.sql``): building and compiling the equivalent ORM query (two correlated
        subqueries) cost about 1.8 ms of CPU per request on our machines, ten times its execution.
        The handle comparison uses the unique ``(LOWER(handle), platform)`` index. With token
        authentication the same columns usually come with the token (``report_join``).

        ``only`` loads just those fields (the rest are deferred, as with ``QuerySet.only()``): a
        report answered from the cache needs the profile's timestamps, not its 60-odd columns.
        """
        if self.restrict(user).query.is_empty():
            return None
        statement = report_statement(self.model, self.db, tuple(only))
        found = statement.fetch(self.db, [user.pk, user.pk, platform, handle.lower()])
        if found is None:
            return None
        (profile,), extras = found
        return attach_viewer(profile, extras)

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
