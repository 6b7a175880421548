"""Versioned cache keys and conditional GET (ETag / Last-Modified) for cached API answers."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from rest_framework.request import Request


def version_of(*stamps: datetime | None) -> str:
    """A short version string of timestamps: it changes whenever any of them changes."""
    joined = "|".join(stamp.isoformat() if stamp else "-" for stamp in stamps)
    return hashlib.sha1(joined.encode(), usedforsecurity=False).hexdigest()[:16]


def cache_key(kind: str, *parts: Any) -> str:
    """``api:<kind>:<parts…>`` — callers include a version so a change makes a new key."""
    return ":".join(["api", kind, *(str(part) for part in parts)])


def versioned_get(key: str, ttl: int) -> Any:
    """A cached value whose key carries a version: this process's memory first, then the shared cache.

    A new version means a new key, so a value in memory can never be stale; memory only saves the
    round trip to Redis (``API_LOCAL_CACHE_ENTRIES`` per process, least recently used dropped).
    """
    local = caches["local"] if settings.API_LOCAL_CACHE_ENTRIES else None
    value = local.get(key) if local else None
    if value is None:
        value = cache.get(key)
        if value is not None and local:
            local.set(key, value, ttl)
    return value


def versioned_set(key: str, value: Any, ttl: int) -> None:
    cache.set(key, value, ttl)
    if settings.API_LOCAL_CACHE_ENTRIES:
        caches["local"].set(key, value, ttl)


def params_digest(params: dict[str, Any]) -> str:
    """A stable digest of query parameters (order-independent), for search cache keys."""
    return hashlib.sha1(json.dumps(params, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


def conditional_response(request: Request, etag: str, last_modified: datetime | None) -> HttpResponseBase | None:
    """Django's conditional GET: the 304 (or 412) answer with its validators; ``None``: build the full one.

    ``If-Modified-Since`` is compared as a date, so any date at or after ``last_modified`` matches.
    """
    stamp = int(last_modified.timestamp()) if last_modified is not None else None
    response = get_conditional_response(request, etag=quote_etag(etag), last_modified=stamp)
    return with_validators(response, etag, last_modified) if response is not None else None


def with_validators(response: HttpResponseBase, etag: str, last_modified: datetime | None) -> HttpResponseBase:
    response["ETag"] = quote_etag(etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    # Per-user fields (favorite, access) are part of the body: shared caches must not reuse it.
    response["Cache-Control"] = "private, no-cache"
    return response
