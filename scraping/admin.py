"""Baseline admin for scraper control, runs and logs."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from scraping.models import Scraper, ScrapeRun, SystemLog


@admin.register(Scraper)
class ScraperAdmin(ModelAdmin):
    list_display = ["name", "upstream", "enabled", "status", "heartbeat_at", "updated_at"]
    list_filter = ["upstream", "enabled", "status"]
    search_fields = ["name"]


@admin.register(ScrapeRun)
class ScrapeRunAdmin(ModelAdmin):
    list_display = [
        "kind",
        "target",
        "status",
        "items_scraped",
        "api_calls",
        "errors",
        "duration_seconds",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["target", "error_message"]
    date_hierarchy = "created_at"


@admin.register(SystemLog)
class SystemLogAdmin(ModelAdmin):
    list_display = ["created_at", "level", "source", "message"]
    list_filter = ["level", "source"]
    search_fields = ["message"]
    date_hierarchy = "created_at"
