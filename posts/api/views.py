"""A creator's posts, analytics and AI insights; viral posts; the subreddit list, report and review.

These live in ``posts`` because they read posts, and ``profiles`` may not import ``posts``.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import ScopedViewSetMixin
from config.api_defaults import NewestFirstCursorPagination, PageNumberPagination
from config.celery import enqueue_on_commit
from posts.analytics import ai_insights_json, analytics_json, community_insights_json
from posts.api import serializers as s
from posts.filters import PostFilterSet, ViralPostFilterSet
from posts.models import Post
from profiles.api.serializers import (
    CommunityBulkReviewSerializer,
    CommunityIdsSerializer,
    CommunityReviewSerializer,
    CommunitySummarySerializer,
)
from profiles.api.views import PROFILE_PATH_PARAMETERS, ProfileReportMixin
from profiles.filters import CommunityFilterSet
from profiles.models import Community, CommunityReviewStatus

CATEGORIZE_TASK = "intelligence.tasks.categorize_communities"  # takes a list of community ids
# Reddit subreddit names: 2-21 letters, digits or underscores (3-21 for new ones; old ones are shorter).
SUBREDDIT_NAME = re.compile(r"[A-Za-z0-9_]{2,21}")

DAYS_PARAMETER = OpenApiParameter(
    "days", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Window in days, 7-730 (default 180)."
)


def window_days(request: Request, default: int = 180, low: int = 7, high: int = 730) -> int:
    raw = request.query_params.get("days")
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError({"days": [f"Expected a whole number of days from {low} to {high}."]})
    return int(raw)


class CanReviewCommunities(permissions.BasePermission):
    """Analysts (``profiles.change_community``) and staff review subreddits."""

    message = "Reviewing communities needs the analyst role (profiles.change_community)."

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("profiles.change_community")))


class ProfileReportViewSet(ProfileReportMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    """The parts of a creator report that read posts. Each needs (and opens) the viewer's access."""

    queryset = Post.objects.select_related("author", "community").prefetch_related("media__asset")
    serializer_class = s.PostSerializer
    filterset_class = PostFilterSet
    pagination_class = NewestFirstCursorPagination

    @extend_schema(
        summary="A creator's posts, newest first",
        parameters=PROFILE_PATH_PARAMETERS,
        description="Cursor-paginated (follow `next`); each post carries its AI results.",
    )
    def posts(self, request: Request, platform: str, handle: str) -> Response:
        profile = self.report_profile()
        queryset = self.filter_queryset(self.get_queryset().filter(author=profile))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="A creator's analytics",
        parameters=[*PROFILE_PATH_PARAMETERS, DAYS_PARAMETER],
        responses=s.ProfileAnalyticsSerializer,
        description=(
            "Follower and engagement time series, posting heatmap, content and language mix, viral "
            "posts, audience quality and sponsored vs organic, over the window. Cached until the "
            "profile is re-scraped or re-analysed; ETag / Last-Modified supported."
        ),
        filters=False,
    )
    def analytics(self, request: Request, platform: str, handle: str) -> Response:
        days = window_days(request)
        profile = self.report_profile()
        return self.cached_report(
            f"analytics-{days}", profile, settings.API_ANALYTICS_CACHE_TTL, lambda: analytics_json(profile, days)
        )

    @extend_schema(
        summary="A creator's AI insights",
        parameters=PROFILE_PATH_PARAMETERS,
        responses=s.AIInsightsSerializer,
        description="AI aggregates with the per-post and per-comment sentiment they rest on, the analysis backlog and pending tag suggestions.",
        filters=False,
    )
    def ai_insights(self, request: Request, platform: str, handle: str) -> Response:
        profile = self.report_profile()
        return self.cached_report(
            "ai-insights", profile, settings.API_DETAIL_CACHE_TTL, lambda: ai_insights_json(profile)
        )


@extend_schema_view(
    list=extend_schema(
        summary="Viral posts",
        description="Posts flagged viral by the metrics job (engagement far above the author's norm) in the last `days` days, most engaging first.",
    )
)
class ViralPostViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = (
        Post.objects.viral()
        .with_engagement()
        .select_related("author", "community")
        .prefetch_related("media__asset")
        .order_by("-engagement", "-posted_at", "-id")
    )
    serializer_class = s.PostSerializer
    filterset_class = ViralPostFilterSet


class ReviewCountsPagination(PageNumberPagination):
    """Pages of communities plus how many match the other filters in each review status."""

    review_status_counts: dict[str, int] = {}

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["review_status_counts"] = self.review_status_counts
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["review_status_counts"] = {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "example": {status: 0 for status in CommunityReviewStatus.values},
            "description": "Communities per review status under the other filters (the review queue's tabs).",
        }
        return paginated


