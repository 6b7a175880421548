"""The one function every scraper call goes through: ``request()``, on top of ``config.http``.

Each attempt passes, in this order:

1. the upstream's **rate limit** — a token bucket kept in Redis, so every worker process on every
   machine draws from one budget (``REDDIT_REQUESTS_PER_MINUTE``, ``INSTAGRAM_REQUESTS_PER_MINUTE``);
2. the upstream's **circuit breaker** — pybreaker with ``CircuitRedisStorage``, so when one worker
   sees the upstream failing, all workers stop calling it until ``reset_timeout`` has passed;
3. the **HTTP call** itself (``config.http.send``), with connect/read timeouts, a User-Agent and a
   proxy taken round-robin from ``SCRAPING_PROXIES`` for every request; ``classify()`` reads the
   answer the way Reddit and Instagram mean it.

Around that, ``config.http.retrying`` **retries** transient failures only (429 honouring
Retry-After, 5xx, timeouts, connection errors, a truncated body). Each retry goes through
the bucket and the breaker again, because each attempt is a real request that costs budget and is
evidence about the upstream's health. Permanent failures (404, 403, private, banned, challenge)
raise at once and are never retried.

Without ``REDIS_URL`` (the embedded run mode) the bucket and the breaker fall back to process-local
state: correct for one process, and said so in the log.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import pybreaker
import tenacity

from config import http as transport
from config.http import CircuitOpenError, PermanentError, TransientError, TransportError

logger = logging.getLogger(__name__)

# Bodies that mean "a human must look at this account/session": retrying cannot help.
_CHALLENGE_MARKERS = ("challenge_required", "checkpoint_required", "consent_required", "login_required")
# Instagram answers 401 "Please wait a few minutes before you try again." when it throttles: transient.
_PLEASE_WAIT_MARKER = "please wait"
# Graph API error codes for app/user/page throttling (Meta: "Rate Limiting" reference), sent as 400/403.
_GRAPH_THROTTLE_CODES = {4, 17, 32, 613}


class RateLimitExceeded(TransientError):
    """Our own request budget would make this call wait longer than we are willing to block."""


@dataclass(frozen=True)
class Upstream:
    """How to talk to one upstream: budget, timeouts, breaker and retry policy, identity."""

    name: str
    requests_per_minute: int
    user_agent: str = "creatorscope/1.0"
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    proxies: tuple[str, ...] = ()
    max_attempts: int = 4
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    # A Retry-After (or a bucket wait) longer than this is not slept through inside a worker: the
    # error goes up and the task is re-queued with that countdown instead.
    max_wait: float = 60.0
    breaker_fail_max: int = 5
    breaker_reset_timeout: int = 60
    redis_url: str = ""
    default_headers: tuple[tuple[str, str], ...] = ()

    @property
    def burst(self) -> int:
        # A small bucket keeps any 60 s window close to the published per-minute limit
        # (at most burst + rate*60 requests); 1/20 of the minute budget, at least one request.
        return max(1, self.requests_per_minute // 20)

    @classmethod
    def from_settings(cls, name: str, *, requests_per_minute: int, **overrides: Any) -> Upstream:
        """Build an upstream from the ``# --- Scraping ---`` settings."""
        from django.conf import settings

        connect_timeout, read_timeout = settings.SCRAPING_TIMEOUTS
        values: dict[str, Any] = {
            "name": name,
            "requests_per_minute": requests_per_minute,
            "user_agent": settings.SCRAPING_USER_AGENT,
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
            "proxies": tuple(settings.SCRAPING_PROXIES),
            "max_attempts": settings.SCRAPING_MAX_ATTEMPTS,
            "backoff_base": settings.SCRAPING_BACKOFF_SECONDS,
            "max_wait": settings.SCRAPING_MAX_WAIT_SECONDS,
            "breaker_fail_max": settings.SCRAPING_BREAKER_FAIL_MAX,
            "breaker_reset_timeout": settings.SCRAPING_BREAKER_RESET_SECONDS,
            "redis_url": getattr(settings, "REDIS_URL", "") or "",
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class CallStats:
    """Counts for one scrape run: every attempt is an API call (and costs budget)."""

    api_calls: int = 0
    errors: int = 0
    retries: int = 0
    waited_seconds: float = 0.0


@dataclass
class Response:
    """What a successful call returns: status, headers and the parsed JSON body."""

    status: int
    headers: dict[str, str]
    data: Any
    url: str = ""
    elapsed: float = 0.0


# --- Shared and process-local state ----------------------------------------------------------

_state_lock = threading.RLock()


# Token bucket with reservation: every caller takes a token, possibly going negative, and sleeps
# until its token would have been refilled. One round trip, fair across processes, and Redis'
# own clock (TIME) is the only clock, so workers with skewed clocks still share one budget.
# Returns the wait in seconds as a string (Lua numbers are truncated to integers in replies);
# a negative value means "the wait would exceed max_wait, nothing was reserved".
_TOKEN_BUCKET_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + (now - ts) * rate)
local after = tokens - 1
local wait = 0
if after < 0 then wait = -after / rate end
if wait > max_wait then
  redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
  redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
  return tostring(-wait)
