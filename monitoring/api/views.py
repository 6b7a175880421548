"""Server-Sent Events: the live monitor for clients that cannot use websockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from rest_framework.exceptions import APIException

from accounts.authentication import TokenAuthentication
from accounts.operators import REFUSED
from monitoring import collector
from monitoring.access import allowed_now
from monitoring.events import GROUP, JOURNAL_POLL_SECONDS, read_journal, uses_journal

WSGI_REFUSAL = (
    "The live stream is served by the ASGI server only (uvicorn; the same path on its port, or the "
    "proxy's /api/v1/streaming/ route to it); this is the WSGI server."
)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, cls=DjangoJSONEncoder)}\n\n"


def _token_user(request: HttpRequest):
    found = TokenAuthentication().authenticate(request)
    return found[0] if found else None


async def _authenticate(request: HttpRequest):
    """``Authorization: Token <value>`` (API clients) or the session cookie (the page): the API's own
    classes, in the API's order. Raises DRF's ``AuthenticationFailed`` for a bad token."""
    if request.headers.get("Authorization", ""):
        user = await sync_to_async(_token_user)(request)
        if user is not None:
            return user, None
    return await request.auser(), request.session


async def metrics_stream(request: HttpRequest) -> HttpResponse:
    """``GET /api/v1/streaming/metrics``: ``metrics`` events every MONITORING_PUSH_INTERVAL seconds and
    every monitor event as it happens (``event: scrape_run.finished`` etc.). Staff only; the user is
    checked again before every event. Served by the ASGI server only: under WSGI (gunicorn) it
    answers 503 naming the ASGI server, since each open stream would hold a worker thread.
    """
    if request.method != "GET":
        return JsonResponse({"detail": "Method not allowed."}, status=405)
    try:
        user, session = await _authenticate(request)
    except APIException as exc:  # a bad, revoked or expired token; a token of another team
        return JsonResponse({"detail": str(exc.detail)}, status=exc.status_code)
    if not getattr(user, "is_authenticated", False):
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    if not await allowed_now(user, session):
        return JsonResponse({"detail": REFUSED}, status=403)
    if isinstance(request, WSGIRequest):
        # A stream never ends, so under gunicorn it would hold a worker thread for as long as it is
        # open; the ASGI server (uvicorn, deploy/Procfile.production's "asgi") holds a coroutine.
        return JsonResponse({"detail": WSGI_REFUSAL}, status=503, headers={"Retry-After": "3600"})

    async def events() -> AsyncIterator[str]:
        layer = get_channel_layer()
        journal = uses_journal()
        channel = await layer.new_channel() if layer and not journal else None
        if channel:
            await layer.group_add(GROUP, channel)
        loop = asyncio.get_running_loop()
        seen = time.time_ns()
        try:
            # Reconnect after the push interval, not the browser's default 3 s.
            yield f"retry: {int(settings.MONITORING_PUSH_INTERVAL * 1000)}\n\n"
            next_tick = loop.time()
            while True:
                messages = []
                wait = next_tick - loop.time()
                if wait > 0 and journal:
                    await asyncio.sleep(min(wait, JOURNAL_POLL_SECONDS))
                    messages = await sync_to_async(read_journal)(seen)
                    seen = messages[-1]["seq"] if messages else seen
                elif wait > 0 and channel:
                    with contextlib.suppress(TimeoutError):
                        messages = [await asyncio.wait_for(layer.receive(channel), timeout=wait)]
                elif wait > 0:
                    await asyncio.sleep(wait)
                if not messages and loop.time() < next_tick:
                    continue
                if not await allowed_now(user, session):
                    yield _sse("close", {"reason": "forbidden"})
                    return
                for message in messages:
                    yield _sse(
                        message["event"], {"type": message["event"], "at": message["at"], "data": message["data"]}
                    )
                if not messages:
                    yield _sse("metrics", await sync_to_async(collector.current_snapshot)())
                    next_tick = loop.time() + settings.MONITORING_PUSH_INTERVAL
        finally:
            if channel:
                await layer.group_discard(GROUP, channel)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