@extend_schema_view(
    list=extend_schema(summary="Search subreddits", description="With counts per review status."),
    retrieve=extend_schema(
        summary="Subreddit report",
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, description="Without r/.")],
    ),
)
class CommunityViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Community.objects.prefetch_related("tags")
    filterset_class = CommunityFilterSet
    pagination_class = ReviewCountsPagination
    lookup_field = "name"
    lookup_value_regex = "[^/]+"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.CommunityDetailSerializer
        if self.action == "review":
            return CommunityReviewSerializer
        if self.action == "bulk_review":
            return CommunityBulkReviewSerializer
        if self.action == "categorize_many":
            return CommunityIdsSerializer
        return CommunitySummarySerializer

    def get_object(self) -> Community:
        name = self.kwargs["name"].removeprefix("r/")
        if not SUBREDDIT_NAME.fullmatch(name):
            raise ValidationError({"name": ["A subreddit name is 2-21 letters, digits or underscores."]})
        community = (
            self.get_queryset().alias(name_lower=Lower("name")).filter(name_lower=name.lower()).order_by().first()
        )
        if community is None:
            raise NotFound(f"No subreddit r/{name} has been collected.")
        return community

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        others = request.query_params.copy()
        others.pop("review_status", None)
        unfiltered_status = CommunityFilterSet(others, queryset=self.get_queryset(), request=request).qs
        counts = dict(unfiltered_status.order_by().values_list("review_status").annotate(n=Count("id")))
        self.paginator.review_status_counts = {key: counts.get(key, 0) for key in CommunityReviewStatus.values}
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, name: str) -> Response:
        community = self.get_object()
        context = {**self.get_serializer_context(), "insights": community_insights_json(community)}
        return Response(s.CommunityDetailSerializer(community, context=context).data)

    @extend_schema(summary="Review a subreddit", responses=CommunitySummarySerializer, filters=False)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewCommunities])
    def review(self, request: Request, name: str) -> Response:
        community = self.get_object()
        serializer = CommunityReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            community.review_status = data["review_status"]
            community.reviewed_at = timezone.now()
            fields = ["review_status", "reviewed_at", "updated_at"]
            for field in ("primary_category", "notes"):
                if field in data:
                    setattr(community, field, data[field])
                    fields.append(field)
            community.save(update_fields=fields)
            if "tags" in data:
                community.tags.set(data["tags"])
        return Response(CommunitySummarySerializer(community).data)

    @extend_schema(
        summary="Review many subreddits at once",
        responses=inline_serializer("BulkReviewResult", {"updated": serializers.IntegerField()}),
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="bulk-review", permission_classes=[CanReviewCommunities])
    def bulk_review(self, request: Request) -> Response:
        serializer = CommunityBulkReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        now = timezone.now()
        updated = Community.objects.filter(pk__in=serializer.validated_data["ids"]).update(
            review_status=serializer.validated_data["review_status"], reviewed_at=now, updated_at=now
        )
        return Response({"updated": updated})

    @extend_schema(
        summary="Queue AI categorisation of a subreddit",
        request=None,
        responses={
            202: inline_serializer(
                "CategorizeQueued",
                {"queued": serializers.ListField(child=serializers.IntegerField()), "task": serializers.CharField()},
            )
        },
        filters=False,
    )
    @action(detail=True, methods=["post"], permission_classes=[CanReviewCommunities])
    def categorize(self, request: Request, name: str) -> Response:
        community = self.get_object()
        return queue_categorization([community.pk])

    @extend_schema(
        operation_id="v1_communities_categorize_many",
        summary="Queue AI categorisation of many subreddits",
        request=CommunityIdsSerializer,
        responses={
            202: inline_serializer(
                "CategorizeManyQueued",
                {"queued": serializers.ListField(child=serializers.IntegerField()), "task": serializers.CharField()},
            )
        },
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="categorize", permission_classes=[CanReviewCommunities])
    def categorize_many(self, request: Request) -> Response:
        serializer = CommunityIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return queue_categorization(serializer.validated_data["ids"])


def queue_categorization(ids: list[int]) -> Response:
    """Send the intelligence worker's task by name: the web process never imports ``intelligence``."""
    enqueue_on_commit(CATEGORIZE_TASK, [ids])
    return Response({"queued": ids, "task": CATEGORIZE_TASK}, status=status.HTTP_202_ACCEPTED)