end
redis.call('HSET', KEYS[1], 'tokens', after, 'ts', now)
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate + wait) + 60)
return tostring(wait)
"""


class _LocalBucket:
    """The same reservation bucket for one process (embedded mode, no Redis)."""

    def __init__(self) -> None:
        self.tokens: float | None = None
        self.ts = 0.0
        self.lock = threading.Lock()

    def reserve(self, rate: float, capacity: int, max_wait: float) -> float:
        with self.lock:
            now = time.monotonic()
            tokens = capacity if self.tokens is None else min(capacity, self.tokens + (now - self.ts) * rate)
            after = tokens - 1
            wait = -after / rate if after < 0 else 0.0
            self.ts = now
            if wait > max_wait:
                self.tokens = tokens
                return -wait
            self.tokens = after
            return wait


_local_buckets: dict[str, _LocalBucket] = {}
_proxy_counters: dict[str, itertools.count] = {}
_warned_no_redis: set[str] = set()


def monitor() -> Any:
    """``monitoring.metrics`` (counters shared by all processes), or None outside a configured Django.

    The transport also runs in bare processes (the two-process budget test); those count nothing.
    """
    from django.conf import settings

    if not settings.configured:
        return None
    from monitoring import metrics

    return metrics


def rate_limit_key(upstream: Upstream) -> str:
    return f"scraping:ratelimit:{upstream.name}"


def _warn_local(upstream: Upstream) -> None:
    if upstream.name not in _warned_no_redis:
        _warned_no_redis.add(upstream.name)
        logger.warning("REDIS_URL is not set: rate limit and circuit breaker for %s are per process", upstream.name)


def acquire(upstream: Upstream, stats: CallStats | None = None) -> float:
    """Take one request from the upstream's budget, sleeping until it is ours. Returns the wait.

    Raises ``RateLimitExceeded`` (transient) when the wait would exceed ``upstream.max_wait``, so a
    worker is never parked for minutes; the task re-queues itself with that countdown.
    """
    rate = upstream.requests_per_minute / 60.0
    if upstream.redis_url:
        client = transport.get_redis(upstream.redis_url)
        wait = float(
            client.eval(_TOKEN_BUCKET_LUA, 1, rate_limit_key(upstream), rate, upstream.burst, upstream.max_wait)
        )
    else:
        _warn_local(upstream)
        with _state_lock:
            bucket = _local_buckets.setdefault(upstream.name, _LocalBucket())
        wait = bucket.reserve(rate, upstream.burst, upstream.max_wait)
    if wait < 0:
        raise RateLimitExceeded(
            f"request budget of {upstream.requests_per_minute}/min exhausted",
            upstream=upstream.name,
            reason="rate_limited",
            retry_after=-wait,
        )
    if wait > 0:
        time.sleep(wait)
        if stats is not None:
            stats.waited_seconds += wait
    return wait


def expected_wait(upstream: Upstream) -> float:
    """Seconds the next request would wait for the upstream's budget now, reserving nothing.

    A lookup tells the person how long it must wait before it starts waiting (or gives up at once
    when the wait outlasts its timeout).
    """
    rate = upstream.requests_per_minute / 60.0
    if upstream.redis_url:
        raw = transport.get_redis(upstream.redis_url).hmget(rate_limit_key(upstream), "tokens", "ts")
        if raw[0] is None:
            return 0.0
        now = float(transport.get_redis(upstream.redis_url).time()[0])
        tokens = min(upstream.burst, float(raw[0]) + (now - float(raw[1])) * rate)
    else:
        bucket = _local_buckets.get(upstream.name)
        if bucket is None or bucket.tokens is None:
            return 0.0
        tokens = min(upstream.burst, bucket.tokens + (time.monotonic() - bucket.ts) * rate)
    return max(0.0, (1 - tokens) / rate)


def get_breaker(upstream: Upstream) -> pybreaker.CircuitBreaker:
    """The upstream's breaker; its state lives in Redis, shared by every worker process."""
    if not upstream.redis_url:
        _warn_local(upstream)
    metrics = monitor()
    return transport.breaker(
        upstream.name,
        fail_max=upstream.breaker_fail_max,
        reset_timeout=upstream.breaker_reset_timeout,
        redis_url=upstream.redis_url,
        # State changes reach the live monitor and /metrics (creatorscope_breaker_state).
        listeners=[metrics.BreakerListener(upstream.name)] if metrics else [],
    )


