"""The error answers every endpoint can give (400/401/403/404/429), with examples, in the schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import pagination, permissions, serializers


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
    "404": (
        ErrorSerializer,
        "No such object, or not yours (for a list: a page past the last one).",
        {"detail": "No Profile matches the given query."},
    ),
    "415": (
        ErrorSerializer,
        "The body's media type is not one this operation reads.",
        {"detail": 'Unsupported media type "text/plain" in request.'},
    ),
    "429": (
        ErrorSerializer,
        "Too many requests; retry after the Retry-After header's seconds.",
        {"detail": "Request was throttled. Expected available in 42 seconds."},
    ),
}


def _model_field(field: serializers.Field):
    """The model field a serializer field reads, and whether a relation on the way may be NULL."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or source == "*":
        return None, False
    through_null = False
    model_field = None
    for part in source.split("."):
        if model is None:
            return None, through_null
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None, through_null
        if model_field.is_relation:
            through_null = through_null or model_field.null
            model = model_field.related_model
        else:
            model = None
    if isinstance(field, serializers.RelatedField) and model_field is not None and model_field.is_relation:
        return None, through_null or model_field.null  # a slug/pk of a relation: null when the relation is
    return model_field, through_null


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give, with examples.

    It also describes read-only model fields as they are answered: DRF drops ``allow_null`` /
    ``allow_blank`` from read-only fields, so a NULL column (or one read through a NULL relation)
    and a blank choice column would be published as never null / never "" (schemathesis' response
    conformance check found about 35 such answers).
    """

    def get_paginated_name(self, serializer_name: str) -> str:
        # A cursor page has no ``count``: it needs its own component, or it shares (and loses to) the
        # page-number one of the same serializer ("PaginatedPostList" had ``count`` required for a
        # creator's posts; schemathesis' stateful run found it).
        paginator = getattr(self.view, "pagination_class", None)
        if paginator is not None and issubclass(paginator, pagination.CursorPagination):
            return f"Cursor{serializer_name}Page"
        return super().get_paginated_name(serializer_name)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.read_only and getattr(field, "parent", None) is not None:
            model_field, through_null = _model_field(field)
            if through_null or getattr(model_field, "null", False):
                field.allow_null = True
            if isinstance(field, serializers.ChoiceField) and getattr(model_field, "blank", False):
                field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _error_codes(self) -> Iterable[str]:
        public = all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
        if self.method in ("POST", "PUT", "PATCH") or self.method == "GET" and self._has_query_input():
            yield "400"
        if not public:
            yield "401"
            yield "403"
        if self.method in ("POST", "PUT", "PATCH"):
            yield "415"  # a body in a media type (or a multipart shape) no parser of the view reads
        if "{" in self.path or self.method == "GET" and self._get_paginator():
            yield "404"  # no such object; for a list, a page past the last one
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
