"""The one outbound HTTP transport: scrapers, media downloads and alert webhooks all call ``send()``.

What every outbound call shares lives here (healthchecks' ``hc/lib/curl.py``):

* ``send()``: a ``requests`` session with connect/read timeouts that ignores ``HTTP(S)_PROXY`` in
  the environment; a failure to get an answer becomes a ``TransientError`` (a TLS failure a
  ``PermanentError``: the certificate will not change on the next try);
* one error pair: ``TransientError`` is worth trying again, ``PermanentError`` never is
  (healthchecks' ``TransportError(permanent=True)``); ``check_status()`` sorts a status code into them;
* ``parse_retry_after()``, the one reading of Retry-After;
* ``retrying()``, the tenacity policy: transient errors only, the upstream's Retry-After when it
  sends one, else exponential backoff with full jitter;
* ``breaker()``, a registry of named pybreaker breakers, their state in Redis when a URL is given.

What is particular to one upstream stays in its module and calls these: request budgets and the
answer semantics of Reddit and Instagram (``scraping/http.py``), the SSRF guard and size limits of
media downloads (``media/download.py``), the alert body (``monitoring/alerts.py``). This module
imports no app, so a test can point any of them at a local server.
"""

from __future__ import annotations

import contextlib
import email.utils
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pybreaker
import redis
import requests
import tenacity
from requests.adapters import HTTPAdapter
from tenacity import Retrying

# Statuses where asking again later can succeed (RFC 9110 / RFC 6585 semantics).
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

Timeout = float | tuple[float, float]


