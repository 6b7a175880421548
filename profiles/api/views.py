"""Creator search and reports, communities list, favorites, saved searches, access grants, auth."""

from __future__ import annotations

import json
import re
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from config.api import (
    ScopedListDestroyViewSet,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
    cache_key,
    conditional_response,
    params_digest,
    version_of,
    versioned_get,
    versioned_set,
    with_validators,
)
from config.api_defaults import TokenAuthentication
from profiles.access import AccessLimitReached, ensure_access
from profiles.api import serializers as s
from profiles.api.authentication import ReportTokenAuthentication
from profiles.filters import ProfileFilterSet
from profiles.models import Favorite, Platform, Profile, ProfileAccess, RelatedProfile, SearchHistory, Tag
from profiles.querysets import PROFILE_VERSION_FIELDS, REPORT_LOOKUP_FIELDS

# What each platform accepts as a username: Instagram 1-30 of [A-Za-z0-9._]; Reddit 3-20 of
# [A-Za-z0-9_-]. A path that cannot be a real account answers 400, not a database lookup.
HANDLE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    Platform.INSTAGRAM: (
        re.compile(r"[A-Za-z0-9._]{1,30}"),
        "An Instagram handle is 1-30 letters, digits, periods or underscores.",
    ),
    Platform.REDDIT: (
        re.compile(r"[A-Za-z0-9_-]{3,20}"),
        "A Reddit username is 3-20 letters, digits, underscores or hyphens.",
    ),
}

PROFILE_PATH_PARAMETERS = [
    OpenApiParameter("platform", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Platform.values),
    OpenApiParameter("handle", OpenApiTypes.STR, OpenApiParameter.PATH, description="Username, without @."),
]


def validate_profile_path(platform: str, handle: str) -> None:
    """Raise a 400 with field messages when the platform or the handle cannot name an account."""
    rule = HANDLE_RULES.get(platform)
    if rule is None:
        raise ValidationError(
            {"platform": [f"Unknown platform {platform!r}; expected one of {', '.join(Platform.values)}."]}
        )
    pattern, message = rule
    if not pattern.fullmatch(handle):
        raise ValidationError({"handle": [message]})


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
    report costs one indexed lookup of a few columns; with token authentication that lookup rides
    in the token's own query (``ReportTokenAuthentication``), so a cached report is one round trip
    to the database in all. Used by the report sub-resources in other apps (posts, analytics, AI
    insights), which import this mixin; it scopes through ``restrict(user)`` itself because those
    views' own querysets are of other models.
    """

    # The default classes, with the token's lookup bringing the report's in one round trip.
    authentication_classes = [
        ReportTokenAuthentication if cls is TokenAuthentication else cls
        for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES
    ]

    def get_profile(self, full: bool = False) -> Profile:
        """The profile with its version fields only, unless ``full``; the rest load on a cache miss."""
        platform, handle = self.kwargs["platform"], self.kwargs["handle"]
        validate_profile_path(platform, handle)
        if not full and hasattr(self.request, "report_lookup"):  # read with the token
            profile = self.request.report_lookup
        else:
            profile = Profile.objects.for_report(
                self.request.user, platform, handle, only=() if full else REPORT_LOOKUP_FIELDS
            )
        if profile is None:
            raise NotFound(f"No {platform} profile @{handle} has been collected.")
        return profile

    def require_access(self, profile: Profile) -> None:
        """Open (or confirm) the viewer's 30-day access; 403 with the reason when the quota is used."""
        if profile.viewer_access_expires_at and profile.viewer_access_expires_at > timezone.now():
            return
        try:
            access = ensure_access(self.request.user, profile)
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
            "user's search history. Results are cached until any profile changes."
        ),
    ),
)
class ProfileViewSet(ProfileReportMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    """Creator search and the creator report."""

    queryset = Profile.objects.all()
    serializer_class = s.ProfileSummarySerializer
    filterset_class = ProfileFilterSet

    def list(self, request: Request) -> Response:
        # Validate first, build the query only on a cache miss: a hit then costs no query building.
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        self.paginator.get_page_size(request)  # a bad page_size is a 400 before the cache is asked
        params = {key: sorted(request.query_params.getlist(key)) for key in request.query_params}
        ttl = settings.API_SEARCH_CACHE_TTL
        key = None
        body = None
        if ttl:
            key = cache_key("search", params_digest(params), version_of(Profile.objects.data_generation()))
            body = cache.get(key)
        if body is None:
            page = self.paginate_queryset(filterset.qs)
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
        SearchHistory.objects.create(
            user=request.user, query=request.query_params.get("q", "")[:300], filters=filters, result_count=count
        )

    @extend_schema(
        summary="Creator report",
        parameters=PROFILE_PATH_PARAMETERS,
        responses=s.ProfileReportSerializer,
        description=(
            "The full profile with every metric and AI aggregate. The first view opens the user's "
            f"{settings.PROFILE_ACCESS_DAYS}-day access to the report (403 when a monthly limit is set "
            "and used up). Supports ETag / If-None-Match and Last-Modified / If-Modified-Since."
        ),
    )
    def retrieve(self, request: Request, platform: str, handle: str) -> Response:
        profile = self.report_profile()

        def build() -> dict:
            prefetch_related_objects([profile], Prefetch("tags", queryset=Tag.objects.select_related("category")))
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


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    serializer_class = AuthTokenSerializer

    @extend_schema(
        summary="Get an API token",
        request=AuthTokenSerializer,
        responses={200: s.TokenSerializer},
        examples=[
            OpenApiExample("sign in", value={"username": "ana", "password": "…"}, request_only=True),
            OpenApiExample("token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    """Who the credentials belong to (also the cheapest authenticated endpoint: the bench's ceiling)."""

    @extend_schema(summary="The signed-in user", responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "is_staff": user.is_staff})


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

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Your recent creator searches"),
    create=extend_schema(summary="Save a search"),
    destroy=extend_schema(summary="Forget a search"),
)
class SearchHistoryViewSet(ScopedListDestroyViewSet):
    queryset = SearchHistory.objects.all()
    serializer_class = s.SearchHistorySerializer

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)


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
