"""Audience intelligence in the admin: creator connections (tokens never shown) and deletion requests."""

from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin

from config.admin import ReadOnlyAdmin
from profiles.models import DataDeletionRequest, InstagramConnection


@admin.register(InstagramConnection)
class InstagramConnectionAdmin(ModelAdmin):
    """Who connected which account, and whether it still works; the token itself never leaves the database."""

    list_display = ["profile", "login", "status", "status_reason", "last_synced_at", "token_expires_at", "team"]
    list_filter = ["status", "login"]
    search_fields = ["profile__handle", "ig_user_id", "page_id", "meta_user_id"]
    list_select_related = ["profile", "team"]
    raw_id_fields = ["profile"]
    exclude = ["access_token"]
    readonly_fields = [
        "profile",
        "team",
        "connected_by",
        "ig_user_id",
        "login",
        "page_id",
        "meta_user_id",
        "token_expires_at",
        "permissions",
        "status",
        "status_reason",
        "connected_at",
        "last_synced_at",
    ]
    fields = [*readonly_fields, "next_sync_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DataDeletionRequest)
class DataDeletionRequestAdmin(ReadOnlyAdmin):
    list_display = ["confirmation_code", "ig_user_id", "received_at", "completed_at", "deleted_rows"]
    search_fields = ["confirmation_code", "ig_user_id"]
