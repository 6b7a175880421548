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
  retried with exponential backoff and jitter; everything else is permanent and raised at once.

This module only needs Django settings when :meth:`DownloadPolicy.from_settings` is called.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import random
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import IO, Self
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import ProtocolError, SSLError

USER_AGENT = "Creatorscope-media/1.0"
# Instagram CDN links are valid for days and redirect at most once or twice; five hops is generous
# and still stops redirect loops early.
MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
SNIFF_BYTES = 64
# Statuses where trying again later can succeed (RFC 9110 / RFC 6585 semantics).
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Hosts not on the allow list may only be reached on the usual web ports, so a URL cannot be used
# to poke at SSH, Redis, PostgreSQL, ... on a public address either.
DEFAULT_ALLOWED_PORTS = frozenset({80, 443, 8080, 8443})
# 64:ff9b::/96 (RFC 6052) carries an IPv4 address in its low 32 bits; 6to4 and Teredo are handled
# by the ipaddress module's own accessors.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DownloadError(Exception):
    """A download that did not produce a usable file.

    ``permanent`` is True when retrying the same URL cannot help (refused by policy, 404, too big,
    not a media file); transient errors are retried by :func:`download` and by the backfill.
    """

    permanent = False
    code = "download_error"

    def __init__(self, message: str, *, permanent: bool | None = None) -> None:
        super().__init__(message)
        if permanent is not None:
            self.permanent = permanent


class BlockedURL(DownloadError):
    """The URL or one of its redirect targets is not allowed (scheme, port or address)."""

    permanent = True
    code = "blocked"


class TooLarge(DownloadError):
    """The body is bigger than ``MEDIA_MAX_DOWNLOAD_BYTES``."""

    permanent = True
    code = "too_large"


class UnsupportedContent(DownloadError):
    """The body is empty or its first bytes are not an image or video format we handle."""

    permanent = True
    code = "unsupported"


class HTTPStatusError(DownloadError):
    """The server answered with a non-2xx status."""

    code = "http_status"

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"HTTP {status} from {url}", permanent=status not in TRANSIENT_STATUSES)
        self.status = status


class TransientError(DownloadError):
    """Network trouble that may clear up: refused/reset connections, timeouts, short bodies."""

    code = "transient"


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
        transient = exc.errno == socket.EAI_AGAIN
        raise DownloadError(f"cannot resolve {host}: {exc}", permanent=not transient) from exc
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
        raise DownloadError(f"{host} resolved to no addresses", permanent=True)
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


def _pool(target: Target, policy: DownloadPolicy) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=policy.connect_timeout, read=policy.read_timeout)
    if target.scheme == "https":
        # Connect to the checked IP but verify the certificate and send SNI for the real name.
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=policy.ca_certs,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False, maxsize=1)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _RetryLater(TransientError):
    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _fetch_once(
    url: str, policy: DownloadPolicy, resolver: Resolver, sink: IO[bytes]
) -> tuple[str, list[str], str, int, str, bytes]:
    """One attempt over the whole redirect chain; returns what was written into ``sink``."""
    deadline = time.monotonic() + policy.total_timeout
    redirects: list[str] = []
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = check_url(current, policy, resolver)
        pool = _pool(target, policy)
        try:
            try:
                response = pool.urlopen(
                    "GET",
                    target.request_path,
                    headers={
                        "Host": _host_header(target),
                        "User-Agent": USER_AGENT,
                        "Accept": "image/*,video/*;q=0.9,*/*;q=0.5",
                        # Compressed transfer would let a tiny response inflate past the cap
                        # before we count it; media is already compressed anyway.
                        "Accept-Encoding": "identity",
                    },
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    assert_same_host=False,
                )
            except SSLError as exc:
                raise DownloadError(f"TLS error for {target.host}: {exc}", permanent=True) from exc
            except Urllib3HTTPError as exc:
                raise TransientError(f"connection to {target.host} failed: {exc}") from exc
            try:
                status = response.status
                if 300 <= status < 400 and status != 304:
                    location = response.headers.get("Location")
                    if not location:
                        raise DownloadError(f"HTTP {status} without Location from {current}")
                    current = urljoin(current, location)
                    redirects.append(current)
                    continue
                if status in (429, 503):
                    raise _RetryLater(
                        f"HTTP {status} from {current}",
                        _retry_after_seconds(response.headers.get("Retry-After")),
                    )
                if not 200 <= status < 300:
                    raise HTTPStatusError(status, current)
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                    raise TooLarge(f"{current} declares {int(declared)} bytes, over the {policy.max_bytes}-byte limit")
                content_type = response.headers.get("Content-Type", "")
                digest = hashlib.sha256()
                size = 0
                head = b""
                sink.seek(0)
                sink.truncate()
                try:
                    for chunk in response.stream(CHUNK_SIZE):
                        size += len(chunk)
                        if size > policy.max_bytes:
                            raise TooLarge(f"{current} is over the {policy.max_bytes}-byte limit")
                        if time.monotonic() > deadline:
                            raise TransientError(f"{current} took longer than {policy.total_timeout:g}s")
                        if len(head) < SNIFF_BYTES:
                            head += chunk[: SNIFF_BYTES - len(head)]
                        digest.update(chunk)
                        sink.write(chunk)
                except (ProtocolError, Urllib3HTTPError) as exc:
                    # Includes IncompleteRead: the server promised more bytes than it sent.
                    raise TransientError(f"reading {current} failed: {exc}") from exc
                sink.flush()
                return current, redirects, content_type, size, digest.hexdigest(), head
            finally:
                response.release_conn()
        finally:
            pool.close()
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects from {url}", permanent=True)


def _backoff(attempt: int, policy: DownloadPolicy, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(retry_after, policy.backoff_max)
    # Full jitter (AWS architecture blog) keeps many workers from retrying in lockstep.
    ceiling = min(policy.backoff_max, policy.backoff_base * (2 ** (attempt - 1)))
    return random.uniform(ceiling / 2, ceiling)


def download(
    url: str,
    policy: DownloadPolicy | None = None,
    *,
    resolver: Resolver = system_resolver,
    sleep: Callable[[float], None] = time.sleep,
) -> Downloaded:
    """Download ``url`` into a temporary file and identify it.

    Returns a :class:`Downloaded` (use it as a context manager to delete the file). Raises a
    :class:`DownloadError` subclass; its ``permanent`` flag says whether a later retry makes sense.
    """
    policy = policy or DownloadPolicy.from_settings()
    fd, path = tempfile.mkstemp(prefix="media-dl-", dir=policy.temp_dir)
    try:
        with os.fdopen(fd, "w+b") as sink:
            attempt = 0
            while True:
                attempt += 1
                try:
                    final_url, redirects, declared, size, sha, head = _fetch_once(url, policy, resolver, sink)
                    break
                except DownloadError as exc:
                    if exc.permanent or attempt >= policy.attempts:
                        raise
                    sleep(_backoff(attempt, policy, getattr(exc, "retry_after", None)))
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
