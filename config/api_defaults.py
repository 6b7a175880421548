"""The classes ``REST_FRAMEWORK`` names as defaults: pagination with a cap, throttles.

DRF imports these while ``rest_framework.views`` is still being imported, so this module must not
import views, viewsets or drf-spectacular (``config.api`` holds those parts).

- Pagination rejects a ``page_size`` over ``API_MAX_PAGE_SIZE`` with a 400 instead of silently
  clamping it, so a client learns the cap.
- Throttles read their rates when a request arrives (not at import), so settings overrides apply,
  and keep their counters in the default (Redis) cache; DRF answers 429 with ``Retry-After``.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import pagination, throttling
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings

# --- Pagination ---------------------------------------------------------------------------------


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


class NewestFirstCursorPagination(pagination.CursorPagination):
    """Stable paging through a feed that grows at the top (posts): opaque ``cursor``, newest first."""

    ordering = ("-posted_at", "-id")
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = api_settings.PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return _page_size(request, self.page_size_query_param, api_settings.PAGE_SIZE, settings.API_MAX_PAGE_SIZE)


# --- Throttling ---------------------------------------------------------------------------------


class _RuntimeRate:
    """Read the rate for ``scope`` per request, so a changed REST_FRAMEWORK setting applies."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_RuntimeRate, throttling.UserRateThrottle):
    """Per signed-in user (anonymous callers fall back to their address)."""


class AnonThrottle(_RuntimeRate, throttling.AnonRateThrottle):
    """Per client address for callers that are not signed in (token endpoint, schema)."""
