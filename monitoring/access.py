"""Who may watch the monitor: operators (``accounts.operators``) whose session is still valid."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from accounts.operators import is_operator_now

# (user id, session key) -> (checked at, verdict). Per process; see allowed_now().
_verdicts: dict[tuple[Any, str | None], tuple[float, bool]] = {}
_in_flight: dict[tuple[int, tuple[Any, str | None]], asyncio.Future] = {}


async def allowed_now(user: Any, session: Any = None) -> bool:
    """``is_operator_now`` before each message, with the answer shared for MONITORING_AUTH_RECHECK_SECONDS.

    One event fans out to every open monitor at once; without sharing, N sockets of one operator
    would cost N identical queries per event (bench/bench_ws.py). Within the window every socket of
    that user and session gets the same answer, so a demotion or logout stops delivery within the
    window, at the next message.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    key = (user.pk, getattr(session, "session_key", None))
    window = settings.MONITORING_AUTH_RECHECK_SECONDS
    now = time.monotonic()
    cached = _verdicts.get(key)
    if cached is not None and now - cached[0] < window:
        return cached[1]
    # Single flight: an event reaches all sockets at the same moment; the first asks, the rest wait
    # for its answer instead of queueing N identical queries.
    flight_key = (id(asyncio.get_running_loop()), key)
    pending = _in_flight.get(flight_key)
    if pending is not None:
        return await asyncio.shield(pending)
    pending = _in_flight[flight_key] = asyncio.get_running_loop().create_future()
    try:
        verdict = await database_sync_to_async(is_operator_now)(user, session)
    except BaseException as exc:
        pending.set_exception(exc)
        pending.exception()  # retrieved: no "never retrieved" warning when nobody else waited
        raise
    else:
        pending.set_result(verdict)
    finally:
        _in_flight.pop(flight_key, None)
    if window > 0:
        if len(_verdicts) > 10_000:  # many users over a long uptime: start again rather than grow
            _verdicts.clear()
        _verdicts[key] = (now, verdict)
    return verdict
