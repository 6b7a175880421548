"""Stored media in admin: a preview of each asset and its size before and after compression."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.decorators import display

from config.admin import ReadOnlyAdmin
from media.models import Asset, RemoteSource


def _url(asset: Asset, name: str) -> str:
    stored = getattr(asset, name)
    return stored.url if stored else ""


@admin.register(Asset)
class AssetAdmin(ModelAdmin):
    list_display = ["preview", "sha256_short", "kind", "mime_type", "dimensions", "size", "saved", "created_at"]
    list_filter = ["kind", "mime_type"]
    search_fields = ["sha256", "source_url"]
    readonly_fields = ["preview_large", "sha256", "bytes_original", "bytes_stored", "created_at"]
    show_full_result_count = False

    @display(description="")
    def preview(self, obj):
        url = _url(obj, "thumbnail") or (_url(obj, "file") if obj.kind != "video" else "")
        return format_html('<img src="{}" alt="" width="40" height="40" loading="lazy">', url) if url else "—"

    @display(description="preview")
    def preview_large(self, obj):
        if obj.kind == "video" and obj.file:
            return format_html('<video src="{}" controls width="360" preload="metadata"></video>', obj.file.url)
        url = _url(obj, "file") or _url(obj, "thumbnail")
        return format_html('<img src="{}" alt="" style="max-width:360px">', url) if url else "—"

    @display(description="sha256", ordering="sha256")
    def sha256_short(self, obj):
        return obj.sha256[:12]

    @display(description="size")
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width and obj.height else "—"

    @display(description="stored", ordering="bytes_stored")
    def size(self, obj):
        return f"{obj.bytes_stored / 1024:,.0f} KiB" if obj.bytes_stored is not None else "—"

    @display(description="saved")
    def saved(self, obj):
        if not obj.bytes_original or obj.bytes_stored is None:
            return "—"
        return f"{100 * (1 - obj.bytes_stored / obj.bytes_original):.0f} %"


@admin.register(RemoteSource)
class RemoteSourceAdmin(ReadOnlyAdmin):
    """Every remote URL the media worker was asked to fetch: failures, retries and what they became."""

    list_display = ["short_url", "purpose", "state", "attempts", "error_code", "permanent", "asset", "last_attempt_at"]
    list_filter = ["status", "purpose", "permanent", "error_code"]
    search_fields = ["url", "url_key", "error"]
    list_select_related = ["asset"]
    show_full_result_count = False

    @display(description="url")
    def short_url(self, obj):
        return obj.url if len(obj.url) <= 80 else obj.url[:77] + "…"

    @display(description="status", ordering="status", label={"done": "success", "pending": "info", "failed": "danger"})
    def state(self, obj):
        return obj.status