def reset_state(upstream: Upstream) -> None:
    """Forget the upstream's shared bucket and breaker state (tests; an operator clearing a stuck breaker)."""
    if upstream.redis_url:
        transport.get_redis(upstream.redis_url).delete(rate_limit_key(upstream))
    transport.reset_breaker(upstream.name, upstream.redis_url)
    with _state_lock:
        _local_buckets.pop(upstream.name, None)


def _next_proxy(upstream: Upstream) -> str | None:
    if not upstream.proxies:
        return None
    with _state_lock:
        counter = _proxy_counters.setdefault(upstream.name, itertools.count())
        index = next(counter)
    return upstream.proxies[index % len(upstream.proxies)]


# --- Classifying answers ---------------------------------------------------------------------


def _body_text(data: Any, raw: bytes) -> str:
    if isinstance(data, dict):
        parts = [str(data.get(k, "")) for k in ("message", "reason", "error", "error_type", "explanation")]
        return " ".join(parts).lower()
    return raw[:2000].decode("utf-8", "replace").lower()


def classify(upstream: Upstream, status: int, headers: dict[str, str], raw: bytes) -> Any:
    """Return the parsed JSON body of a good answer, or raise the error the answer means."""
    data: Any = None
    decode_error: ValueError | None = None
    try:
        data = json.loads(raw) if raw else None
    except ValueError as exc:
        decode_error = exc
    text = _body_text(data, raw)

    def fail(cls: type[TransportError], reason: str, message: str, retry_after: float | None = None) -> None:
        raise cls(message, upstream=upstream.name, status=status, reason=reason, retry_after=retry_after, body=data)

    graph_code = (
        data.get("error", {}).get("code") if isinstance(data, dict) and isinstance(data.get("error"), dict) else None
    )
    if graph_code in _GRAPH_THROTTLE_CODES:
        fail(TransientError, "throttled", f"Graph API rate limit (code {graph_code})", 60.0)
    if graph_code == 190:
        fail(PermanentError, "unauthorized", "Graph API access token expired or invalid")
    if any(marker in text for marker in _CHALLENGE_MARKERS):
        fail(PermanentError, "challenge", "the upstream wants a challenge/checkpoint solved")
    if status == 429:
        fail(TransientError, "throttled", "too many requests", transport.parse_retry_after(headers.get("Retry-After")))
    if status >= 500:
        fail(
            TransientError,
            "server_error",
            f"server error {status}",
            transport.parse_retry_after(headers.get("Retry-After")),
        )
    if status == 401:
        if _PLEASE_WAIT_MARKER in text:
            fail(TransientError, "throttled", "asked to wait before trying again")
        fail(PermanentError, "unauthorized", "credentials rejected")
    if status == 403:
        if "private" in text:
            fail(PermanentError, "private", "the target is private")
        if "quarantined" in text or "gold_only" in text:
            fail(PermanentError, "private", "the target is quarantined or restricted")
        if "banned" in text or "suspended" in text:
            fail(PermanentError, "banned", "the target is banned")
        fail(PermanentError, "forbidden", "forbidden")
    if status == 404:
        if "banned" in text:
            fail(PermanentError, "banned", "the target is banned")
        fail(PermanentError, "not_found", "not found")
    if 400 <= status < 500:
        fail(PermanentError, "bad_request", f"rejected with {status}")
    if decode_error is not None:
        # A 2xx with a cut-off body: the connection or the provider broke mid-answer.
        fail(TransientError, "invalid_json", f"body is not JSON ({decode_error})")
    return data


