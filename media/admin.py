"""Baseline admin for stored media."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from media.models import Asset


@admin.register(Asset)
class AssetAdmin(ModelAdmin):
    list_display = ["sha256", "kind", "mime_type", "width", "height", "bytes_original", "bytes_stored", "created_at"]
    list_filter = ["kind", "mime_type"]
    search_fields = ["sha256", "source_url"]
