"""One middleware for every request: a request id, a structured access line, and request metrics.

It is the outermost middleware, so the time it measures includes every other middleware.
Works in both the WSGI (sync) and ASGI (async) chains without a thread hop.
"""

from __future__ import annotations

import logging
import os
import re
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from config.middleware import SyncAndAsyncMiddleware
from monitoring import metrics
from monitoring.logcontext import request_id_var

access_log = logging.getLogger("creatorscope.access")

# Accept an id from the proxy in front (nginx $request_id, a load balancer's trace id) when it looks
# like one; anything else is replaced, so a client cannot inject text into our logs.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
HEADER = "X-Request-ID"


class RequestMonitorMiddleware(SyncAndAsyncMiddleware):
    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        token, started = self._begin(request)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        return self._finish(request, response, started)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        token, started = self._begin(request)
        try:
            response = await self.get_response(request)
        finally:
            request_id_var.reset(token)
        return self._finish(request, response, started)

    def _begin(self, request: HttpRequest):
        # META, not request.headers: building HttpHeaders on every request costs more than the rest here.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = incoming if incoming and _INCOMING_ID.match(incoming) else os.urandom(16).hex()
        return request_id_var.set(request.id), time.perf_counter()

    def _finish(self, request: HttpRequest, response: HttpResponse, started: float) -> HttpResponse:
        elapsed = time.perf_counter() - started
        response[HEADER] = request.id
        metrics.HTTP_REQUESTS.labels(status=f"{response.status_code // 100}xx").inc()
        # A streaming response (the SSE stream) is "done" when its headers go out; its lifetime is
        # not a latency.
        if not response.streaming:
            metrics.HTTP_LATENCY.observe(elapsed)
        if settings.MONITORING_ACCESS_LOG:
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request.id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                    # Read the id only if authentication already ran: never trigger a session query here.
                    "user_id": _user_id_if_loaded(request),
                },
            )
        return response


def _user_id_if_loaded(request: HttpRequest) -> int | None:
    # request.user is lazy: read it only if a view already loaded it, so logging never costs a query.
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)
