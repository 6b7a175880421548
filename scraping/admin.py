"""Staff views of collection: scraper control (start/stop), scrape runs and the system log.

Runs and log lines are records of what happened, so they are read-only here; only a scraper's
``enabled`` switch, description and config are edited. Workers poll ``enabled`` (DESIGN §2), so
stopping takes effect at the next target without a restart.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateTimeFilter
from unfold.decorators import display

from config.admin import (
    EstimatedCountPaginator,
    OperationsAdminMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    TeamScopedAdminMixin,
)
from scraping.models import Lookup, Scraper, ScrapeRun, SystemLog

STATUS_LABELS = {
    "running": "info",
    "succeeded": "success",
    "idle": "success",
    "queued": "info",
    "partial": "warning",
    "stalled": "warning",
    "stopped": "warning",
    "cancelled": "warning",
    "failed": "danger",
    "error": "danger",
    "ready": "success",
    "profile": "info",
    "posts": "info",
    "analysing": "info",
}
LEVEL_LABELS = {"debug": "info", "info": "info", "warning": "warning", "error": "danger", "critical": "danger"}


@admin.register(Scraper)
class ScraperAdmin(OperationsAdminMixin, ModelAdmin):
    list_display = ["name", "upstream", "enabled", "state", "heartbeat_at", "current_run", "updated_at"]
    list_filter = ["upstream", "enabled", "status"]
    search_fields = ["name"]
    list_select_related = ["current_run"]
    readonly_fields = ["status", "heartbeat_at", "current_run", "updated_at"]
    fields = [
        "name",
        "upstream",
        "description",
        "enabled",
        "config",
        "status",
        "heartbeat_at",
        "current_run",
        "updated_at",
    ]
    actions = ["start", "stop"]

    @display(description="status", label=STATUS_LABELS)
    def state(self, obj):
        return obj.status

    @admin.action(description="Start selected scrapers", permissions=["change"])
    def start(self, request, queryset):
        changed = queryset.filter(enabled=False).update(enabled=True, status=Scraper.Status.IDLE)
        self.message_user(request, f"Started {changed} scraper(s); workers pick them up on their next poll.")

    @admin.action(description="Stop selected scrapers", permissions=["change"])
    def stop(self, request, queryset):
        changed = queryset.filter(enabled=True).update(enabled=False, status=Scraper.Status.STOPPED)
        level = messages.SUCCESS if changed else messages.INFO
        self.message_user(request, f"Stopped {changed} scraper(s); a running job ends after its current target.", level)

    def save_model(self, request, obj, form, change):
        if "enabled" in form.changed_data:
            obj.status = Scraper.Status.IDLE if obj.enabled else Scraper.Status.STOPPED
        super().save_model(request, obj, form, change)


class SystemLogInline(ReadOnlyInline):
    model = SystemLog
    fields = ["created_at", "level", "source", "message"]
    ordering = ["-created_at"]


@admin.register(ScrapeRun)
class ScrapeRunAdmin(OperationsAdminMixin, ReadOnlyAdmin):
    list_display = [
        "kind",
        "target",
        "state",
        "scraper",
        *ScrapeRun.COUNT_FIELDS,
        "duration",
        "estimated_cost",
        "created_at",
    ]
    list_filter = [
        ("status", ChoicesDropdownFilter),
        "kind",
        "scraper",
        ("created_at", RangeDateTimeFilter),
    ]
    list_filter_submit = True
    search_fields = ["target", "error_message"]
    list_select_related = ["scraper"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = [SystemLogInline]

    @display(description="status", ordering="status", label=STATUS_LABELS)
    def state(self, obj):
        return obj.status

    @display(description="duration", ordering="duration_seconds")
    def duration(self, obj):
        if obj.duration_seconds is None:
            if obj.started_at and not obj.finished_at:
                return f"running {int((timezone.now() - obj.started_at).total_seconds())} s"
            return "—"
        return f"{obj.duration_seconds:.1f} s"


@admin.register(SystemLog)
class SystemLogAdmin(OperationsAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "severity", "source", "message_short", "scrape_run"]
    list_filter = [("level", ChoicesDropdownFilter), "source", ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["message"]
    list_select_related = ["scrape_run"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @display(description="level", ordering="level", label=LEVEL_LABELS)
    def severity(self, obj):
        return obj.level

    @display(description="message")
    def message_short(self, obj):
        return obj.message if len(obj.message) <= 160 else obj.message[:157] + "…"


@admin.register(Lookup)
class LookupAdmin(TeamScopedAdminMixin, ReadOnlyAdmin):
    """A team's lookups (superusers: every team's): who asked for what, how it went, what it cost."""

    list_display = [
        "kind",
        "handle",
        "state",
        "requester",
        "team",
        "error_code",
        "stale",
        "from_cache",
        "leader",
        "api_calls",
        "estimated_cost",
        "created_at",
        "finished_at",
    ]
    list_filter = [
        ("status", ChoicesDropdownFilter),
        "kind",
        "error_code",
        "stale",
        ("created_at", RangeDateTimeFilter),
    ]
    list_filter_submit = True
    search_fields = ["handle", "requester__username", "error_message"]
    list_select_related = ["requester", "team"]
    raw_id_fields = ["requester", "leader", "profile", "community", "scrape_run"]
    paginator = EstimatedCountPaginator

    @display(description="status", label=STATUS_LABELS)
    def state(self, obj: Lookup) -> str:
        return obj.status
