"""Operations endpoints for staff: scraper control, scrape runs, the system log, dashboard figures."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.caching import cache_key
from config.api.viewsets import IsStaff
from scraping import control
from scraping.api import serializers as s
from scraping.api.stats import dashboard
from scraping.filters import ScrapeRunFilterSet, SystemLogFilterSet
from scraping.models import Scraper, ScrapeRun, SystemLog


class StaffReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Operations data is the whole system's, not a user's: staff see all of it, others get 403."""

    permission_classes = [IsStaff]


@extend_schema_view(
    list=extend_schema(summary="Scrapers and their status"),
    retrieve=extend_schema(summary="A scraper"),
)
class ScraperViewSet(StaffReadOnlyViewSet):
    queryset = Scraper.objects.select_related("current_run__scraper")
    serializer_class = s.ScraperSerializer
    pagination_class = None

    def _switch(self, request: Request, enabled: bool) -> Response:
        scraper = self.get_object()
        scraper.enabled = enabled
        # Workers poll ``enabled``; a stopped scraper finishes its current item and idles.
        scraper.status = Scraper.Status.IDLE if enabled else Scraper.Status.STOPPED
        scraper.save(update_fields=["enabled", "status", "updated_at"])
        # The same log line (source, shape) as every other way of switching a scraper.
        control.log(
            "info",
            f"scraping.{scraper.name}",
            f"{request.user.get_username()} {'started' if enabled else 'stopped'} scraper {scraper.name}",
            user_id=request.user.pk,
        )
        return Response(self.get_serializer(scraper).data)

    @extend_schema(summary="Start (enable) a scraper", request=None)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        return self._switch(request, True)

    @extend_schema(summary="Stop (disable) a scraper", request=None)
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, pk: str) -> Response:
        return self._switch(request, False)


@extend_schema_view(
    list=extend_schema(summary="Scrape runs, newest first"), retrieve=extend_schema(summary="A scrape run")
)
class ScrapeRunViewSet(StaffReadOnlyViewSet):
    queryset = ScrapeRun.objects.select_related("scraper").order_by("-created_at", "-id")
    serializer_class = s.ScrapeRunSerializer
    filterset_class = ScrapeRunFilterSet


@extend_schema_view(
    list=extend_schema(summary="System log, newest first"), retrieve=extend_schema(summary="A log line")
)
class SystemLogViewSet(StaffReadOnlyViewSet):
    queryset = SystemLog.objects.order_by("-created_at", "-id")
    serializer_class = s.SystemLogSerializer
    filterset_class = SystemLogFilterSet


class DashboardView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Dashboard figures",
        responses=s.DashboardSerializer,
        description=f"Counts, growth of the data set, AI coverage and scrape success rates; cached {settings.API_DASHBOARD_CACHE_TTL} s.",
    )
    def get(self, request: Request) -> Response:
        ttl = settings.API_DASHBOARD_CACHE_TTL
        if not ttl:
            return Response(dashboard())
        return Response(cache.get_or_set(cache_key("dashboard"), dashboard, ttl))
