"""Per-user and per-address throttles, the ``DEFAULT_THROTTLE_CLASSES`` entries.

They read their rates when a request arrives (not at import), so settings overrides apply, and
keep their counters in the default (Redis) cache; DRF answers 429 with ``Retry-After``.
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RuntimeRate:
    """Read the rate for ``scope`` per request, so a changed REST_FRAMEWORK setting applies."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_RuntimeRate, throttling.UserRateThrottle):
    """Per signed-in user (anonymous callers fall back to their address)."""


class AnonThrottle(_RuntimeRate, throttling.AnonRateThrottle):
    """Per client address for callers that are not signed in (token endpoint, schema)."""
