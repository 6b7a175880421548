"""The live monitor websocket (``/ws/monitor/``): operators only, metrics every interval, events as they happen."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from monitoring import collector
from monitoring.access import allowed_now
from monitoring.events import JOURNAL_POLL_SECONDS, read_journal, uses_journal

logger = logging.getLogger(__name__)

# Close code for "you may not watch": 4000-4999 are the application's own (RFC 6455 §7.4.2).
FORBIDDEN = 4403


class MonitorConsumer(AsyncJsonWebsocketConsumer):
    """Sends ``{"type": "metrics", ...}`` every ``MONITORING_PUSH_INTERVAL`` seconds and forwards
    events published with ``monitoring.events.publish`` as ``{"type": <event>, "at", "data"}``.

    The user is checked on connect (anonymous visitors and non-operators, staff status or not, are
    refused at the handshake) and again before every message, so an operator who loses the Staff
    role, is deactivated or logs out stops receiving at the next message (answers are shared for MONITORING_AUTH_RECHECK_SECONDS, see access.py).
    """

    groups = []  # joined in connect(), after the check
    ticker: asyncio.Task | None = None
    journal_reader: asyncio.Task | None = None

    async def connect(self) -> None:
        if not await self._allowed():
            await self.close()
            return
        from monitoring.events import GROUP

        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()
        self.ticker = asyncio.create_task(self._tick())
        if uses_journal():
            self.journal_reader = asyncio.create_task(self._read_journal())

    async def disconnect(self, code: int) -> None:
        from monitoring.events import GROUP

        for task in (self.ticker, self.journal_reader):
            if task:
                task.cancel()
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def _allowed(self) -> bool:
        return await allowed_now(self.scope.get("user"), self.scope.get("session"))

    async def _send_checked(self, message: dict[str, Any]) -> bool:
        """Send if the viewer may still watch; False once the socket is closed for that reason."""
        try:
            allowed = await self._allowed()
        except DatabaseError as exc:
            # Cannot verify now (database down or saturated): fail closed for this message only,
            # and keep the socket, so the monitor resumes when the database answers again.
            logger.warning("monitor: viewer check failed, message skipped: %s", exc)
            return True
        if not allowed:
            await self.close(code=FORBIDDEN)
            return False
        await self.send_json(message)
        return True

    async def _tick(self) -> None:
        while True:
            try:
                data = await database_sync_to_async(collector.current_snapshot)()
            except DatabaseError as exc:
                logger.warning("monitor: snapshot failed, skipped: %s", exc)
            else:
                if not await self._send_checked(data):
                    return
            await asyncio.sleep(settings.MONITORING_PUSH_INTERVAL)

    async def _read_journal(self) -> None:
        """Embedded default only: forward events other processes wrote to the journal."""
        seen = time.time_ns()
        while True:
            await asyncio.sleep(JOURNAL_POLL_SECONDS)
            for entry in await database_sync_to_async(read_journal)(seen):
                seen = entry["seq"]
                await self.monitor_event(entry)

    async def monitor_event(self, message: dict[str, Any]) -> None:
        await self._send_checked({"type": message["event"], "at": message["at"], "data": message["data"]})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Every message from the viewer is checked too, even one that asks for nothing: a socket of
        # someone who is no operator any more is closed at their next word, not at our next push.
        try:
            allowed = await self._allowed()
        except DatabaseError as exc:
            logger.warning("monitor: viewer check failed, message ignored: %s", exc)
            return
        if not allowed:
            await self.close(code=FORBIDDEN)
            return
        # The page may ask for fresh numbers (after start/stop of a scraper); anything else is ignored.
        if isinstance(content, dict) and content.get("type") == "refresh":
            collector.forget_snapshot()
            await self._send_checked(await database_sync_to_async(collector.current_snapshot)())
