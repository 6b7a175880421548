"""AI bookkeeping in admin: every analysis batch with its counts, backend, errors and speed (read-only)."""

from __future__ import annotations

from django.contrib import admin
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import display

from config.admin import ReadOnlyAdmin
from intelligence.models import AnalysisBatch, ProfileEmbedding


@admin.register(AnalysisBatch)
class AnalysisBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "state",
        "backend",
        "model_version",
        "requested",
        "processed",
        "failed",
        "skipped",
        "speed",
        "started_at",
    ]
    list_filter = [("status", ChoicesDropdownFilter), ("kind", ChoicesDropdownFilter), "backend"]
    search_fields = ["model_version"]
    show_full_result_count = False

    @display(
        description="status",
        ordering="status",
        label={"running": "info", "done": "success", "partial": "warning", "failed": "danger"},
    )
    def state(self, obj):
        return obj.status

    @display(description="items/s")
    def speed(self, obj):
        rate = obj.items_per_second
        return f"{rate:.1f}" if rate is not None else "—"


@admin.register(ProfileEmbedding)
class ProfileEmbeddingAdmin(ReadOnlyAdmin):
    list_display = ["profile", "model_name", "dim", "posts_count", "updated_at"]
    list_filter = ["model_name"]
    search_fields = ["profile__handle"]
    list_select_related = ["profile"]
    exclude = ["vector"]
    show_full_result_count = False
