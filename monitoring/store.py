"""Shared numbers for the monitor: counters every process adds to, kept where every process can read.

The web processes, the Celery workers and beat run on several machines; the live monitor and
``/metrics`` must show the sum over all of them. So increments are buffered in the process for at
most ``MONITORING_FLUSH_SECONDS`` (a hot path pays a dict update, not a network round trip) and a
daemon thread adds them to Redis hashes with ``HINCRBYFLOAT`` in one pipeline.

Three kinds of key, all under ``cs:mon:``:

- ``t:<metric>``: running totals since the counters were created (Prometheus counters);
- ``w:<metric>:<bucket>``: the same increments in 10-second buckets kept for 15 minutes, so "per
  minute" and "last 5 minutes" are sums over recent buckets;
- ``d:<metric>:<YYYYMMDD>``: per UTC day, kept for three days ("API calls today");
- ``g:<metric>``: gauges (last value wins).

Without ``REDIS_URL`` (the embedded default) the same layout is kept in Django's cache (a file
cache shared by the local processes). Read-modify-write there is not atomic across processes, so
counts are approximate in that mode; they are exact with Redis.

Monitoring must never break the work it watches: every Redis error here is logged (at most once a
minute) and swallowed.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PREFIX = "cs:mon:"
BUCKET_SECONDS = 10
WINDOW_TTL = 15 * 60
DAY_TTL = 3 * 24 * 3600

_Kind = str  # "t", "w", "d" or "g"


def bucket_of(timestamp: float) -> int:
    return int(timestamp // BUCKET_SECONDS)


def day_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y%m%d")


def total_key(metric: str) -> str:
    return f"{PREFIX}t:{metric}"


def window_key(metric: str, bucket: int) -> str:
    return f"{PREFIX}w:{metric}:{bucket}"


def day_key(metric: str, day: str) -> str:
    return f"{PREFIX}d:{metric}:{day}"


def gauge_key(metric: str) -> str:
    return f"{PREFIX}g:{metric}"


_clients: dict[tuple[int, str], redis.Redis] = {}
_last_error_log = 0.0


def redis_client() -> redis.Redis | None:
    """One client per process and URL; ``None`` on the embedded default (no ``REDIS_URL``)."""
    url = settings.REDIS_URL
    if not url:
        return None
    key = (os.getpid(), url)
    client = _clients.get(key)
    if client is None:
        # Short timeouts: a Redis outage must cost the monitor a skipped sample, not stall workers.
        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0, decode_responses=True)
        _clients[key] = client
    return client


def _log_failure(action: str, exc: BaseException) -> None:
    global _last_error_log
    now = time.monotonic()
    if now - _last_error_log > 60:
        _last_error_log = now
        logger.warning("monitoring store: %s failed: %s", action, exc)


def _ttl_for(key: str) -> int | None:
    if key.startswith(f"{PREFIX}w:"):
        return WINDOW_TTL
    if key.startswith(f"{PREFIX}d:"):
        return DAY_TTL
    return None


class _Buffer:
    """Per-process increments waiting for the next flush; rebuilt after a fork (Celery prefork)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.increments: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.gauges: dict[str, dict[str, float]] = defaultdict(dict)
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="monitoring-flush", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(settings.MONITORING_FLUSH_SECONDS)
            flush()


_buffer = _Buffer()
_buffer_guard = threading.Lock()
# os.getpid() is a system call; the pid changes only at fork, when this hook updates it.
_pid = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _pid.__setitem__(0, os.getpid()))


def _current_buffer() -> _Buffer:
    global _buffer
    if _buffer.thread is not None and _buffer.pid == _pid[0]:
        return _buffer
    if _buffer.pid != os.getpid():
        with _buffer_guard:
            if _buffer.pid != os.getpid():
                _buffer = _Buffer()
    _buffer.start()
    return _buffer


def add(keys: list[str], field: str, amount: float) -> None:
    """Add ``amount`` to ``field`` of every hash in ``keys`` at the next flush."""
    add_many(keys, {field: amount})


def add_many(keys: list[str], amounts: dict[str, float]) -> None:
    buf = _current_buffer()
    with buf.lock:
        for key in keys:
            fields = buf.increments[key]
            for field, amount in amounts.items():
                fields[field] += amount


def set_gauge(metric: str, field: str, value: float) -> None:
    buf = _current_buffer()
    with buf.lock:
        buf.gauges[gauge_key(metric)][field] = value


def flush() -> None:
    """Write the buffered increments now (the flush thread calls this; tests call it directly)."""
    buf = _current_buffer()
    with buf.lock:
        increments, buf.increments = buf.increments, defaultdict(lambda: defaultdict(float))
        gauges, buf.gauges = buf.gauges, defaultdict(dict)
    if not increments and not gauges:
        return
    client = redis_client()
    try:
        if client is None:
            _flush_to_cache(increments, gauges)
            return
        pipe = client.pipeline(transaction=False)
        for key, fields in increments.items():
            for field, amount in fields.items():
                pipe.hincrbyfloat(key, field, amount)
            ttl = _ttl_for(key)
            if ttl:
                pipe.expire(key, ttl)
        for key, fields in gauges.items():
            pipe.hset(key, mapping=fields)
        pipe.execute()
    except (redis.RedisError, OSError) as exc:
        _log_failure("flush", exc)


atexit.register(flush)


def _flush_to_cache(increments: dict, gauges: dict) -> None:
    for key, fields in increments.items():
        current = cache.get(key) or {}
        for field, amount in fields.items():
            current[field] = current.get(field, 0.0) + amount
        cache.set(key, current, _ttl_for(key))
    for key, fields in gauges.items():
        current = cache.get(key) or {}
        current.update(fields)
        cache.set(key, current, None)


def read_many(keys: list[str]) -> list[dict[str, float]]:
    """The hashes at ``keys`` as floats (missing keys read as empty); empty dicts when Redis is down."""
    if not keys:
        return []
    client = redis_client()
    try:
        if client is None:
            found = cache.get_many(keys)
            return [dict(found.get(key) or {}) for key in keys]
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(key)
        return [{field: float(value) for field, value in raw.items()} for raw in pipe.execute()]
    except (redis.RedisError, OSError) as exc:
        _log_failure("read", exc)
        return [{} for _ in keys]


def read(key: str) -> dict[str, float]:
    return read_many([key])[0]


def read_window(metric: str, seconds: float, now: float | None = None) -> dict[str, float]:
    """Sum of the metric's buckets covering the last ``seconds`` (the current, partial bucket included)."""
    now = time.time() if now is None else now
    last = bucket_of(now)
    count = max(1, int(-(-seconds // BUCKET_SECONDS)))
    totals: dict[str, float] = defaultdict(float)
    for fields in read_many([window_key(metric, bucket) for bucket in range(last - count + 1, last + 1)]):
        for field, value in fields.items():
            totals[field] += value
    return dict(totals)


def read_day(metric: str, now: float | None = None) -> dict[str, float]:
    return read(day_key(metric, day_of(time.time() if now is None else now)))


def delete_all() -> None:
    """Forget every monitoring number (tests; operators resetting counters)."""
    client = redis_client()
    if client is None:
        return
    keys = list(client.scan_iter(f"{PREFIX}*", count=1000))
    if keys:
        client.delete(*keys)
