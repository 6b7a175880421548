"""A base for the project's middleware that runs in both the WSGI and the ASGI chain.

Django adapts a sync-only middleware under ASGI with a thread hop per request; declaring both and
picking the path once, at start-up, avoids it (Django's "asynchronous support" middleware recipe).
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction


class SyncAndAsyncMiddleware:
    """Subclasses implement ``__call__`` for the sync chain and ``_acall`` for the async one."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
