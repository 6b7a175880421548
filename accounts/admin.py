from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from accounts.models import AuditEntry, Membership, Team
from config.admin import ReadOnlyAdmin


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Every team's trail for staff. Unlike other records, not even superusers delete entries here:
    only the retention task does (AUDIT_RETENTION_DAYS)."""

    list_display = ["timestamp", "actor_repr", "action", "team", "target_repr", "remote_addr"]
    list_filter = ["action", "team"]
    list_select_related = ["team"]
    search_fields = ["actor_repr", "target_repr"]
    date_hierarchy = "timestamp"

    def has_delete_permission(self, request, obj=None):
        return False
