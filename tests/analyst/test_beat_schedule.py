"""Job scheduling: code seeds the real DatabaseScheduler, staff edits in admin win and apply live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.beat import CodeSeededDatabaseScheduler
from config.celery import app

NAME = "monitoring-evaluate-alerts"
CODE_SCHEDULE = {
    NAME: {
        "task": "monitoring.tasks.evaluate_alerts",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 840},
    }
}
transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def code_schedule():
    previous = app.conf.beat_schedule
    app.conf.beat_schedule = CODE_SCHEDULE
    yield CODE_SCHEDULE
    app.conf.beat_schedule = previous


def _change_form(task: PeriodicTask, **changes) -> dict:
    data = {
        "name": task.name,
        "regtask": task.task,
        "task": task.task,
        "enabled": "on" if task.enabled else "",
        "description": task.description,
        "interval": task.interval_id or "",
        "crontab": task.crontab_id or "",
        "solar": task.solar_id or "",
        "clocked": task.clocked_id or "",
        "start_time_0": "",
        "start_time_1": "",
        "args": task.args,
        "kwargs": task.kwargs,
        "expires_0": "",
        "expires_1": "",
        "expire_seconds": task.expire_seconds or "",
        "queue": task.queue or "",
        "exchange": task.exchange or "",
        "routing_key": task.routing_key or "",
        "priority": task.priority or "",
        "headers": task.headers,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k in ("description",)}


@transactional
def test_code_seeds_a_readable_entry_with_its_expiry(code_schedule):
    CodeSeededDatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(name=NAME)
    assert (task.interval.every, task.interval.period) == (15, "minutes")
    # config/schedule.py writes options={"expires": s}; stock django-celery-beat would drop it.
    assert task.expire_seconds == 840
    # No description in code: the task's docstring says what the job does.
    assert task.description.startswith("Apply the alert rules")


@transactional
def test_staff_edit_applies_to_the_running_beat_and_survives_a_restart(
    code_schedule, client_as, staff_member, django_capture_on_commit_callbacks
):
    # Given beat running with the code's 15-minute schedule
    beat = CodeSeededDatabaseScheduler(app=app)
    assert beat.schedule[NAME].schedule.run_every == timedelta(minutes=15)
    task = PeriodicTask.objects.get(name=NAME)
    five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")

    # When staff change it to every 5 minutes in admin
    response = client_as(staff_member).post(
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]),
        _change_form(task, interval=five.pk, description="Check alert rules"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    # Then the same running scheduler picks it up on its next tick, no restart
    assert beat.schedule[NAME].schedule.run_every == timedelta(minutes=5)
    # And a restarted beat keeps the staff edit instead of re-applying the code's value
    restarted = CodeSeededDatabaseScheduler(app=app)
    assert restarted.schedule[NAME].schedule.run_every == timedelta(minutes=5)
    assert PeriodicTask.objects.get(name=NAME).description == "Check alert rules"


@transactional
def test_stock_scheduler_would_overwrite_the_staff_edit(code_schedule):
    """Why config/beat.py exists: django-celery-beat re-applies code entries on every start."""
    CodeSeededDatabaseScheduler(app=app)
    five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.filter(name=NAME).update(interval=five)
    DatabaseScheduler(app=app)
    assert PeriodicTask.objects.get(name=NAME).schedule.run_every == timedelta(minutes=15)


@transactional
def test_disabling_a_job_removes_it_from_the_running_schedule(code_schedule, client_as, staff_member):
    beat = CodeSeededDatabaseScheduler(app=app)
    assert NAME in beat.schedule
    task = PeriodicTask.objects.get(name=NAME)
    client_as(staff_member).post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "disable_tasks", "_selected_action": [task.pk]},
    )
    assert NAME not in beat.schedule
    assert CodeSeededDatabaseScheduler(app=app).schedule.get(NAME) is None  # still off after a restart


@transactional
def test_run_now_sends_the_job_to_the_broker(code_schedule, client_as, staff_member, broker):
    CodeSeededDatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(name=NAME)
    response = client_as(staff_member).post(reverse("admin:monitoring_run_now", args=[task.pk]))
    assert response.status_code == 302
    assert any("sent to the workers now" in str(m) for m in get_messages(response.wsgi_request))
    assert [m["task"] for m in broker.messages("default")] == ["monitoring.tasks.evaluate_alerts"]


@transactional
def test_changelist_shows_readable_names_and_schedules(code_schedule, client_as, staff_member):
    CodeSeededDatabaseScheduler(app=app)
    html = client_as(staff_member).get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    assert "Monitoring: evaluate alerts" in html and "every 15 minutes" in html and "Apply the alert rules" in html


@pytest.mark.django_db
def test_analyst_cannot_open_scheduling(client_as, analyst):
    client = client_as(analyst)
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 403
    assert client.get(reverse("admin:django_celery_beat_intervalschedule_changelist")).status_code == 403
    assert client.post(reverse("admin:monitoring_run_now", args=[1])).status_code == 403
