"""Cache backends that count hits and misses for the monitor (``cache_lookups`` in metrics.py).

Settings swap the configured backend for the counting subclass of the same class, so the cache
behaves exactly as before. A miss is a ``get`` that found nothing; ``get_many`` counts each key. Counting is a dict update (see monitoring/store.py), so it costs no round trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache as DjangoFileBasedCache
from django_redis.cache import RedisCache as DjangoRedisCache

from monitoring import metrics

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
