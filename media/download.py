"""Fetch one remote media file safely.

Everything a scraper hands us is an untrusted URL, so the download path is defensive:

* only ``http``/``https``; the host is resolved here and every address it resolves to must be
  public (no loopback, private, link-local, cloud-metadata, CGNAT, multicast or reserved ranges)
  unless the host is listed in ``MEDIA_ALLOWED_HOSTS``;
* the connection is pinned to the address we checked (the socket connects to that IP; the
  ``Host`` header, TLS SNI and certificate check still use the name), so a DNS answer that
  changes between the check and the connect (rebinding) cannot reach an internal address;
* redirects are followed by hand, and every hop goes through the same checks;
* the body is streamed into a temporary file with a byte cap, a connect timeout, a per-read
  timeout and a total deadline, hashing as it goes;
* the type is decided from the first bytes of the body, never from the URL or Content-Type;
* transient failures (connection errors, timeouts, truncated bodies, 408/425/429/5xx) are
  retried by ``config.http.retrying``; everything else is permanent and raised at once.

The HTTP exchange itself goes through ``config.http`` (a session pinned to the checked address);
failures are its ``TransientError``/``PermanentError``, with ``reason`` as the stored error code.

This module only needs Django settings when :meth:`DownloadPolicy.from_settings` is called.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Self
from urllib.parse import urljoin, urlsplit

from config import http
from config.http import PermanentError, TransientError

USER_AGENT = "Creatorscope-media/1.0"
# Instagram CDN links are valid for days and redirect at most once or twice; five hops is generous
# and still stops redirect loops early.
MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
SNIFF_BYTES = 64
# Hosts not on the allow list may only be reached on the usual web ports, so a URL cannot be used
# to poke at SSH, Redis, PostgreSQL, ... on a public address either.
DEFAULT_ALLOWED_PORTS = frozenset({80, 443, 8080, 8443})
# 64:ff9b::/96 (RFC 6052) carries an IPv4 address in its low 32 bits; 6to4 and Teredo are handled
# by the ipaddress module's own accessors.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# Reason for failures with no more specific word (stored as RemoteSource.error_code).
DOWNLOAD_ERROR = "download_error"


class BlockedURL(PermanentError):
    """The URL or one of its redirect targets is not allowed (scheme, port or address)."""

    reason = "blocked"


class TooLarge(PermanentError):
    """The body is bigger than ``MEDIA_MAX_DOWNLOAD_BYTES``."""

    reason = "too_large"


class UnsupportedContent(PermanentError):
    """The body is empty or its first bytes are not an image or video format we handle."""

    reason = "unsupported"


@dataclass(frozen=True)
class DownloadPolicy:
    """Limits for one download; built from settings in production, by hand in tests."""

    allowed_hosts: tuple[str, ...] = ()
    max_bytes: int = 100 * 1024 * 1024
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    total_timeout: float = 120.0
    attempts: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    allowed_ports: frozenset[int] = DEFAULT_ALLOWED_PORTS
    temp_dir: str | None = None
    # PEM bundle to verify TLS with instead of the system's CAs (a private CA in front of MinIO).
    ca_certs: str | None = None

    @classmethod
    def from_settings(cls) -> DownloadPolicy:
        from django.conf import settings

        return cls(
            allowed_hosts=tuple(getattr(settings, "MEDIA_ALLOWED_HOSTS", ()) or ()),
            max_bytes=int(getattr(settings, "MEDIA_MAX_DOWNLOAD_BYTES", cls.max_bytes)),
            connect_timeout=float(getattr(settings, "MEDIA_DOWNLOAD_CONNECT_TIMEOUT", cls.connect_timeout)),
            read_timeout=float(getattr(settings, "MEDIA_DOWNLOAD_TIMEOUT", cls.read_timeout)),
            total_timeout=float(getattr(settings, "MEDIA_DOWNLOAD_TOTAL_TIMEOUT", cls.total_timeout)),
            attempts=int(getattr(settings, "MEDIA_DOWNLOAD_ATTEMPTS", cls.attempts)),
            # Not an environment variable: only tests shorten the backoff (Django settings override).
            backoff_base=float(getattr(settings, "MEDIA_DOWNLOAD_BACKOFF", cls.backoff_base)),
            ca_certs=getattr(settings, "MEDIA_DOWNLOAD_CA_BUNDLE", None) or None,
        )

    def host_is_allowed(self, host: str) -> bool:
        """True when ``host`` is listed (exactly, or under a ``.example.com`` suffix entry)."""
        host = host.lower().rstrip(".")
        for entry in self.allowed_hosts:
            entry = entry.lower().strip().rstrip(".")
            if not entry:
                continue
            if entry == "*" or host == entry.lstrip("."):
                return True
            if entry.startswith(".") and host.endswith(entry):
                return True
        return False


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a body say it is."""

    kind: str  # "image" or "video"
    mime_type: str


