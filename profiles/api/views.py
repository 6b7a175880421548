"""Creator search and reports (with the creator's posts, analytics and AI insights), the
subreddit list, report and review, favorites, saved searches and access grants."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.db.models.functions import Lower
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import audit
from accounts.teams import current_team
from config.api.caching import (
    cache_key,
    conditional_response,
    params_digest,
    version_of,
    versioned_get,
    versioned_set,
    with_validators,
)
from config.api.pagination import CappedCountPagination, NewestFirstCursorPagination, PageNumberPagination
from config.api.viewsets import (
    ScopedListDestroyViewSet,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
)
from config.celery import enqueue_on_commit
from posts.analytics import ai_insights_json, analytics_json, community_insights_json
from posts.api import serializers as posts_serializers
from posts.filters import PostFilterSet
from posts.models import Post
from profiles import bulk
from profiles.access import AccessLimitReached, check_quota, ensure_access, needs_confirmation, sharing_team
from profiles.api import serializers as s
from profiles.filters import CommunityFilterSet, ProfileFilterSet
from profiles.handles import handle_errors
from profiles.models import (
    Community,
    CommunityReviewStatus,
    Favorite,
    Platform,
    Profile,
    ProfileAccess,
    RelatedProfile,
    SearchHistory,
    Tag,
)
from profiles.querysets import PROFILE_VERSION_FIELDS, REPORT_LOOKUP_FIELDS

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
    """Who holds ``profiles.change_community`` (the Analyst and Staff groups, superusers) reviews
    subreddits; ``is_staff`` alone (admin access) does not, as on the pages and in admin."""

    message = "Reviewing communities needs the analyst role (profiles.change_community)."

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("profiles.change_community"))


PROFILE_PATH_PARAMETERS = [
    OpenApiParameter("platform", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Platform.values),
    OpenApiParameter("handle", OpenApiTypes.STR, OpenApiParameter.PATH, description="Username, without @."),
]


def validate_profile_path(platform: str, handle: str) -> None:
    """Raise a 400 with field messages when the platform or the handle cannot name an account."""
    errors = handle_errors(platform, handle)
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


def profile_version(profile: Profile) -> str:
    """Changes whenever the profile is re-scraped, its metrics recomputed, re-analysed or edited."""
    return version_of(*(getattr(profile, field) for field in PROFILE_VERSION_FIELDS))


def profile_last_modified(profile: Profile) -> datetime:
    stamps = [getattr(profile, field) for field in PROFILE_VERSION_FIELDS]
    return max(stamp for stamp in stamps if stamp is not None)


def load_deferred(profile: Profile) -> None:
    """Fetch the fields a light lookup left out, in one query (not one per attribute touched)."""
    if deferred := profile.get_deferred_fields():
        profile.refresh_from_db(fields=deferred)


class ProfileReportMixin:
    """Resolve ``{platform}/{handle}`` and hold the viewer's access to the report.

    The lookup, the viewer's access grant and favorite flag come back in one query, so a cached
    report costs one indexed lookup of a few columns (after authentication's own). Also used by the report's sub-resources (posts, analytics, AI
    insights); it scopes through ``restrict(user)`` itself because their querysets are of other
    models.
    """

    def get_profile(self, full: bool = False) -> Profile:
        """The profile with its version fields only, unless ``full``; the rest load on a cache miss."""
        platform, handle = self.kwargs["platform"], self.kwargs["handle"]
        validate_profile_path(platform, handle)
        profile = Profile.objects.for_report(
            self.request.user,
            platform,
            handle,
            only=() if full else REPORT_LOOKUP_FIELDS,
            team=current_team(self.request),
            access_team=sharing_team(self.request),
        )
        if profile is None:
            raise NotFound(f"No {platform} profile @{handle} has been collected.")
        return profile

    def require_access(self, profile: Profile) -> None:
        """Open (or confirm) the viewer's 30-day access; 403 with the reason when the quota is used."""
        if profile.viewer_access_expires_at and profile.viewer_access_expires_at > timezone.now():
            return
        team = sharing_team(self.request)
        try:
            if self.request.method != "POST" and needs_confirmation(self.request.user, profile, team=team):
                # A quota-counted grant is spent only by an explicit POST on the report URL.
                check_quota(self.request.user, profile, team=team)
                raise PermissionDenied(
                    f"Opening this report uses one of this month's {settings.PROFILE_ACCESS_MONTHLY_LIMIT} "
                    "report accesses: POST to the report URL to open it.",
                    code="access_required",
                )
            access = ensure_access(self.request.user, profile, team=team)
        except AccessLimitReached as exc:
            raise PermissionDenied(str(exc)) from None
        profile.viewer_access_expires_at = access.expires_at

    def report_profile(self, full: bool = False) -> Profile:
        profile = self.get_profile(full)
        self.require_access(profile)
        return profile

    def viewer(self, profile: Profile) -> dict:
        expires = profile.viewer_access_expires_at
        return {
            "is_favorite": profile.viewer_is_favorite,
            "access_expires_at": expires.isoformat() if expires else None,
        }

    def cached_report(self, kind: str, profile: Profile, ttl: int, build) -> HttpResponseBase:
        """Answer from the cache keyed on the profile's version, with ETag / Last-Modified.

        ``build()`` makes the shared (user-independent) body; the viewer block is added per request.
        The cache holds the body as rendered JSON, so a hit neither unpickles nor re-renders it:
        the viewer block is spliced in front (see ``with_viewer``).
        """
        version = profile_version(profile)
        viewer = self.viewer(profile)
        # The viewer's state is part of the body, so it is part of the tag (spelled out, not hashed).
        etag = f"{kind}-{profile.pk}-{version}-{int(viewer['is_favorite'])}-{viewer['access_expires_at'] or '-'}"
        last_modified = profile_last_modified(profile)
        not_modified = conditional_response(self.request, etag, last_modified)
        if not_modified is not None:
            return not_modified
        key = cache_key(kind, "json", profile.pk, version)  # rendered bytes, not a dict
        body = versioned_get(key, ttl) if ttl else None
        if body is None:
            load_deferred(profile)
            body = JSONRenderer().render(build())
            if ttl:
                versioned_set(key, body, ttl)
        return with_validators(self.with_viewer(body, viewer), etag, last_modified)

    def with_viewer(self, body: bytes, viewer: dict) -> HttpResponseBase:
        """The report with ``"viewer"`` added: spliced into the JSON, or re-parsed for other formats."""
        if self.request.accepted_renderer.format != "json":
            return Response({**json.loads(body), "viewer": viewer})  # the browsable API
        rest = body[1:] if body == b"{}" else b"," + body[1:]
        # The same compact, UTF-8 JSON that DRF's JSONRenderer writes.
        content = b'{"viewer":' + json.dumps(viewer, separators=(",", ":"), ensure_ascii=False).encode() + rest
        return HttpResponse(content, content_type="application/json")


@extend_schema_view(
    list=extend_schema(
        summary="Search creators",
        description=(
            "Text over handle, name and bio plus filters; every search (first page) is saved to the "
            "user's search history. Results are cached until any profile changes. `count` stops at "
            "SEARCH_COUNT_CAP (250 by default): `count_is_exact` false means more results than `count`; "
            "`exact_count=true` counts them all."
        ),
    ),
)
class ProfileViewSet(ProfileReportMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    """Creator search and the creator report."""

    queryset = Profile.objects.all()
    serializer_class = s.ProfileSummarySerializer
    filterset_class = ProfileFilterSet
    pagination_class = CappedCountPagination  # count stops at SEARCH_COUNT_CAP ("more than"), see docs/api.md

    def list(self, request: Request) -> Response:
        # Validate first, build the query only on a cache miss: a hit then costs no query building.
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        self.paginator.get_page_size(request)  # a bad page_size is a 400 before the cache is asked
        self.paginator.exact_count_asked(request)  # so is a bad exact_count
        params = {key: sorted(request.query_params.getlist(key)) for key in request.query_params}
        ttl = settings.API_SEARCH_CACHE_TTL
        key = None
        body = None
        if ttl:
            key = cache_key("search", params_digest(params), version_of(Profile.objects.data_generation()))
            body = cache.get(key)
        if body is None:
            page = self.paginate_queryset(filterset.qs.only(*s.SUMMARY_COLUMNS))
            body = self.get_paginated_response(self.get_serializer(page, many=True).data).data
            if key:
                cache.set(key, body, ttl)
        self.record_search(request, body["count"])
        return Response(body)

    def record_search(self, request: Request, count: int) -> None:
        if request.query_params.get("page", "1") != "1":
            return  # paging through one search is still one search
        filters = {
            key: values if len(values) > 1 else values[0]
            for key in request.query_params
            if key not in {"q", "page", "page_size"} and (values := request.query_params.getlist(key))
        }
        team = current_team(request)
        if team is None:
            return  # searches are a team's history; a user of no team searches without one
        SearchHistory.record(
            team=team,
            user=request.user,
            query=request.query_params.get("q", ""),
            filters=filters,
            result_count=count,
        )

    @extend_schema(
        summary="Creator report",
        parameters=PROFILE_PATH_PARAMETERS,
        responses=s.ProfileReportSerializer,
        description=(
            "The full profile with every metric and AI aggregate. Without a monthly limit the first view "
            f"opens the user's {settings.PROFILE_ACCESS_DAYS}-day access (free; one grant per period, so "
            "repeating the GET changes nothing more). With a limit, a GET never spends it: it answers 403 "
            "`access_required` until a POST on this URL opens the report (403 when the limit is used up). "
            "Supports ETag / If-None-Match and Last-Modified / If-Modified-Since."
        ),
    )
    def retrieve(self, request: Request, platform: str, handle: str) -> Response:
        profile = self.report_profile()
        return self._report(profile)

    @extend_schema(
        summary="Open a creator report",
        parameters=PROFILE_PATH_PARAMETERS,
        request=None,
        responses=s.ProfileReportSerializer,
        description=(
            f"Opens the user's {settings.PROFILE_ACCESS_DAYS}-day access to the report explicitly and answers "
            "the report. Needed before a GET when a monthly limit applies (the GET answers 403 "
            "`access_required` until then); idempotent while the access is open."
        ),
    )
    def open_access(self, request: Request, platform: str, handle: str) -> Response:
        return self._report(self.report_profile())

    def _report(self, profile: Profile) -> Response:

        def build() -> dict:
            prefetch_related_objects(
                [profile], Prefetch("tags", queryset=Tag.objects.select_related("category")), "contacts"
            )
            return s.ProfileDetailSerializer(profile).data

        return self.cached_report("profile", profile, settings.API_DETAIL_CACHE_TTL, build)

    @extend_schema(
        summary="Similar creators",
        parameters=PROFILE_PATH_PARAMETERS,
        responses=s.SimilarProfilesSerializer,
        description="AI lookalikes and other stored links; when none exist, creators of the same platform, category and audience size.",
    )
    def similar(self, request: Request, platform: str, handle: str) -> Response:
        profile = self.report_profile(full=True)
        links = list(
            RelatedProfile.objects.filter(profile=profile)
            .select_related("related")
            .order_by("-score", "id")[: settings.API_MAX_PAGE_SIZE]
        )
        if links:
            # Lookalikes (content embeddings) first: they are what "similar" means to a user.
            links.sort(key=lambda link: link.source != RelatedProfile.Source.LOOKALIKE)
            results = [{"source": link.source, "score": link.score, "profile": link.related} for link in links]
            return Response(s.SimilarProfilesSerializer({"basis": "related", "results": results}).data)
        candidates = Profile.objects.restrict(request.user).filter(platform=profile.platform).exclude(pk=profile.pk)
        if profile.ai_primary_content_type:
            candidates = candidates.filter(ai_primary_content_type=profile.ai_primary_content_type)
        if profile.followers_count:
            candidates = candidates.filter(
                followers_count__gte=profile.followers_count // 2, followers_count__lte=profile.followers_count * 2
            )
        candidates = candidates.order_by("-engagement_rate", "id").exclude(engagement_rate__isnull=True)[:20]
        results = [{"source": "category", "score": None, "profile": p} for p in candidates]
        return Response(s.SimilarProfilesSerializer({"basis": "category", "results": results}).data)


class ProfileReportViewSet(ProfileReportMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    """The parts of a creator report that read posts. Each needs (and opens) the viewer's access."""

    queryset = Post.objects.select_related("author", "community").prefetch_related("media__asset")
    serializer_class = posts_serializers.PostSerializer
    filterset_class = PostFilterSet
    pagination_class = NewestFirstCursorPagination

    @extend_schema(
        summary="A creator's posts, newest first",
        parameters=PROFILE_PATH_PARAMETERS,
        # many=True: published as the cursor page it is, not as one post.
        responses=posts_serializers.PostSerializer(many=True),
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
        responses=posts_serializers.ProfileAnalyticsSerializer,
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
        responses=posts_serializers.AIInsightsSerializer,
        description="AI aggregates with the per-post and per-comment sentiment they rest on, the analysis backlog and pending tag suggestions.",
        filters=False,
    )
    def ai_insights(self, request: Request, platform: str, handle: str) -> Response:
        profile = self.report_profile()
        return self.cached_report(
            "ai-insights", profile, settings.API_DETAIL_CACHE_TTL, lambda: ai_insights_json(profile)
        )


@extend_schema_view(
    list=extend_schema(summary="Your favorite creators"),
    create=extend_schema(summary="Add a creator to your favorites"),
    partial_update=extend_schema(summary="Change a favorite's note"),
    update=extend_schema(summary="Change a favorite's note"),
    destroy=extend_schema(summary="Remove a favorite"),
)
class FavoriteViewSet(ScopedModelViewSet):
    queryset = Favorite.objects.select_related("profile")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.FavoriteUpdateSerializer
        return s.FavoriteSerializer


@extend_schema_view(
    list=extend_schema(summary="Your recent creator searches"),
    create=extend_schema(summary="Save a search"),
    destroy=extend_schema(summary="Forget a search"),
)
class SearchHistoryViewSet(ScopedListDestroyViewSet):
    queryset = SearchHistory.objects.all()
    serializer_class = s.SearchHistorySerializer


@extend_schema_view(list=extend_schema(summary="Creator reports you have opened and until when"))
class ProfileAccessViewSet(ScopedReadOnlyViewSet):
    queryset = ProfileAccess.objects.select_related("profile")
    serializer_class = s.ProfileAccessSerializer


@extend_schema_view(list=extend_schema(summary="The analyst tag taxonomy (for filters)"))
class TagViewSet(viewsets.ReadOnlyModelViewSet):
    # The taxonomy is shared by every signed-in user (IsAuthenticated by default): nothing to scope.
    queryset = Tag.objects.select_related("category")
    serializer_class = s.TagSerializer
    pagination_class = None
    lookup_field = "slug"


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
            return posts_serializers.CommunityDetailSerializer
        if self.action == "review":
            return s.CommunityReviewSerializer
        if self.action == "bulk_review":
            return s.CommunityBulkReviewSerializer
        if self.action == "categorize_many":
            return s.CommunityIdsSerializer
        return s.CommunitySummarySerializer

    def get_object(self) -> Community:
        name = self.kwargs["name"].removeprefix("r/")
        if not SUBREDDIT_NAME.fullmatch(name):
            raise ValidationError({"name": ["A subreddit name is 2-21 letters, digits or underscores."]})
        community = (
            self.get_queryset()
            .select_related("requirements")
            .alias(name_lower=Lower("name"))
            .filter(name_lower=name.lower())
            .order_by()
            .first()
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
        return Response(posts_serializers.CommunityDetailSerializer(community, context=context).data)

    @extend_schema(summary="Review a subreddit", responses=s.CommunitySummarySerializer, filters=False)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewCommunities])
    def review(self, request: Request, name: str) -> Response:
        community = self.get_object()
        serializer = s.CommunityReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        note = partial(
            audit.record,
            actor=request.user,
            team=audit.acting_team(request.user, request),
            target=community,
            request=request,
        )
        with transaction.atomic():
            old_status = community.review_status
            community.review_status = data["review_status"]
            community.reviewed_at = timezone.now()
            fields = ["review_status", "reviewed_at", "updated_at"]
            for field in ("primary_category", "notes"):
                if field in data:
                    setattr(community, field, data[field])
                    fields.append(field)
            community.save(update_fields=fields)
            if old_status != community.review_status:
                note(audit.Action.REVIEW_STATUS, old_status=old_status, status=community.review_status)
            if "tags" in data:
                old_tags = set(community.tags.values_list("slug", flat=True))
                community.tags.set(data["tags"])
                new_tags = {tag.slug for tag in data["tags"]}
                if old_tags != new_tags:
                    note(audit.Action.TAGS_SET, added=sorted(new_tags - old_tags), removed=sorted(old_tags - new_tags))
        return Response(s.CommunitySummarySerializer(community).data)

    @extend_schema(
        summary="Review many subreddits at once",
        responses=inline_serializer("BulkReviewResult", {"updated": serializers.IntegerField()}),
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="bulk-review", permission_classes=[CanReviewCommunities])
    def bulk_review(self, request: Request) -> Response:
        serializer = s.CommunityBulkReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids, status = serializer.validated_data["ids"], serializer.validated_data["review_status"]
        now = timezone.now()
        with transaction.atomic():
            updated = Community.objects.filter(pk__in=ids).update(review_status=status, reviewed_at=now, updated_at=now)
            bulk.record_edit(Community, "set_review_status", request.user, ids, updated, request=request, status=status)
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
        request=s.CommunityIdsSerializer,
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
        serializer = s.CommunityIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return queue_categorization(serializer.validated_data["ids"])


def queue_categorization(ids: list[int]) -> Response:
    """Send the intelligence worker's task by name: the web process never imports ``intelligence``."""
    enqueue_on_commit(CATEGORIZE_TASK, [ids])
    return Response({"queued": ids, "task": CATEGORIZE_TASK}, status=status.HTTP_202_ACCEPTED)
