"""Serializers for the staff operations endpoints."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from config.api.fields import ModelSerializer
from profiles.api.serializers import CommunitySummarySerializer, ProfileDetailSerializer
from scraping import collect, lookup
from scraping.models import Lookup, Scraper, ScrapeRun, SystemLog


class ScrapeRunSerializer(ModelSerializer):
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


class ScraperSerializer(ModelSerializer):
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


class SystemLogSerializer(ModelSerializer):
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


class LookupRequestSerializer(serializers.Serializer):
    """``POST /api/v1/lookups/``: what to look up, and how old a stored report may be to answer at once."""

    platform = serializers.CharField(help_text="instagram, reddit (a user, or r/<name>) or subreddit.")
    handle = serializers.CharField(max_length=300, help_text="A handle, @handle, u/name, r/name or a profile URL.")
    max_age = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=f"Seconds; a stored report younger than this answers at once (default {settings.LOOKUP_MAX_AGE}).",
    )

    def validate(self, attrs: dict) -> dict:
        try:
            attrs["kind"], attrs["name"] = lookup.parse_target(attrs["platform"], attrs["handle"])
        except lookup.BadTarget as exc:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None
        return attrs


class LookupErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="not_found, private, banned, rate_limited, upstream_down, timeout, quota…")
    message = serializers.CharField()
    retry_after = serializers.FloatField(allow_null=True, help_text="Seconds to wait before asking again.")


class LookupSerializer(ModelSerializer):
    """A lookup's progress and outcome; the report itself once it is ready."""

    platform = serializers.CharField(source="kind", read_only=True)
    status_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    age_seconds = serializers.SerializerMethodField(help_text="Age of the stored copy answering the lookup.")
    pending = serializers.SerializerMethodField(help_text="Background parts of the report still under way.")
    report = serializers.SerializerMethodField()
    also_look_up = serializers.SerializerMethodField(
        help_text="The same person's other accounts (ProfileLink, confirmed or suggested) to look up next."
    )
    shared = serializers.SerializerMethodField(help_text="True when another lookup's fetch answered this one.")
    waiting_seconds = serializers.SerializerMethodField(
        help_text="While in flight: how long the lookup waits for the upstream's request budget."
    )

    class Meta:
        model = Lookup
        fields = [
            "id",
            "platform",
            "handle",
            "status",
            "steps",
            "stale",
            "from_cache",
            "shared",
            "waiting_seconds",
            "age_seconds",
            "pending",
            "error",
            "api_calls",
            "estimated_cost",
            "created_at",
            "finished_at",
            "duration_seconds",
            "status_url",
            "page_url",
            "report_url",
            "report",
            "also_look_up",
        ]
        read_only_fields = fields

    def get_status_url(self, obj: Lookup) -> str:
        return reverse("api-lookup-detail", args=[obj.pk])

    def get_page_url(self, obj: Lookup) -> str:
        return reverse("scraping:lookup", args=[obj.pk])

    def get_report_url(self, obj: Lookup) -> str | None:
        if obj.status != Lookup.Status.READY:
            return None
        if obj.profile_id:
            return reverse("api-profile-detail", args=[obj.profile.platform, obj.profile.handle])
        if obj.community_id:
            return reverse("api-community-detail", args=[obj.community.name])
        return None

    @extend_schema_field(LookupErrorSerializer(allow_null=True))
    def get_error(self, obj: Lookup) -> dict | None:
        if not obj.error_code:
            return None
        return {"code": obj.error_code, "message": obj.error_message, "retry_after": obj.retry_after}

    def get_age_seconds(self, obj: Lookup) -> float | None:
        return lookup.age_seconds(obj) if obj.status == Lookup.Status.READY else None

    def get_pending(self, obj: Lookup) -> list[str]:
        return lookup.pending_parts(obj)

    @extend_schema_field(
        inline_serializer(
            "AlsoLookUp",
            {
                "platform": serializers.CharField(),
                "handle": serializers.CharField(),
                "link_status": serializers.CharField(),
                "confidence": serializers.FloatField(),
            },
            many=True,
        )
    )
    def get_also_look_up(self, obj: Lookup) -> list[dict]:
        return lookup.also_look_up(obj)

    def get_waiting_seconds(self, obj: Lookup) -> float | None:
        return obj.retry_after if obj.in_flight else None

    def get_shared(self, obj: Lookup) -> bool:
        return obj.leader_id is not None

    # null until the lookup is ready.
    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_report(self, obj: Lookup) -> dict | None:
        """The creator report as ``/api/v1/profiles/…`` serves it; a subreddit's summary (its full report,
        with insights, is at ``report_url``)."""
        if obj.status != Lookup.Status.READY:
            return None
        if obj.profile_id:
            return ProfileDetailSerializer(obj.profile).data
        if obj.community_id:
            return CommunitySummarySerializer(obj.community).data
        return None


class ScrapeTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=collect.KINDS)
    target = serializers.CharField(max_length=300, help_text="Handle, @handle, u/name or r/name.")

    def validate(self, attrs: dict) -> dict:
        try:
            attrs["target"] = collect.normalise_target(attrs["kind"], attrs["target"])
        except ValueError as exc:
            raise serializers.ValidationError({"target": [str(exc)]}) from None
        return attrs


class ScrapeRequestSerializer(serializers.Serializer):
    """``POST /api/v1/ops/scrapes/``: targets to scrape now, each answered with its run."""

    targets = ScrapeTargetSerializer(many=True, allow_empty=False, max_length=500)


class QueuedRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    target = serializers.CharField()
    status = serializers.CharField()
    status_url = serializers.CharField()


class QueuedRunsSerializer(serializers.Serializer):
    runs = QueuedRunSerializer(many=True)
