"""Push an event to everyone watching the live monitor. The one helper tasks use::

    from monitoring.events import publish, publish_on_commit

    publish("export.finished", {"id": export.id, "rows": 1200})
    publish_on_commit("export.finished", {...})  # inside a transaction: only once it commits

Event types in use: ``scrape_run.started``, ``scrape_run.finished``, ``ai_batch.finished`` and
``log`` are published by monitoring itself from ``ScrapeRun``, ``AnalysisBatch`` and ``SystemLog``
rows (monitoring/signals.py; do not publish them again); ``alert``, ``alert.resolved`` by the alert
rules; ``breaker.changed`` by ``metrics.BreakerListener``. Websocket clients receive ``{"type": <event type>, "at": <ISO time>, "data":
<payload>}``.

The payload must be JSON-serialisable (datetimes, decimals and UUIDs are converted). With Redis
the message goes through the channel layer to the ``monitor`` group, so any web process holding a
staff socket forwards it. The embedded default's in-memory layer cannot cross processes (the
worker that finished a scrape is not the web process), so there events go to a short journal in
the shared file cache instead, which the monitors poll twice a second. Publishing never raises: a
monitor that is down must not fail a scrape.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
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


JOURNAL_KEY = "monitoring:events:journal"
JOURNAL_LENGTH = 200
JOURNAL_POLL_SECONDS = 0.5


def uses_journal() -> bool:
    """True on the in-memory channel layer, whose groups do not reach other processes."""
    from channels.layers import InMemoryChannelLayer

    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def _append_to_journal(message: dict[str, Any]) -> None:
    from django.core.cache import cache

    from monitoring.cache import uncounted

    # Read-modify-write without a lock: fine for the embedded default's few local processes.
    with uncounted():
        journal = cache.get(JOURNAL_KEY) or []
        journal.append({**message, "seq": time.time_ns()})
        cache.set(JOURNAL_KEY, journal[-JOURNAL_LENGTH:], None)


def read_journal(after: int) -> list[dict[str, Any]]:
    """Journal entries newer than ``after`` (a ``seq``), oldest first."""
    from django.core.cache import cache

    from monitoring.cache import uncounted

    with uncounted():
        return [entry for entry in cache.get(JOURNAL_KEY) or [] if entry["seq"] > after]


async def apublish(event_type: str, payload: dict[str, Any] | None = None) -> None:
    """``publish`` for async code (consumers, async views)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        message = build_message(event_type, payload)
        if uses_journal():
            await sync_to_async(_append_to_journal)(message)
        else:
            await layer.group_send(GROUP, message)
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
