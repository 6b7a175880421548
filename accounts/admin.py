from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from accounts.models import ApiToken, AuditEntry, Invitation, Membership, Team
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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Every user's tokens, never their values (only digests are stored); superusers revoke them.
    Users create their own on /accounts/tokens/, where the value is shown once."""

    list_display = ["name", "user", "team", "token_key", "created", "last_used", "expiry"]
    list_filter = ["team"]
    search_fields = ["name", "token_key", "user__username"]
    exclude = ["digest"]
    list_select_related = ["user", "team"]

    def delete_model(self, request, obj: ApiToken) -> None:
        obj.revoke(actor=request.user, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset:
            token.revoke(actor=request.user, request=request)


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


@admin.register(Invitation)
class InvitationAdmin(ModelAdmin):
    """Read-mostly: invitations are sent from the team's members page or the API (the key is e-mailed once)."""

    list_display = ["email", "team", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["team", "role"]
    search_fields = ["email", "team__name"]
    list_select_related = ["team", "invited_by"]
    readonly_fields = ["team", "email", "role", "invited_by", "expires_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request) -> bool:
        return False
