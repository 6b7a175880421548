"""Token authentication, the ``DEFAULT_AUTHENTICATION_CLASSES`` entry.

It answers as DRF's class does, but reads the token and its user with one hand-written statement
(``config.sql``): every API request pays for that lookup. DRF imports this module while
``rest_framework.views`` is still being imported, so it must not import views or drf-spectacular.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import connections, models, router
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from config.sql import NO_JOIN, Join, RowStatement, model_fields, select_list


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
