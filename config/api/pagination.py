"""Page-number and cursor pagination that reject a ``page_size`` over ``API_MAX_PAGE_SIZE``.

A 400 instead of silently clamping, so a client learns the cap.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings


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


class NewestFirstCursorPagination(pagination.CursorPagination):
    """Stable paging through a feed that grows at the top (posts): opaque ``cursor``, newest first."""

    ordering = ("-posted_at", "-id")
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = api_settings.PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return _page_size(request, self.page_size_query_param, api_settings.PAGE_SIZE, settings.API_MAX_PAGE_SIZE)
