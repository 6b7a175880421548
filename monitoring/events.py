"""Push an event to everyone watching the live monitor. The one helper tasks use::

    from monitoring.events import publish, publish_on_commit

    publish("scrape_run.started", {"id": run.id, "kind": run.kind, "target": run.target})
    publish_on_commit("scrape_run.finished", {"id": run.id, "status": run.status, "items": 120})
    publish("ai_batch.finished", {"id": batch.id, "posts": 64, "failed": 1, "seconds": 3.2})

Event types in use: ``scrape_run.started``, ``scrape_run.finished``, ``ai_batch.finished``,
``alert``, ``alert.resolved``, ``log`` (new error lines in the system log), ``breaker.changed``,
``scraper.changed``. Websocket clients receive ``{"type": <event type>, "at": <ISO time>, "data":
<payload>}``.

The payload must be JSON-serialisable (datetimes, decimals and UUIDs are converted). The message
goes through the channel layer (Redis in production, in-memory on the embedded default) to the
``monitor`` group, so any web process holding a staff socket forwards it. Publishing never raises:
a monitor that is down must not fail a scrape.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

GROUP = "monitor"
# Channels' handler name for group messages: MonitorConsumer.monitor_event.
MESSAGE_TYPE = "monitor.event"


def build_message(event_type: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    """The group message: plain JSON types only, because channels_redis serialises with msgpack."""
    data = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
    return {"type": MESSAGE_TYPE, "event": event_type, "at": timezone.now().isoformat(), "data": data}


async def apublish(event_type: str, payload: dict[str, Any] | None = None) -> None:
    """``publish`` for async code (consumers, async views)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(GROUP, build_message(event_type, payload))
    except Exception as exc:
        logger.warning("monitor event %s not published: %s", event_type, exc)


def publish(event_type: str, payload: dict[str, Any] | None = None) -> None:
    """Send ``event_type`` with ``payload`` to every connected monitor, now. Never raises."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(apublish)(event_type, payload)
        return
    # Called from inside an event loop (sync code run directly by async code): do not block it.
    asyncio.get_running_loop().create_task(apublish(event_type, payload))


def publish_on_commit(event_type: str, payload: dict[str, Any] | None = None) -> None:
    """Publish once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: publish(event_type, payload))
