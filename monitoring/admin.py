"""Job scheduling in admin: django-celery-beat's tables, readable, with "run now".

The schedule is defined in code (config/schedule.py) and seeded into these tables by
``config.beat.CodeSeededDatabaseScheduler``; from then on the rows here are what beat runs. Saving a
task or a schedule bumps django-celery-beat's change marker, which the running beat checks on every
tick, so an edit takes effect without a restart. Only staff (the "Staff" group) have these
permissions; analysts do not see this section.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django_celery_beat.admin import PeriodicTaskAdmin as BasePeriodicTaskAdmin
from django_celery_beat.admin import PeriodicTaskForm, TaskSelectWidget
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from config.admin import OperationsAdminMixin, ReadOnlyAdmin
from config.celery import enqueue_on_commit
from monitoring.models import Alert

for model in (PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule):
    admin.site.unregister(model)


class UnfoldTaskSelectWidget(UnfoldAdminSelectWidget, TaskSelectWidget):
    pass


class ScheduledJobForm(PeriodicTaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].widget = UnfoldAdminTextInputWidget()
        self.fields["regtask"].widget = UnfoldTaskSelectWidget()


def describe_schedule(task: PeriodicTask) -> str:
    """'every 15 minutes', 'at 03:30 every day (UTC)', … for people, not cron experts."""
    if task.interval_id:
        return str(task.interval)
    if task.crontab_id:
        return f"{task.crontab.human_readable} ({task.crontab.timezone})"
    if task.solar_id:
        return str(task.solar)
    if task.clocked_id:
        return f"once at {task.clocked.clocked_time:%Y-%m-%d %H:%M}"
    return "—"


def readable_name(name: str) -> str:
    """'monitoring-prune-alerts' → 'Monitoring: prune alerts'; names written for people stay as they are."""
    if " " in name or "-" not in name:
        return name
    area, _, rest = name.partition("-")
    return f"{area.capitalize()}: {rest.replace('-', ' ').replace('_', ' ')}"


def run_now(tasks) -> int:
    """Send each periodic task's job to the broker, by name, with its stored arguments (after commit)."""
    sent = 0
    for task in tasks:
        options = {"headers": {"periodic_task_name": task.name}}
        if task.queue:
            options["queue"] = task.queue
        if task.expire_seconds:
            options["expires"] = task.expire_seconds
        args, kwargs = json.loads(task.args or "[]"), json.loads(task.kwargs or "{}")
        enqueue_on_commit(task.task, args, kwargs, **options)
        sent += 1
    return sent


@admin.register(PeriodicTask)
class ScheduledJobAdmin(OperationsAdminMixin, BasePeriodicTaskAdmin, ModelAdmin):
    form = ScheduledJobForm
    list_display = ["job", "description_short", "schedule", "active", "last_run_at", "total_run_count", "task"]
    list_display_links = ["job"]
    list_filter = ["enabled", "queue"]
    search_fields = ["name", "task", "description"]
    actions = ("run_selected_now", "enable_tasks", "disable_tasks")
    ordering = ["name"]
    date_hierarchy = None
    change_form_after_template = "admin/monitoring/run_now_button.html"
    # django-celery-beat's own template runs an inline script, which the Content-Security-Policy refuses.
    change_form_template = "admin/monitoring/periodictask_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("interval", "crontab", "solar", "clocked")

    def changelist_view(self, request, extra_context=None):
        # The stock view warns unless the scheduler is exactly django-celery-beat's; ours subclasses it.
        return ModelAdmin.changelist_view(self, request, extra_context)

    @display(description="job", ordering="name", header=True)
    def job(self, obj):
        return [readable_name(obj.name), obj.name if readable_name(obj.name) != obj.name else "", None, None]

    @display(description="what it does")
    def description_short(self, obj):
        return obj.description or "—"

    @display(description="schedule")
    def schedule(self, obj):
        return describe_schedule(obj)

    @display(description="enabled", boolean=True, ordering="enabled")
    def active(self, obj):
        return obj.enabled

    @admin.action(description="Run selected jobs now", permissions=["change"])
    def run_selected_now(self, request, queryset):
        tasks = list(queryset)
        run_now(tasks)
        self.message_user(request, f"Sent {len(tasks)} job(s) to the workers now; their schedules are unchanged.")

    def get_urls(self):
        return [
            path("<int:pk>/run-now/", self.admin_site.admin_view(self.run_now_view), name="monitoring_run_now"),
            *super().get_urls(),
        ]

    def run_now_view(self, request, pk: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        task = get_object_or_404(PeriodicTask, pk=pk)
        run_now([task])
        messages.success(request, f"“{task.name}” sent to the workers now.")
        return HttpResponseRedirect(reverse("admin:django_celery_beat_periodictask_change", args=[pk]))


class ScheduleAdmin(OperationsAdminMixin, ModelAdmin):
    def has_module_permission(self, request):
        return super().has_module_permission(request) and request.user.has_perm("django_celery_beat.view_periodictask")


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(ScheduleAdmin):
    list_display = ["__str__", "every", "period"]


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(ScheduleAdmin):
    list_display = ["__str__", "human_readable", "timezone"]
    fields = ["minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone"]


@admin.register(SolarSchedule)
class SolarScheduleAdmin(ScheduleAdmin):
    pass


@admin.register(ClockedSchedule)
class ClockedScheduleAdmin(ScheduleAdmin):
    list_display = ["clocked_time"]


@admin.register(Alert)
class AlertAdmin(OperationsAdminMixin, ReadOnlyAdmin):
    """Incidents raised by the alert rules (read-only: the evaluator opens and resolves them)."""

    list_display = [
        "message",
        "level",
        "rule",
        "subject",
        "value",
        "threshold",
        "started_at",
        "resolved_at",
        "notified_at",
    ]
    list_filter = ["severity", "rule", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "message"]
    date_hierarchy = "started_at"
    show_full_result_count = False

    @display(description="severity", ordering="severity", label={"warning": "warning", "critical": "danger"})
    def level(self, obj):
        return obj.severity
