"""Serializers for the staff operations endpoints."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from scraping.models import Scraper, ScrapeRun, SystemLog


class ScrapeRunSerializer(serializers.ModelSerializer):
    scraper = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = ScrapeRun
        fields = [
            "id",
            "scraper",
            "kind",
            "target",
            "status",
            "started_at",
            "finished_at",
            "duration_seconds",
            "targets_total",
            *ScrapeRun.COUNT_FIELDS,
            "estimated_cost",
            "error_message",
            "created_at",
        ]
        read_only_fields = fields


class ScraperSerializer(serializers.ModelSerializer):
    current_run = ScrapeRunSerializer(read_only=True, allow_null=True)
    is_stalled = serializers.SerializerMethodField(
        help_text="Running but no heartbeat for MONITORING_HEARTBEAT_STALE_SECONDS (the watchdog's and the alert's threshold)."
    )

    class Meta:
        model = Scraper
        fields = [
            "id",
            "name",
            "upstream",
            "description",
            "enabled",
            "status",
            "heartbeat_at",
            "is_stalled",
            "current_run",
            "config",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_stalled(self, scraper: Scraper) -> bool:
        if scraper.status != Scraper.Status.RUNNING:
            return False
        stale = timedelta(seconds=settings.MONITORING_HEARTBEAT_STALE_SECONDS)
        return scraper.heartbeat_at is None or timezone.now() - scraper.heartbeat_at > stale


class SystemLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = SystemLog
        fields = ["id", "created_at", "level", "source", "message", "context", "scrape_run"]
        read_only_fields = fields


class CountsSerializer(serializers.Serializer):
    profiles = serializers.IntegerField()
    instagram_profiles = serializers.IntegerField()
    reddit_profiles = serializers.IntegerField()
    communities = serializers.IntegerField()
    posts = serializers.IntegerField()


class DayCountSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class GrowthSerializer(serializers.Serializer):
    profiles_per_day = DayCountSerializer(many=True)
    posts_per_day = DayCountSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    posts_by_status = serializers.DictField(child=serializers.IntegerField())
    posts_analysed_share = serializers.FloatField(allow_null=True)
    profiles_analysed_share = serializers.FloatField(allow_null=True)


class SuccessRateSerializer(serializers.Serializer):
    finished = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="succeeded / (succeeded + partial + failed)")


class ScrapingHealthSerializer(serializers.Serializer):
    success_rate_24h = SuccessRateSerializer()
    success_rate_7d = SuccessRateSerializer()
    profiles_never_scraped = serializers.IntegerField()
    scrapers_by_status = serializers.DictField(child=serializers.IntegerField())
    errors_24h = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    counts = CountsSerializer()
    growth_30d = GrowthSerializer()
    ai_coverage = CoverageSerializer()
    scraping = ScrapingHealthSerializer()
