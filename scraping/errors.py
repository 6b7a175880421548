"""What can go wrong when talking to an upstream, sorted by what to do about it.

A ``TransientError`` is worth trying again later (429, 5xx, timeouts, connection resets, a
truncated body, an open circuit). A ``PermanentError`` is not: retrying a 404 or a private account
only burns request budget, so the target is marked instead (healthchecks' ``TransportError(permanent=True)``).
``reason`` is a short machine word that ends up in ``scrape_status`` / ``last_error``.
"""

from __future__ import annotations

from typing import Any


class UpstreamError(Exception):
    """Base class: one failed call to an upstream."""

    permanent = False

    def __init__(
        self,
        message: str,
        *,
        upstream: str = "",
        status: int | None = None,
        reason: str = "error",
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.upstream = upstream
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        self.body = body

    def __str__(self) -> str:
        status = f" HTTP {self.status}" if self.status else ""
        return f"{self.upstream or 'upstream'}{status} {self.reason}: {self.args[0]}"


class TransientError(UpstreamError):
    """Worth retrying: the upstream is busy, slow or briefly broken."""


class PermanentError(UpstreamError):
    """Never retried: not found, forbidden, private, banned/suspended, challenge, bad request."""

    permanent = True


class CircuitOpenError(TransientError):
    """The upstream's breaker is open: calls fail fast until it half-opens again."""


class RateLimitExceeded(TransientError):
    """Our own request budget would make this call wait longer than we are willing to block."""
