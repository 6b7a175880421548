"""Watches, inbox events and alert settings in admin: support's view when a user asks why they were told."""

from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter

from config.admin import ReadOnlyAdmin
from watches.models import AlertSettings, Event, Watch


@admin.register(Watch)
class WatchAdmin(ModelAdmin):
    list_display = ["__str__", "team", "user", "created_at"]
    list_filter = ["team"]
    search_fields = ["user__username", "profile__handle", "community__name", "watched_list__name"]
    list_select_related = ["team", "user", "profile", "community", "watched_list"]
    raw_id_fields = ["user", "profile", "community", "watched_list"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "user", "created_at", "read_at", "emailed_at", "webhook_status"]
    list_filter = [("kind", ChoicesDropdownFilter), ("webhook_status", ChoicesDropdownFilter)]
    search_fields = ["title", "user__username"]
    list_select_related = ["user"]


@admin.register(AlertSettings)
class AlertSettingsAdmin(ModelAdmin):
    list_display = ["user", "email_enabled", "webhook_url", "frequency", "last_digest_at"]
    list_filter = ["frequency"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
