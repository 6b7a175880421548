"""What every API endpoint shares: scoping, pagination with a cap, throttles, cache keys, errors.

Concrete viewsets stay a few lines because the rules live here once (NetBox's pattern):

- ``ScopedViewSetMixin`` passes every queryset through its ``restrict(user)`` method, so an
  endpoint cannot forget access scoping and another user's rows answer 404, not 403.
- The classes ``REST_FRAMEWORK`` names (pagination, throttles) live in ``config.api_defaults``:
  DRF imports them while it is still importing its views, so that module imports no view code.
- ``AutoSchema`` documents the error answers every endpoint can give (400/401/403/404/429).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import http_date, quote_etag
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response


class ScopedViewSetMixin:
    """Apply the model queryset's ``restrict(user)`` to every query the viewset runs."""

    def get_queryset(self):
        queryset = super().get_queryset()
        restrict = getattr(queryset, "restrict", None)
        if restrict is None:
            raise ImproperlyConfigured(f"{queryset.model.__name__}'s queryset has no restrict(user) method")
        return restrict(self.request.user)


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Create, read, update and delete the requesting user's own rows."""


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and read rows the requesting user may see."""


class ScopedListDestroyViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Rows a user keeps and removes but does not edit (saved searches)."""


class IsStaff(permissions.IsAdminUser):
    """Operations endpoints: scrapers, runs, logs, dashboard."""

    message = "Only staff may use operations endpoints."


# --- Caching ------------------------------------------------------------------------------------


def version_of(*stamps: datetime | None) -> str:
    """A short version string of timestamps: it changes whenever any of them changes."""
    joined = "|".join(stamp.isoformat() if stamp else "-" for stamp in stamps)
    return hashlib.sha1(joined.encode(), usedforsecurity=False).hexdigest()[:16]


def cache_key(kind: str, *parts: Any) -> str:
    """``api:<kind>:<parts…>`` — callers include a version so a change makes a new key."""
    return ":".join(["api", kind, *(str(part) for part in parts)])


def versioned_get(key: str, ttl: int) -> Any:
    """A cached value whose key carries a version: this process's memory first, then the shared cache.

    A new version means a new key, so a value in memory can never be stale; memory only saves the
    round trip to Redis (``API_LOCAL_CACHE_ENTRIES`` per process, least recently used dropped).
    """
    local = caches["local"] if settings.API_LOCAL_CACHE_ENTRIES else None
    value = local.get(key) if local else None
    if value is None:
        value = cache.get(key)
        if value is not None and local:
            local.set(key, value, ttl)
    return value


def versioned_set(key: str, value: Any, ttl: int) -> None:
    cache.set(key, value, ttl)
    if settings.API_LOCAL_CACHE_ENTRIES:
        caches["local"].set(key, value, ttl)


def params_digest(params: dict[str, Any]) -> str:
    """A stable digest of query parameters (order-independent), for search cache keys."""
    return hashlib.sha1(json.dumps(params, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


def conditional_response(request: Request, etag: str, last_modified: datetime | None) -> Response | None:
    """Answer 304 when the client's validators still match; ``None`` means build the full answer."""
    quoted = quote_etag(etag)
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if quoted in {tag.strip() for tag in if_none_match.split(",")} or if_none_match.strip() == "*":
            return with_validators(Response(status=304), etag, last_modified)
        return None
    since = request.headers.get("If-Modified-Since")
    if since and last_modified is not None and since == http_date(last_modified.timestamp()):
        return with_validators(Response(status=304), etag, last_modified)
    return None


def with_validators(response: Response, etag: str, last_modified: datetime | None) -> Response:
    response["ETag"] = quote_etag(etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    # Per-user fields (favorite, access) are part of the body: shared caches must not reuse it.
    response["Cache-Control"] = "private, no-cache"
    return response


# --- Errors and schema --------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every non-validation error: ``{"detail": "..."}``."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """A 400 answer: one list of messages per offending field (``non_field_errors`` for the rest)."""

    field_name = serializers.ListField(child=serializers.CharField(), required=False)


_ERRORS: dict[str, tuple[type[serializers.Serializer], str, Any]] = {
    "400": (
        ValidationErrorSerializer,
        "Invalid input: messages per field.",
        {"followers_max": ["Must be greater than or equal to followers_min."]},
    ),
    "401": (ErrorSerializer, "Not signed in.", {"detail": "Authentication credentials were not provided."}),
    "403": (
        ErrorSerializer,
        "Signed in but not allowed.",
        {"detail": "You do not have permission to perform this action."},
    ),
    "404": (ErrorSerializer, "No such object, or not yours.", {"detail": "No Profile matches the given query."}),
    "429": (
        ErrorSerializer,
        "Too many requests; retry after the Retry-After header's seconds.",
        {"detail": "Request was throttled. Expected available in 42 seconds."},
    ),
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give, with examples."""

    def _error_codes(self) -> Iterable[str]:
        public = all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
        if self.method in ("POST", "PUT", "PATCH") or self.method == "GET" and self._has_query_input():
            yield "400"
        if not public:
            yield "401"
            yield "403"
        if "{" in self.path:
            yield "404"
        yield "429"

    def _has_query_input(self) -> bool:
        return bool(getattr(self.view, "filterset_class", None) or self._get_paginator())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            serializer, description, example = _ERRORS[code]
            responses[code] = self._get_response_for_code(
                OpenApiResponse(serializer, description, examples=[OpenApiExample(f"error {code}", value=example)]),
                code,
                direction=direction,
            )
        return responses
