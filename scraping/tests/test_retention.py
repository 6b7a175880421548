"""SystemLog retention: old lines go, and the stored beat entry follows the task from monitoring."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.celery import app
from config.schedule import BEAT_SCHEDULE
from scraping.models import SystemLog
from scraping.tasks import prune_system_logs

pytestmark = pytest.mark.django_db

moved = importlib.import_module("scraping.migrations.0002_prune_system_logs_beat_entry")


def test_prune_deletes_only_lines_older_than_the_retention(settings):
    settings.MONITORING_LOG_RETENTION_DAYS = 30
    old = SystemLog.objects.create(source="scraping.reddit", message="old")
    SystemLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    recent = SystemLog.objects.create(source="scraping.reddit", message="recent")

    assert prune_system_logs() == 1

    assert list(SystemLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_beat_entry_names_a_registered_task():
    entry = BEAT_SCHEDULE["scraping-prune-system-logs"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_migration_moves_the_stored_beat_entry_and_keeps_staff_edits():
    weekly = IntervalSchedule.objects.create(every=7, period=IntervalSchedule.DAYS)
    PeriodicTask.objects.create(
        name="monitoring-prune-system-logs", task="monitoring.tasks.prune_system_logs", interval=weekly, enabled=False
    )

    moved.forward(apps, None)

    task = PeriodicTask.objects.get()
    assert (task.name, task.task) == ("scraping-prune-system-logs", "scraping.tasks.prune_system_logs")
    assert task.interval == weekly and task.enabled is False
    moved.backward(apps, None)
    assert PeriodicTask.objects.get().task == "monitoring.tasks.prune_system_logs"
