"""A scripted HTTP server on loopback for the transport and task tests (no patched internals)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config import http


class Scripted:
    """Answers GETs with the given statuses in order (the last one repeats) and counts them."""

    def __init__(self, *statuses: int, retry_after: str | None = None) -> None:
        self.hits = 0
        self.sleeps: list[float] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status = statuses[min(server.hits, len(statuses) - 1)]
                server.hits += 1
                self.send_response(status)
                if retry_after is not None and status >= 500:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def get(self) -> int:
        response = http.send("GET", self.url, timeout=(1, 1))
        http.check_status(response)
        return response.status_code

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator:
    """``scripted(503, 200)`` starts a server answering those statuses; stopped after the test."""
    servers: list[Scripted] = []

    def make(*statuses: int, retry_after: str | None = None) -> Scripted:
        servers.append(Scripted(*statuses, retry_after=retry_after))
        return servers[-1]

    yield make
    for server in servers:
        server.close()
