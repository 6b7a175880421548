"""Lookups for every signed-in user; operations endpoints for staff: scraper control, scrape runs and
scrapes on demand, the system log, dashboard figures."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.teams import team_for_writing
from config.api.caching import cache_key
from config.api.viewsets import IsOperator, ScopedViewSetMixin
from config.celery import enqueue_on_commit
from profiles.access import AccessLimitReached
from scraping import control, lookup
from scraping.api import serializers as s
from scraping.api.stats import dashboard
from scraping.filters import ScrapeRunFilterSet, SystemLogFilterSet
from scraping.models import Lookup, Scraper, ScrapeRun, SystemLog


class StaffReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Operations data is the whole system's, not a user's: staff see all of it, others get 403."""

    permission_classes = [IsOperator]


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
    permission_classes = [IsOperator]

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


@extend_schema_view(
    list=extend_schema(summary="Your lookups, newest first"),
    retrieve=extend_schema(summary="A lookup's progress, and its report once ready"),
)
class LookupViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """On-demand lookups, shared in the team they were asked in (another team's answer 404); asking one
    needs a writer's role in the current team, as adding any team row does."""

    queryset = Lookup.objects.select_related("profile", "community")
    serializer_class = s.LookupSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        lookup.reap()
        response = super().retrieve(request, *args, **kwargs)
        if response.data.get("error") and response.data["error"]["retry_after"]:
            response["Retry-After"] = str(math.ceil(response.data["error"]["retry_after"]))
        return response

    @extend_schema(
        summary="Look up a creator or subreddit now",
        request=s.LookupRequestSerializer,
        responses={200: s.LookupSerializer, 202: s.LookupSerializer},
        description=(
            "A malformed handle, an unknown platform or another site's URL answers 400 with a field message; "
            "a used-up monthly quota answers 403 with ``resets_at``, before any upstream call. "
            "Answers 200 with the report when a stored copy is younger than ``max_age`` seconds, otherwise "
            "202 with the lookup's ``status_url`` to poll (queued → profile → posts → analysing → ready or "
            f"failed, within {settings.LOOKUP_TIMEOUT} s). Concurrent lookups of one target share one fetch. "
            "A successful lookup of a creator opens your access to its report and counts against the monthly "
            "quota; a failed one costs nothing. When the upstream fails and a copy exists, the lookup is "
            "ready with ``stale: true`` and the copy's ``age_seconds``."
        ),
    )
    def create(self, request: Request) -> Response:
        data = s.LookupRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            row = lookup.request_lookup(
                request.user,
                data.validated_data["platform"],
                data.validated_data["handle"],
                team=team_for_writing(request),
                max_age=data.validated_data.get("max_age"),
            )
        except AccessLimitReached as exc:
            return Response(
                {"detail": str(exc), "code": "quota_exceeded", "limit": exc.limit, "resets_at": exc.resets_at},
                status=status.HTTP_403_FORBIDDEN,
            )
        body = self.get_serializer(self.get_queryset().get(pk=row.pk)).data
        if row.status == Lookup.Status.READY:
            return Response(body, status=status.HTTP_200_OK)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class ScrapeRequestView(APIView):
    """Staff start scrapes of named targets now, on the scraping queue; each answers with its run."""

    permission_classes = [IsOperator]

    @extend_schema(
        summary="Scrape targets now",
        request=s.ScrapeRequestSerializer,
        responses={202: s.QueuedRunsSerializer},
        description="One queued scrape run per target; poll ``/api/v1/ops/scrape-runs/{id}/`` for each.",
    )
    def post(self, request: Request) -> Response:
        data = s.ScrapeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        runs = []
        with transaction.atomic():
            for target in data.validated_data["targets"]:
                run = ScrapeRun.objects.create(kind=target["kind"], target=target["target"], targets_total=1)
                enqueue_on_commit("scraping.tasks.run_scrape", [run.pk])
                runs.append(run)
        control.log(
            "info", "scraping", f"{request.user.get_username()} queued {len(runs)} scrapes", user_id=request.user.pk
        )
        return Response(
            {
                "runs": [
                    {
                        "id": run.pk,
                        "kind": run.kind,
                        "target": run.target,
                        "status": run.status,
                        "status_url": reverse("api-scrape-run-detail", args=[run.pk]),
                    }
                    for run in runs
                ]
            },
            status=status.HTTP_202_ACCEPTED,
        )
