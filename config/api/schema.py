"""The error answers every endpoint can give (400/401/403/404/429), with examples, in the schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import permissions, serializers


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
