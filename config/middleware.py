"""A base for the project's middleware that runs in both the WSGI and the ASGI chain.

Django adapts a sync-only middleware under ASGI with a thread hop per request; declaring both and
picking the path once, at start-up, avoids it (Django's "asynchronous support" middleware recipe).
"""

from __future__ import annotations

import sys

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter


class SyncAndAsyncMiddleware:
    """Subclasses implement ``__call__`` for the sync chain and ``_acall`` for the async one."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DROPPED = "_creatorscope_db_connection_dropped"
DB_READ_RETRIES = Counter(
    "creatorscope_db_read_retries", "Safe requests answered again on a fresh database connection after it dropped."
)


def _note_dropped_connection(sender, request=None, **kwargs) -> None:
    """``got_request_exception`` receiver: flag the request when its database connection went away.

    The signal is sent inside Django's exception handler, so ``sys.exc_info()`` is the view's error.
    ``CONN_HEALTH_CHECKS`` already replaces a connection that died while idle; this catches one that
    dies while a request is using it (a PostgreSQL restart or failover, ``pg_terminate_backend``).
    """
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)) or request is None:
        return
    if any(conn.connection is not None and not conn.is_usable() for conn in connections.all(initialized_only=True)):
        setattr(request, _DROPPED, True)


got_request_exception.connect(_note_dropped_connection, dispatch_uid="retry-read-on-dropped-connection")


class RetryReadOnDroppedConnectionMiddleware(SyncAndAsyncMiddleware):
    """Answer a read again, once, on a fresh connection when the database connection dropped under it.

    Only safe methods (a read run twice changes nothing); a write's 500 stands, since whether it was
    committed is unknown. Near the outside of the chain, so session and user loading are retried too.
    """

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        response = self.get_response(request)
        if self._should_retry(request):
            self._reset(request)
            response = self.get_response(request)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        response = await self.get_response(request)
        if self._should_retry(request):
            await sync_to_async(self._reset)(request)
            response = await self.get_response(request)
        return response

    @staticmethod
    def _should_retry(request: HttpRequest) -> bool:
        return request.method in SAFE_METHODS and getattr(request, _DROPPED, False)

    @staticmethod
    def _reset(request: HttpRequest) -> None:
        setattr(request, _DROPPED, False)
        DB_READ_RETRIES.inc()
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