def _send_once(
    upstream: Upstream,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None,
    headers: dict[str, str],
    data: Any,
    json_body: Any,
    auth: Any,
) -> Response:
    proxy = _next_proxy(upstream)
    started = time.monotonic()
    try:
        answer = transport.send(
            method,
            url,
            timeout=(upstream.connect_timeout, upstream.read_timeout),
            upstream=upstream.name,
            params=params,
            headers=headers,
            data=data,
            json=json_body,
            auth=auth,
            proxies={"http": proxy, "https": proxy} if proxy else None,
            allow_redirects=True,
        )
    except TransportError as exc:
        _count_call(upstream, "timeout" if exc.reason == "timeout" else "connection")
        raise
    _count_call(upstream, str(answer.status_code))
    response_headers = dict(answer.headers)
    parsed = classify(upstream, answer.status_code, response_headers, answer.content)
    return Response(
        status=answer.status_code,
        headers=response_headers,
        data=parsed,
        url=answer.url,
        elapsed=time.monotonic() - started,
    )


def _count_call(upstream: Upstream, status: str) -> None:
    metrics = monitor()
    if metrics is not None:
        metrics.API_CALLS.labels(upstream=upstream.name, status=status).inc()


def request(
    upstream: Upstream,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    data: Any = None,
    json_body: Any = None,
    auth: Any = None,
    stats: CallStats | None = None,
) -> Response:
    """Call the upstream once, logically: rate limit → breaker → HTTP, retried while transient.

    Raises ``PermanentError`` (never retried), ``TransientError`` after the last attempt or when
    the upstream asks for a wait longer than ``upstream.max_wait``, ``CircuitOpenError`` while the
    breaker is open, ``RateLimitExceeded`` when our own budget is spent for longer than that.
    """
    merged = {"User-Agent": upstream.user_agent, "Accept": "application/json", **dict(upstream.default_headers)}
    merged.update(headers or {})
    breaker = get_breaker(upstream)

    def attempt() -> Response:
        acquire(upstream, stats)
        if stats is not None:
            stats.api_calls += 1
        try:
            return transport.call_guarded(
                breaker,
                _send_once,
                upstream,
                method,
                url,
                params=params,
                headers=merged,
                data=data,
                json_body=json_body,
                auth=auth,
            )
        except CircuitOpenError:
            _count_call(upstream, "breaker_open")
            if stats is not None:
                # Refused before any request left: it cost no upstream call.
                stats.api_calls -= 1
                stats.errors += 1
            raise
        except TransportError:
            if stats is not None:
                stats.errors += 1
            raise

    def before_sleep(state: tenacity.RetryCallState) -> None:
        delay = state.upcoming_sleep
        exc = state.outcome.exception() if state.outcome else None
        logger.info(
            "%s %s %s: %s; retry %d/%d in %.2fs",
            upstream.name,
            method,
            url,
            getattr(exc, "reason", exc),
            state.attempt_number,
            upstream.max_attempts - 1,
            delay,
        )
        if stats is not None:
            stats.retries += 1
            stats.waited_seconds += delay

    policy = transport.retrying(
        attempts=upstream.max_attempts,
        backoff_base=upstream.backoff_base,
        backoff_cap=upstream.backoff_cap,
        max_wait=upstream.max_wait,
        before_sleep=before_sleep,
    )
    return policy(attempt)