class TransportError(Exception):
    """One failed call to an upstream; ``reason`` is a short machine word kept on the row it concerns."""

    permanent = False
    reason = "error"

    def __init__(
        self,
        message: str,
        *,
        upstream: str = "",
        status: int | None = None,
        reason: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.upstream = upstream
        self.status = status
        if reason is not None:
            self.reason = reason
        self.retry_after = retry_after
        self.body = body

    def __str__(self) -> str:
        if not self.upstream:
            return str(self.args[0])
        status = f" HTTP {self.status}" if self.status else ""
        return f"{self.upstream}{status} {self.reason}: {self.args[0]}"


class TransientError(TransportError):
    """Worth retrying: the upstream is busy, slow or briefly broken (429, 5xx, timeouts, resets)."""


class PermanentError(TransportError):
    """Never retried: asking again gets the same answer (404, 403, refused by policy, bad TLS)."""

    permanent = True


class CircuitOpenError(TransientError):
    """The upstream's breaker is open: nothing was sent, and nothing will be until it half-opens."""


# --- Retry-After and status codes ------------------------------------------------------------------

# RFC 9110 §10.2.3 says delay-seconds are whole digits; some servers send decimals ("1.5"), which
# mean the same thing. nan/inf/negative values are not delays.
_DELAY_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.match(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def check_status(response: requests.Response, *, upstream: str = "") -> None:
    """Raise the error a non-2xx status means: ``TRANSIENT_STATUSES`` are transient, the rest permanent."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"HTTP {status} from {response.url}"
    if status in TRANSIENT_STATUSES:
        raise TransientError(
            message,
            upstream=upstream,
            status=status,
            reason="http_status",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    raise PermanentError(message, upstream=upstream, status=status, reason="http_status")


# --- The retry policy --------------------------------------------------------------------------------


def retrying(
    *,
    attempts: int,
    backoff_base: float,
    backoff_cap: float,
    max_wait: float = math.inf,
    sleep: Callable[[float], None] = time.sleep,
    before_sleep: Callable[[tenacity.RetryCallState], None] | None = None,
) -> Retrying:
    """Retry ``TransientError`` up to ``attempts`` tries in all, then raise the last error.

    The wait is the upstream's Retry-After when it sent one, else full jitter (AWS architecture
    blog: uniform in [0, min(cap, base * 2**(attempt-1))]) so many workers do not retry in
    lockstep. An error asking for a wait longer than ``max_wait`` is raised at once: a worker is
    not parked for minutes, its task re-queues itself with that countdown instead. An open circuit
    is not retried in place: the breaker refuses until its reset timeout has passed.
    """
    jitter = tenacity.wait_random_exponential(multiplier=backoff_base, max=backoff_cap)

    def worth_retrying(exc: BaseException) -> bool:
        if not isinstance(exc, TransientError) or isinstance(exc, CircuitOpenError):
            return False
        return exc.retry_after is None or exc.retry_after <= max_wait

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        return retry_after if retry_after is not None else jitter(state)

    return Retrying(
        retry=tenacity.retry_if_exception(worth_retrying),
        stop=tenacity.stop_after_attempt(attempts),
        wait=wait,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )


# --- Circuit breakers --------------------------------------------------------------------------------

_lock = threading.RLock()
_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_redis_clients: dict[str, redis.Redis] = {}


def get_redis(url: str) -> redis.Redis:
    """One client (connection pool) per URL and process. Bytes replies: pybreaker expects them."""
    with _lock:
        client = _redis_clients.get(url)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
            _redis_clients[url] = client
        return client


def _is_permanent(exc: BaseException) -> bool:
    # A permanent error says nothing about the upstream's health (a 404 is a healthy answer).
    return isinstance(exc, PermanentError)


def breaker(
    name: str,
    *,
    fail_max: int,
    reset_timeout: float,
    redis_url: str = "",
    listeners: Sequence[pybreaker.CircuitBreakerListener] = (),
) -> pybreaker.CircuitBreaker:
    """The process's breaker called ``name``, made on first use with these settings.

    With ``redis_url`` its state lives in Redis under ``breaker:<name>``, so when one worker sees
    the upstream failing every worker stops calling it; without, it is this process's alone.
    ``PermanentError`` does not count as a failure. The call that trips it raises its own error
    (a 502 says more than "circuit open"); ``CircuitBreakerError`` then only means "refused".
    """
    with _lock:
        found = _breakers.get(name)
        if found is None:
            storage: pybreaker.CircuitBreakerStorage
            if redis_url:
                storage = pybreaker.CircuitRedisStorage(
                    pybreaker.STATE_CLOSED, get_redis(redis_url), namespace=breaker_namespace(name)
                )
            else:
                storage = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
            found = pybreaker.CircuitBreaker(
                fail_max=fail_max,
                reset_timeout=reset_timeout,
                exclude=[_is_permanent],
                state_storage=storage,
                name=name,
                throw_new_error_on_trip=False,
                listeners=list(listeners),
            )
            _breakers[name] = found
        return found


def breaker_namespace(name: str) -> str:
    return f"breaker:{name}"


def forget_breaker(name: str) -> None:
    """Drop this process's breaker object; the next ``breaker(name)`` builds it again (from Redis)."""
    with _lock:
        _breakers.pop(name, None)


def reset_breaker(name: str, redis_url: str = "") -> None:
    """Close the breaker for every process (tests; an operator clearing a stuck breaker)."""
    if redis_url:
        client = get_redis(redis_url)
        keys = list(client.scan_iter(f"{breaker_namespace(name)}*"))
        if keys:
            client.delete(*keys)
    forget_breaker(name)


def call_guarded(guard: pybreaker.CircuitBreaker, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)`` through ``guard``; raises ``CircuitOpenError`` when the breaker refuses.

    ``calling()``, not ``call()``: ``call()`` holds the breaker's lock for the whole call, which
    serialised every upstream request of a threads-pool worker (ten lookups in flight took ten times
    as long as one; ``bench/bench_lookup.py``).
    """
    try:
        with guard.calling():
            return func(*args, **kwargs)
    except pybreaker.CircuitBreakerError as exc:
        raise CircuitOpenError(
            "circuit open", upstream=guard.name or "", reason="circuit_open", retry_after=guard.reset_timeout
        ) from exc


# --- Sending -----------------------------------------------------------------------------------------

_sessions = threading.local()


def _session() -> requests.Session:
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _new_session()
        _sessions.session = session
    return session


def _new_session() -> requests.Session:
    session = requests.Session()
    # Proxies are chosen per call (SCRAPING_PROXIES), never taken from HTTP(S)_PROXY in the environment.
    session.trust_env = False
    return session


class _PinnedAdapter(HTTPAdapter):
    """Connects to one checked address while the Host header, TLS SNI and certificate check use the URL's name."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(pool_maxsize=1)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
            pool_kwargs["assert_hostname"] = host_params["host"]
        host_params["host"] = self.address
        return host_params, pool_kwargs


@contextlib.contextmanager
def pinned(address: str) -> Iterator[requests.Session]:
    """A session whose connections go to ``address`` whatever the URL's host resolves to now.

    A DNS answer that changes between a check and the connect (rebinding) cannot move the
    connection; closed on exit. Send the ``Host`` header yourself (the socket's peer is an IP).
    """
    session = _new_session()
    adapter = _PinnedAdapter(address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        yield session
    finally:
        session.close()


def send(
    method: str,
    url: str,
    *,
    timeout: Timeout,
    upstream: str = "",
    session: requests.Session | None = None,
    stream: bool = False,
    **kwargs: Any,
) -> requests.Response:
    """One HTTP exchange with ``timeout`` (seconds, or (connect, read)); any status is returned.

    Without ``stream`` the body is read here, so a body cut short is a ``TransientError`` too;
    with it, read the body through ``iter_body()``.
    """
    try:
        response = (session or _session()).request(method, url, timeout=timeout, stream=stream, **kwargs)
        if not stream:
            response.content  # noqa: B018 - read now, inside the error mapping
    except requests.RequestException as exc:
        raise _transport_error(exc, upstream) from exc
    return response


def iter_body(response: requests.Response, chunk_size: int, *, upstream: str = "") -> Iterator[bytes]:
    """The body of a streamed answer in chunks; a connection broken mid-body is a ``TransientError``."""
    try:
        yield from response.iter_content(chunk_size)
    except requests.RequestException as exc:
        raise _transport_error(exc, upstream) from exc


def _transport_error(exc: requests.RequestException, upstream: str) -> TransportError:
    if isinstance(exc, requests.exceptions.SSLError):
        return PermanentError(f"TLS error: {exc}", upstream=upstream, reason="tls")
    if isinstance(exc, requests.Timeout):
        return TransientError(str(exc), upstream=upstream, reason="timeout")
    # Connection refused/reset, truncated or broken chunked bodies, proxy failures.
    return TransientError(str(exc), upstream=upstream, reason="connection_error")
