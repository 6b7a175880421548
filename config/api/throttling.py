"""Per-user and per-address throttles, the ``DEFAULT_THROTTLE_CLASSES`` entries.

They read their rates when a request arrives (not at import), so settings overrides apply, and
keep their counters in the shared cache (``throttle``: Redis, errors raised); DRF answers 429 with
``Retry-After``. While that cache is unreachable each process counts on its own
(``throttle-fallback``, local memory): a per-process limit, never no limit and never a 500.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from django.core.cache import caches
from rest_framework import throttling
from rest_framework.settings import api_settings

from monitoring.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)
_last_warning = 0.0


class FallbackCache:
    """The shared throttle cache, or this process's memory while the shared one fails."""

    def _call(self, method: str, *args: Any) -> Any:
        global _last_warning
        try:
            return getattr(caches["throttle"], method)(*args)
        except (redis.RedisError, OSError) as exc:
            CACHE_ERRORS.inc()
            if time.monotonic() - _last_warning > 60:
                _last_warning = time.monotonic()
                logger.warning("throttle cache unreachable, counting per process: %s", exc)
            return getattr(caches["throttle-fallback"], method)(*args)

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._call("set", key, value, timeout)


class _RuntimeRate:
    """Read the rate for ``scope`` per request, so a changed REST_FRAMEWORK setting applies."""

    cache = FallbackCache()

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_RuntimeRate, throttling.UserRateThrottle):
    """Per signed-in user (anonymous callers fall back to their address)."""


class AnonThrottle(_RuntimeRate, throttling.AnonRateThrottle):
    """Per client address for callers that are not signed in (token endpoint, schema)."""
