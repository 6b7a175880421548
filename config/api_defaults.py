"""The classes ``REST_FRAMEWORK`` names as defaults: token authentication, pagination with a cap, throttles.

DRF imports these while ``rest_framework.views`` is still being imported, so this module must not
import views, viewsets or drf-spectacular (``config.api`` holds those parts).

- Token authentication answers as DRF's does, but reads the token and its user with one
  hand-written statement (``config.sql``): every API request pays for that lookup.
- Pagination rejects a ``page_size`` over ``API_MAX_PAGE_SIZE`` with a 400 instead of silently
  clamping it, so a client learns the cap.
- Throttles read their rates when a request arrives (not at import), so settings overrides apply,
  and keep their counters in the default (Redis) cache; DRF answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.conf import settings
from django.db import connections, models, router
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, pagination, throttling
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings

from config.sql import NO_JOIN, Join, RowStatement, model_fields, select_list

# --- Authentication -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def token_statement(token_model: type[models.Model], alias: str, join: Join = NO_JOIN) -> RowStatement:
    """The token ``t`` with its user ``u`` by key; no row for an unknown key.

    A ``join`` (which may refer to ``t`` and ``u``) reads more in the same round trip; its
    parameters come first, then the key.
    """
    user_model = token_model._meta.get_field("user").related_model
    token_fields, user_fields = model_fields(token_model), model_fields(user_model)
    quote = connections[alias].ops.quote_name
    columns = [select_list(alias, "t", token_fields), select_list(alias, "u", user_fields), join.select]
    sql = (
        f"SELECT {', '.join(filter(None, columns))} "
        f"FROM {token_model._meta.db_table} t "
        f"JOIN {user_model._meta.db_table} u ON u.{quote(user_model._meta.pk.column)} = "
        f"t.{quote(token_model._meta.get_field('user').column)} {join.sql} "
        f"WHERE t.{quote(token_model._meta.pk.column)} = %s"
    )
    selected = ((token_model, token_fields), (user_model, user_fields), *join.selected)
    return RowStatement.build(alias, sql, selected, join.extras)


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, answering and failing exactly as DRF's class does.

    DRF reads the token with ``select_related("user").get(key=…)``, whose ORM query building cost
    more than the query itself (566 against 207 µs per lookup in ``bench/bench_request_path.py``). Subclasses
    may read a view's own lookup in the same round trip (``profiles.api.authentication``).
    """

    def authenticate_credentials(self, key: str):
        token = self.find_token(key)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token

    def find_token(self, key: str) -> models.Model | None:
        """The token with its user loaded, or ``None``."""
        found = self.fetch_token(key)
        return found[0] if found else None

    def fetch_token(
        self, key: str, join: Join = NO_JOIN, params: Sequence = ()
    ) -> tuple[models.Model, list, list] | None:
        """``(token, the join's instances, the join's extra values)``; ``None``: no such token."""
        model = self.get_model()
        alias = router.db_for_read(model)
        found = token_statement(model, alias, join).fetch(alias, [*params, key])
        if found is None:
            return None
        (token, user, *instances), extras = found
        token.user = user
        return token, instances, extras


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
