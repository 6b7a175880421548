"""Read replica routing: API and admin reads go to ``replica``, everything else to ``default``.

Active only where ``DATABASE_REPLICA_URL`` is set (settings add the ``replica`` alias and this
router); unset, there is one database and nothing here runs.

What reads the replica: queries of a GET or HEAD request under ``/api/`` or ``/admin/``
(:class:`ReplicaReadsMiddleware` marks the request), outside any transaction, before the request
wrote anything, for models outside ``PRIMARY_APPS``. Everything else reads the primary: writes,
anything inside ``transaction.atomic`` (a read that decides a write must see the primary),
Celery tasks and management commands (no request), pages, and the rest of a request that wrote.

Replication lag: a client that just wrote (POST, PUT, PATCH, DELETE) carries a cookie that keeps
its reads on the primary for ``DATABASE_REPLICA_PIN_SECONDS``, so it reads its own writes; sign-in,
sessions, users, tokens and report access grants are always read from the primary (a replica a
second behind must not sign anyone out or refuse a report just opened).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

REPLICA = "replica"
ROUTER = "config.routers.ReplicaRouter"  # installed by settings exactly when the replica is
PIN_COOKIE = "cs_primary"
READ_PREFIXES = ("/api/", "/admin/")
SAFE_METHODS = ("GET", "HEAD")
# Who may do what, and who is signed in: always fresh.
PRIMARY_APPS = frozenset({"auth", "sessions", "accounts", "account", "socialaccount", "usersessions", "otp_totp"})
PRIMARY_MODELS = frozenset({("profiles", "profileaccess")})


@dataclass
class _Request:
    replica_ok: bool
    wrote: bool = False


_current: ContextVar[_Request | None] = ContextVar("replica_request", default=None)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        state = _current.get()
        if (
            state is None
            or not state.replica_ok
            or state.wrote
            or model._meta.app_label in PRIMARY_APPS
            or (model._meta.app_label, model._meta.model_name) in PRIMARY_MODELS
            or connections["default"].in_atomic_block
        ):
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        state = _current.get()
        if state is not None:
            state.wrote = True  # the rest of this request reads what it wrote
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two ways in

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Marks which requests may read the replica, and pins a client that just wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = _pinned_until(request) > time.time()
        replica_ok = (
            ROUTER in settings.DATABASE_ROUTERS
            and request.method in SAFE_METHODS
            and request.path.startswith(READ_PREFIXES)
            and not pinned
        )
        token = _current.set(_Request(replica_ok=replica_ok))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if ROUTER in settings.DATABASE_ROUTERS and request.method not in SAFE_METHODS + ("OPTIONS",):
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time() + seconds)),
                max_age=seconds,
                httponly=True,
                secure=request.is_secure(),
                samesite="Lax",
            )
        return response


def _pinned_until(request) -> float:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, 0))
    except ValueError:
        return 0.0
