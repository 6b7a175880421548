"""Cache backends that count hits and misses for the monitor (``cache_lookups`` in metrics.py).

Settings swap the configured backend for the counting subclass of the same class, so the cache
behaves exactly as before. A miss is a ``get`` that found nothing; ``get_many`` counts each key. Counting is a dict update (see monitoring/store.py), so it costs no round trip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache as DjangoFileBasedCache
from django_redis.cache import RedisCache as DjangoRedisCache
from prometheus_client import Counter

from monitoring import metrics

# In this process's prometheus_client registry (exported on /metrics by django-prometheus), not in the
# shared Redis store: while Redis is down that store cannot take the count.
CACHE_ERRORS = Counter(
    "creatorscope_cache_errors", "Cache operations that failed (Redis unreachable) and were skipped."
)
LOG_EVERY_SECONDS = 60.0

_MISSING = object()
_counting: ContextVar[bool] = ContextVar("cache_counting", default=True)


@contextmanager
def uncounted() -> Iterator[None]:
    """Reads inside this block are not counted (the readiness probe's own set/get)."""
    token = _counting.set(False)
    try:
        yield
    finally:
        _counting.reset(token)


def _count(result: str, amount: int = 1) -> None:
    if _counting.get():
        metrics.CACHE_LOOKUPS.labels(result=result).inc(amount)


class _CountingMixin:
    def get(self, key: Any, default: Any = None, version: int | None = None, **kwargs: Any) -> Any:
        value = super().get(key, _MISSING, version=version, **kwargs)
        if value is _MISSING:
            _count("miss")
            return default
        _count("hit")
        return value


class _CountingGetMany(_CountingMixin):
    # For backends with a native multi-get (django-redis' MGET); Django's base get_many calls get()
    # per key, which already counts.
    def get_many(self, keys: Any, version: int | None = None, **kwargs: Any) -> dict:
        keys = list(keys)
        found = super().get_many(keys, version=version, **kwargs)
        if found:
            _count("hit", len(found))
        if len(keys) > len(found):
            _count("miss", len(keys) - len(found))
        return found


class RedisCache(_CountingGetMany, DjangoRedisCache):
    """django-redis' backend, counting hits and misses."""


class FileBasedCache(_CountingMixin, DjangoFileBasedCache):
    """Django's file cache (the embedded default), counting hits and misses."""


class CacheErrorFilter(logging.Filter):
    """Counts each cache error django-redis ignored (``DJANGO_REDIS_LOGGER``) and lets one line a minute through.

    With ``IGNORE_EXCEPTIONS`` a failed read is a miss and a failed write is skipped; without this a
    Redis outage would log a traceback per cache call.
    """

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self._last_logged = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        CACHE_ERRORS.inc()
        now = time.monotonic()
        if now - self._last_logged < LOG_EVERY_SECONDS:
            return False
        self._last_logged = now
        record.msg = "cache unreachable, reads degrade to misses (logged once a minute): %s"
        record.args = (record.exc_info[1] if record.exc_info else "",)
        record.exc_info = None
        return True
