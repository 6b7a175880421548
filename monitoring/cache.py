"""Cache backends that count hits and misses for the monitor (``cache_lookups`` in metrics.py).

Settings swap the configured backend for the counting subclass of the same class, so the cache
behaves exactly as before. A miss is a ``get`` that found nothing; ``get_many`` counts each key. Counting is a dict update (see monitoring/store.py), so it costs no round trip.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.filebased import FileBasedCache as DjangoFileBasedCache
from django_redis.cache import RedisCache as DjangoRedisCache

from monitoring import metrics

_MISSING = object()


class _CountingMixin:
    def get(self, key: Any, default: Any = None, version: int | None = None, **kwargs: Any) -> Any:
        value = super().get(key, _MISSING, version=version, **kwargs)
        if value is _MISSING:
            metrics.CACHE_LOOKUPS.labels(result="miss").inc()
            return default
        metrics.CACHE_LOOKUPS.labels(result="hit").inc()
        return value


class _CountingGetMany(_CountingMixin):
    # For backends with a native multi-get (django-redis' MGET); Django's base get_many calls get()
    # per key, which already counts.
    def get_many(self, keys: Any, version: int | None = None, **kwargs: Any) -> dict:
        keys = list(keys)
        found = super().get_many(keys, version=version, **kwargs)
        if found:
            metrics.CACHE_LOOKUPS.labels(result="hit").inc(len(found))
        if len(keys) > len(found):
            metrics.CACHE_LOOKUPS.labels(result="miss").inc(len(keys) - len(found))
        return found


class RedisCache(_CountingGetMany, DjangoRedisCache):
    """django-redis' backend, counting hits and misses."""


class FileBasedCache(_CountingMixin, DjangoFileBasedCache):
    """Django's file cache (the embedded default), counting hits and misses."""
