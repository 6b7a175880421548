"""The monthly partitions of the append-only tables (config/partitions.py), on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config import partitions
from config.tasks import ensure_partitions as ensure_partitions_task
from profiles.models import ProfileSnapshot
from scraping.control import prune_logs
from scraping.models import SystemLog
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

SNAPSHOTS = "profiles_profilesnapshot"


def _names(model) -> list[str]:
    return [p.name for p in partitions.partitions(model)]


def _where(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_snapshot_and_log_tables_are_partitioned_with_id_and_time_as_database_key():
    assert partitions.partition_key(ProfileSnapshot) == "captured_at"
    assert partitions.partition_key("profiles_communitysnapshot") == "captured_at"
    assert partitions.partition_key(SystemLog) == "created_at"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [SNAPSHOTS],
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, captured_at)"
    assert ProfileSnapshot._meta.pk.name == "id"


def test_ensure_partitions_creates_missing_months_once():
    created = partitions.ensure_partitions(ProfileSnapshot, datetime(2020, 11, 15, tzinfo=UTC), datetime(2021, 2, 1))

    assert created == [f"{SNAPSHOTS}_p202011", f"{SNAPSHOTS}_p202012", f"{SNAPSHOTS}_p202101", f"{SNAPSHOTS}_p202102"]
    assert partitions.ensure_partitions(ProfileSnapshot, datetime(2020, 11, 1, tzinfo=UTC), datetime(2021, 2, 1)) == []
    bounds = {p.name: (p.lower, p.upper) for p in partitions.partitions(ProfileSnapshot)}
    assert bounds[f"{SNAPSHOTS}_p202012"] == (datetime(2020, 12, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC))
    assert _names(ProfileSnapshot)[-1] == f"{SNAPSHOTS}_default"


def test_a_row_outside_every_month_lands_in_default_and_moves_when_its_month_is_created():
    profile = ProfileFactory()
    old = ProfileSnapshot.objects.create(profile=profile, captured_at=datetime(2015, 6, 3, tzinfo=UTC))
    assert _where(SNAPSHOTS, old.pk) == f"{SNAPSHOTS}_default"

    assert partitions.ensure_partitions(ProfileSnapshot, datetime(2015, 6, 1), datetime(2015, 6, 1)) == [
        f"{SNAPSHOTS}_p201506"
    ]

    assert _where(SNAPSHOTS, old.pk) == f"{SNAPSHOTS}_p201506"
    assert ProfileSnapshot.objects.get(pk=old.pk).profile == profile


def test_the_beat_task_keeps_months_ahead_ready(settings):
    settings.PARTITIONS_MONTHS_AHEAD = 5
    ensure_partitions_task()

    ahead = partitions.add_months(partitions.month_start(timezone.now()), 5)
    assert partitions.partition_name(ProfileSnapshot, ahead) in _names(ProfileSnapshot)
    assert partitions.partition_name(SystemLog, ahead) in _names(SystemLog)
    assert ensure_partitions_task() == {
        label: [] for label in ("profiles.ProfileSnapshot", "profiles.CommunitySnapshot", "scraping.SystemLog")
    }


def test_log_retention_drops_whole_months_and_deletes_the_rest_in_batches():
    now = timezone.now()
    partitions.ensure_partitions(SystemLog, now - timedelta(days=150), now)
    lines = {}
    for days in (140, 100, 40, 1):
        line = SystemLog.objects.create(source="test", message=f"{days} days old")
        SystemLog.objects.filter(pk=line.pk).update(created_at=now - timedelta(days=days))
        lines[days] = line.pk
    old_month = partitions.partition_name(SystemLog, partitions.month_start(now - timedelta(days=140)))

    prune_logs(90)

    assert old_month not in _names(SystemLog)
    assert set(SystemLog.objects.values_list("pk", flat=True)) == {lines[40], lines[1]}