@dataclass
class Downloaded:
    """A fully downloaded body in a temporary file; delete it with :meth:`cleanup`."""

    url: str
    final_url: str
    path: str
    size: int
    sha256: str
    kind: str
    mime_type: str
    declared_type: str = ""
    attempts: int = 1
    redirects: list[str] = field(default_factory=list)

    def read_bytes(self) -> bytes:
        with open(self.path, "rb") as fh:
            return fh.read()

    def cleanup(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


# --- content sniffing --------------------------------------------------------------------------

# ISO base media file ("ftyp") brands that are still images; everything else with an ftyp box is a
# video container (mp4, mov, m4v, 3gp).
_IMAGE_FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"avis": "image/avif",
}


def sniff(head: bytes) -> Sniffed | None:
    """Identify an image/video by its magic bytes; None when it is not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "image/png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image", "image/gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _IMAGE_FTYP_BRANDS:
            return Sniffed("image", _IMAGE_FTYP_BRANDS[brand])
        if brand == b"qt  ":
            return Sniffed("video", "video/quicktime")
        return Sniffed("video", "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # Matroska and WebM share the EBML header; the doctype sits a few bytes in.
        mime = "video/webm" if b"webm" in head[:64] else "video/x-matroska"
        return Sniffed("video", mime)
    return None


# --- address checks ----------------------------------------------------------------------------


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses only.

    ``is_global`` already excludes loopback, RFC 1918, link-local (which holds the 169.254.169.254
    metadata endpoint), CGNAT 100.64/10, unique-local fc00::/7 (AWS' fd00:ec2::254), documentation
    and reserved ranges; multicast is excluded separately. IPv6 forms that embed an IPv4 address
    are judged by the embedded address too.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_multicast or ip.is_unspecified or not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and (not inner.is_global or inner.is_multicast):
            return False
    return True


Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to, in the order the system prefers them."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        # EAI_AGAIN is a temporary resolver failure; a name that does not exist will not start
        # existing on the next attempt.
        error = TransientError if exc.errno == socket.EAI_AGAIN else PermanentError
        raise error(f"cannot resolve {host}: {exc}", reason=DOWNLOAD_ERROR) from exc
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in seen:
            seen.append(addr)
    return seen


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    request_path: str


def check_url(url: str, policy: DownloadPolicy, resolver: Resolver = system_resolver) -> Target:
    """Validate ``url`` against the SSRF rules and pick the address to connect to.

    Raises :class:`BlockedURL` for anything not allowed.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(f"malformed URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BlockedURL(f"only http and https URLs are fetched, not {scheme or 'no scheme'!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BlockedURL(f"URL has no host: {url!r}")
    if parts.username or parts.password:
        raise BlockedURL("URLs with credentials are not fetched")
    port = port or (443 if scheme == "https" else 80)
    allowed = policy.host_is_allowed(host)
    if not allowed and port not in policy.allowed_ports:
        raise BlockedURL(f"port {port} is not allowed for {host}")

    addresses = list(resolver(host, port))
    if not addresses:
        raise PermanentError(f"{host} resolved to no addresses", reason=DOWNLOAD_ERROR)
    if not allowed:
        # Every answer must be public: with several A/AAAA records the client could pick any.
        for address in addresses:
            if not is_public_address(address):
                raise BlockedURL(
                    f"{host} resolves to non-public address {address}; add the host to MEDIA_ALLOWED_HOSTS to allow it"
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0], request_path=path)


# --- the download itself -----------------------------------------------------------------------


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _fetch_once(
    url: str, policy: DownloadPolicy, resolver: Resolver, sink: IO[bytes]
) -> tuple[str, list[str], str, int, str, bytes]:
    """One attempt over the whole redirect chain; returns what was written into ``sink``."""
    deadline = time.monotonic() + policy.total_timeout
    redirects: list[str] = []
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = check_url(current, policy, resolver)
        with (
            http.pinned(target.address) as session,
            http.send(
                "GET",
                current,
                session=session,
                stream=True,
                timeout=(policy.connect_timeout, policy.read_timeout),
                verify=policy.ca_certs or True,
                allow_redirects=False,
                headers={
                    "Host": _host_header(target),
                    "User-Agent": USER_AGENT,
                    "Accept": "image/*,video/*;q=0.9,*/*;q=0.5",
                    # Compressed transfer would let a tiny response inflate past the cap
                    # before we count it; media is already compressed anyway.
                    "Accept-Encoding": "identity",
                },
            ) as response,
        ):
            status = response.status_code
            if 300 <= status < 400 and status != 304:
                location = response.headers.get("Location")
                if not location:
                    raise TransientError(f"HTTP {status} without Location from {current}", reason=DOWNLOAD_ERROR)
                current = urljoin(current, location)
                redirects.append(current)
                continue
            http.check_status(response)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                raise TooLarge(f"{current} declares {int(declared)} bytes, over the {policy.max_bytes}-byte limit")
            content_type = response.headers.get("Content-Type", "")
            digest = hashlib.sha256()
            size = 0
            head = b""
            sink.seek(0)
            sink.truncate()
            for chunk in http.iter_body(response, CHUNK_SIZE):
                size += len(chunk)
                if size > policy.max_bytes:
                    raise TooLarge(f"{current} is over the {policy.max_bytes}-byte limit")
                if time.monotonic() > deadline:
                    raise TransientError(f"{current} took longer than {policy.total_timeout:g}s", reason="timeout")
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                sink.write(chunk)
            sink.flush()
            return current, redirects, content_type, size, digest.hexdigest(), head
    raise PermanentError(f"more than {MAX_REDIRECTS} redirects from {url}", reason=DOWNLOAD_ERROR)


def download(
    url: str,
    policy: DownloadPolicy | None = None,
    *,
    resolver: Resolver = system_resolver,
    sleep: Callable[[float], None] = time.sleep,
) -> Downloaded:
    """Download ``url`` into a temporary file and identify it.

    Returns a :class:`Downloaded` (use it as a context manager to delete the file). Raises
    ``config.http``'s ``TransientError`` or ``PermanentError`` (whose ``permanent`` flag says
    whether a later retry makes sense) after ``policy.attempts`` tries.
    """
    policy = policy or DownloadPolicy.from_settings()
    fd, path = tempfile.mkstemp(prefix="media-dl-", dir=policy.temp_dir)
    try:
        # A Retry-After longer than the backoff cap is not slept through: the backfill retries later.
        retrying = http.retrying(
            attempts=policy.attempts,
            backoff_base=policy.backoff_base,
            backoff_cap=policy.backoff_max,
            max_wait=policy.backoff_max,
            sleep=sleep,
        )
        with os.fdopen(fd, "w+b") as sink:
            final_url, redirects, declared, size, sha, head = retrying(_fetch_once, url, policy, resolver, sink)
        attempt = retrying.statistics["attempt_number"]
        if size == 0:
            raise UnsupportedContent(f"{url} returned an empty body")
        sniffed = sniff(head)
        if sniffed is None:
            raise UnsupportedContent(
                f"{url} is not a supported image or video (starts with {head[:8].hex()}, "
                f"declared {declared or 'no type'})"
            )
        return Downloaded(
            url=url,
            final_url=final_url,
            path=path,
            size=size,
            sha256=sha,
            kind=sniffed.kind,
            mime_type=sniffed.mime_type,
            declared_type=declared,
            attempts=attempt,
            redirects=redirects,
        )
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
