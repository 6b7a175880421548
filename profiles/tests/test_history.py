"""Snapshot history on PostgreSQL: the weekly roll-up of old points, and growth queries that read only
the monthly partitions they need (profiles/history.py, profiles/growth.py, config/partitions.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from config import partitions
from posts.analytics import ProfileFigures
from profiles import growth, history
from profiles.models import CommunitySnapshot, ProfileSnapshot
from tests.factories import CommunityFactory, ProfileFactory

pytestmark = pytest.mark.django_db

DAYS = 400


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def creators(now):
    """Two creators and a subreddit with two snapshots a day (09:00 and 21:00) for 400 days."""
    partitions.ensure_partitions(ProfileSnapshot, now - timedelta(days=DAYS + 1), now)
    partitions.ensure_partitions(CommunitySnapshot, now - timedelta(days=DAYS + 1), now)
    first = now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=DAYS)
    times = [first + timedelta(hours=12 * i) for i in range(2 * DAYS) if first + timedelta(hours=12 * i) <= now]
    profiles = [ProfileFactory(), ProfileFactory()]
    ProfileSnapshot.objects.bulk_create(
        ProfileSnapshot(profile=profile, captured_at=at, followers_count=10_000 + 10 * i)
        for profile in profiles
        for i, at in enumerate(times)
    )
    community = CommunityFactory()
    CommunitySnapshot.objects.bulk_create(
        CommunitySnapshot(community=community, captured_at=at, subscribers=5_000 + i) for i, at in enumerate(times)
    )
    return profiles


def _iso_week(moment):
    return moment.isocalendar()[:2]


def _expected_after_roll_up(rows, before):
    """The oracle: in every ISO week that starts inside, or overlaps, a month partition wholly older than
    ``before`` minus a week, only the last snapshot per profile stays; every other row stays."""
    months = [
        p for p in partitions.partitions(ProfileSnapshot) if not p.is_default and p.upper + timedelta(days=7) <= before
    ]
    weeks = set()
    for month in months:
        day = month.lower - timedelta(days=month.lower.weekday())
        while day < month.upper:
            weeks.add(_iso_week(day))
            day += timedelta(days=7)
    last = {}
    for pk, profile_id, at in sorted(rows, key=lambda row: (row[2], row[0])):
        if _iso_week(at) in weeks:
            last[(profile_id, _iso_week(at))] = pk
    return {pk for pk, profile_id, at in rows if _iso_week(at) not in weeks} | set(last.values())


def test_roll_up_keeps_the_last_snapshot_of_each_old_week_and_every_recent_one(creators, now, settings):
    settings.SNAPSHOT_ROLLUP_AFTER_DAYS = 180
    before = now - timedelta(days=180)
    rows = list(ProfileSnapshot.objects.values_list("pk", "profile_id", "captured_at"))
    recent = {pk for pk, _, at in rows if at >= before}

    done = history.roll_up(now)

    kept = set(ProfileSnapshot.objects.values_list("pk", flat=True))
    assert kept == _expected_after_roll_up(rows, before)
    assert recent <= kept
    assert done.deleted == len(rows) - len(kept) + (800 - CommunitySnapshot.objects.count()) > 0
    assert done.more is False and done.partitions > 0
    # Old history is now one point per ISO week per creator.
    old = ProfileSnapshot.objects.filter(captured_at__lt=now - timedelta(days=240))
    weeks = {(s.profile_id, _iso_week(s.captured_at)) for s in old}
    assert old.count() == len(weeks)


def test_roll_up_twice_changes_nothing_the_second_time(creators, now):
    history.roll_up(now)
    kept = set(ProfileSnapshot.objects.values_list("pk", flat=True))

    again = history.roll_up(now)

    assert again.deleted == 0 and again.partitions == 0
    assert set(ProfileSnapshot.objects.values_list("pk", flat=True)) == kept


def test_roll_up_stops_within_its_budget_and_finishes_later(creators, now):
    first = history.roll_up(now, budget_seconds=0)
    assert first.more is True and first.partitions == 0

    rest = history.roll_up(now)
    assert rest.more is False and rest.deleted > 0


def test_growth_over_a_year_still_works_after_roll_up(creators, now):
    profile = creators[0]
    before = list(ProfileFigures(profile, days=DAYS).followers_series)

    history.roll_up(now)

    after = list(ProfileFigures(profile, days=DAYS).followers_series)
    series = [(point.captured_at, point.followers) for point in after]
    assert len(after) < len(before)
    assert after[-1] == before[-1]  # the newest point is untouched
    # 300 days back is in rolled-up history: the comparison point is the last of its week, at most
    # a week newer than before the roll-up, so growth over 300 days barely moves.
    old = growth.growth_pct([(point.captured_at, point.followers) for point in before], 300)
    assert growth.growth_pct(series, 300) == pytest.approx(old, abs=1.0)
    assert growth.profile_growth(profile)["follower_growth_90d"] is not None


def _partitions_read(queryset, table: str) -> set[str]:
    return set(re.findall(rf"\b{table}_(p\d{{6}}|default)\b", queryset.explain()))


def _months(start, end) -> set[str]:
    found, month = set(), partitions.month_start(start)
    while month <= end:
        found.add(f"p{month:%Y%m}")
        month = partitions.add_months(month, 1)
    return found


def test_growth_reads_only_the_partitions_of_its_window(creators, now):
    latest = ProfileSnapshot.objects.filter(profile=creators[0]).latest().captured_at
    series = growth.recent_history(ProfileSnapshot.objects.filter(profile=creators[0]))

    read = _partitions_read(series, "profiles_profilesnapshot")

    assert read == _months(latest - timedelta(days=growth.HISTORY_DAYS), latest)
    assert len(read) <= 7  # of the 14+ months that hold this creator's history


def test_charts_read_only_the_partitions_since_their_window_starts(creators, now):
    figures = ProfileFigures(creators[0], days=30)
    query = creators[0].snapshots.filter(captured_at__gte=figures.since).order_by("captured_at")

    read = _partitions_read(query, "profiles_profilesnapshot")

    older = {name for name in read if name != "default" and name < f"p{figures.since:%Y%m}"}
    assert older == set()
    assert f"p{now:%Y%m}" in read
