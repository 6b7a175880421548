"""Page-number and cursor pagination that reject a ``page_size`` over ``API_MAX_PAGE_SIZE``.

A 400 instead of silently clamping, so a client learns the cap. Creator search counts its matches
only up to ``SEARCH_COUNT_CAP`` (``CappedCountPagination``, with ``count_is_exact``).
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.paging import CappedCountPaginator


def _page_size(request: Request, query_param: str, default: int, cap: int) -> int:
    raw = request.query_params.get(query_param)
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({query_param: ["A whole number is required."]}) from None
    if size < 1:
        raise ValidationError({query_param: ["Must be at least 1."]})
    if size > cap:
        raise ValidationError({query_param: [f"Must be at most {cap}."]})
    return size


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` with a hard cap; results come with ``count``, ``next``, ``previous``."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return _page_size(request, self.page_size_query_param, api_settings.PAGE_SIZE, self.max_page_size)

    def paginate_queryset(self, queryset, request: Request, view=None):
        # A page number that cannot be one (0, -3, "abc") is the client's mistake: 400 with the field,
        # as for page_size. A page past the last one stays DRF's 404 "Invalid page." (documented).
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, "", *self.last_page_strings):
            try:
                number = int(raw)
            except ValueError:
                raise ValidationError({self.page_query_param: ["A whole number is required."]}) from None
            if number < 1:
                raise ValidationError({self.page_query_param: ["Must be at least 1."]})
        return super().paginate_queryset(queryset, request, view)


class CappedCountPagination(PageNumberPagination):
    """Page numbers whose ``count`` stops at ``SEARCH_COUNT_CAP`` (see ``config/paging.py``).

    The answer keeps ``count``, ``next``, ``previous`` and ``results`` and adds ``count_is_exact``:
    false means there are *more than* ``count`` results (every page stays reachable through ``next``).
    ``exact_count=true`` asks for the full count (slower on broad searches); ``page=last`` counts exactly too.
    """

    exact_count_query_param = "exact_count"

    def exact_count_asked(self, request: Request) -> bool:
        """``exact_count`` as a strict boolean: a value that is not one is the client's 400."""
        raw = request.query_params.get(self.exact_count_query_param)
        if raw in (None, ""):
            return False
        lowered = raw.strip().lower()
        if lowered in {"true", "1", "yes", "on"}:
            return True
        if lowered in {"false", "0", "no", "off"}:
            return False
        raise ValidationError({self.exact_count_query_param: ["Expected true or false."]})

    def paginate_queryset(self, queryset, request: Request, view=None):
        number = request.query_params.get(self.page_query_param)
        exact = self.exact_count_asked(request) or number in self.last_page_strings
        self.django_paginator_class = partial(
            CappedCountPaginator, cap=0 if exact else settings.SEARCH_COUNT_CAP, page=number
        )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.shown_count,
                "count_is_exact": paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            "Number of results; with count_is_exact false, there are more than this many."
        )
        answer["properties"] = {
            "count": answer["properties"]["count"],
            "count_is_exact": {
                "type": "boolean",
                "example": True,
                "description": "False when the search matched more than count: matches are counted up to "
                "SEARCH_COUNT_CAP, or as deep as the page asked for; exact_count=true counts them all.",
            },
            **{key: value for key, value in answer["properties"].items() if key != "count"},
        }
        answer["required"] = [*answer["required"], "count_is_exact"]
        return answer

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.exact_count_query_param,
                "required": False,
                "in": "query",
                "description": "true: count every result (slower on broad searches); by default the count stops "
                "at SEARCH_COUNT_CAP and count_is_exact says whether it did.",
                "schema": {"type": "boolean"},
            },
        ]


class NewestFirstCursorPagination(pagination.CursorPagination):
    """Stable paging through a feed that grows at the top (posts): opaque ``cursor``, newest first."""

    ordering = ("-posted_at", "-id")
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = api_settings.PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return _page_size(request, self.page_size_query_param, api_settings.PAGE_SIZE, settings.API_MAX_PAGE_SIZE)
