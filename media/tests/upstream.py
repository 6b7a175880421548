"""A loopback HTTP server standing in for Instagram's/Reddit's media CDNs in tests and the bench.

Routes are registered per test: a body with headers, a redirect, an error status (optionally only
for the first N requests, to exercise retries), a slow body, or a body cut short. Every request
is counted, so tests can prove that a second fetch did not hit the network.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """How the fake CDN answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Answer ``fail_status`` to the first ``fail_times`` requests, then the real response.
    fail_times: int = 0
    fail_status: int = 503
    # Send Content-Length of the full body but only this many bytes, then close.
    truncate_at: int | None = None
    delay: float = 0.0
    omit_length: bool = False


class FakeCDN:
    """A threaded HTTP server on 127.0.0.1 with an ephemeral port."""

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        """``tls=(certfile, keyfile)`` serves HTTPS instead of HTTP."""
        self.scheme = "https" if tls else "http"
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.host_headers: list[str] = []
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                path = self.path
                cdn.hits[path] += 1
                cdn.host_headers.append(self.headers.get("Host", ""))
                route = cdn.routes.get(path) or cdn.routes.get(path.split("?", 1)[0])
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if cdn.hits[path] <= route.fail_times:
                    self._send(route.fail_status, b"try later", "text/plain", {"Retry-After": "0"})
                    return
                if route.location is not None:
                    self._send(route.status, b"", "text/plain", {"Location": route.location})
                    return
                if route.truncate_at is not None:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(route.body[: route.truncate_at])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(route.status, route.body, route.content_type, route.headers, route.omit_length)

            def _send(
                self,
                status: int,
                body: bytes,
                content_type: str,
                headers: dict[str, str] | None = None,
                omit_length: bool = False,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if omit_length:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeCDN:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def add(self, path: str, route: Route | None = None, **kwargs: object) -> str:
        """Register ``path`` and return its full URL."""
        self.routes[path] = route or Route(**kwargs)  # type: ignore[arg-type]
        return self.url(path)
