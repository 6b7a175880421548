from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from accounts.models import Invitation, Membership, Team


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
