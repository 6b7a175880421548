"""A real HTTP server on a loopback port that plays Reddit and Instagram for the tests.

It serves the recorded bodies in ``../shared/fixtures/`` (read from there at test time, never
copied into the repo) by request path, and injects the faults real upstreams produce: 429 with
Retry-After, 5xx, answers slower than the client's read timeout, truncated JSON, private/banned
answers, Instagram's "please wait" and challenge answers. Every request is recorded so tests can
assert what the client sent (and that a breaker stopped it from sending anything). ``latency``
adds a delay to every answer (the benchmarks' slow upstream); ``serve_callable`` builds an answer
from the request (any creator a benchmark asks for).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

_REPO = Path(__file__).resolve().parents[2]


def fixtures_dir() -> Path:
    """Where the recorded bodies live: $CREATORSCOPE_FIXTURES, or ../shared/fixtures next to the repo."""
    candidates = [
        os.environ.get("CREATORSCOPE_FIXTURES", ""),
        _REPO.parent / "shared" / "fixtures",
        "/work/shared/fixtures",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise FileNotFoundError("recorded fixtures not found: set CREATORSCOPE_FIXTURES to the shared/fixtures folder")


def load_fixture(name: str) -> Any:
    """Parse one recorded body, e.g. ``load_fixture("reddit/subreddit_rules.json")``."""
    return json.loads((fixtures_dir() / name).read_text(encoding="utf-8"))


# Bodies the real upstreams send for these conditions (shapes as documented by PRAW/instaloader).
FAULT_BODIES: dict[str, tuple[int, dict[str, Any]]] = {
    "private": (403, {"reason": "private", "message": "Forbidden", "error": 403}),
    "banned": (404, {"reason": "banned", "message": "Not Found", "error": 404}),
    "not_found": (404, {"message": "Not Found", "error": 404}),
    "challenge": (400, {"message": "challenge_required", "challenge": {"api_path": "/challenge/"}, "status": "fail"}),
    "please_wait": (401, {"message": "Please wait a few minutes before you try again.", "status": "fail"}),
    "server_error": (500, {"message": "Internal Server Error", "error": 500}),
    "bad_gateway": (502, {"message": "Bad Gateway"}),
}


@dataclass
class Route:
    method: str
    path: str
    body: Callable[[], bytes]
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # Built from the request instead: (path, query, body) -> (status, body bytes); ``path`` is a prefix.
    answer: Callable[[str, dict[str, str], bytes], tuple[int, bytes]] | None = None


@dataclass
class Fault:
    path: str
    kind: str
    times: int
    retry_after: str | None = None
    delay: float = 0.0


@dataclass
class Hit:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float


class FakeUpstream:
    """Routes, faults and a request log behind a ThreadingHTTPServer on 127.0.0.1:<ephemeral>."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.routes: list[Route] = []
        self.faults: list[Fault] = []
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-upstream", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeUpstream:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- configuration ---------------------------------------------------------------------

    def serve(
        self,
        path: str,
        fixture: str,
        *,
        method: str = "GET",
        query: dict[str, str] | None = None,
        transform: Callable[[Any], Any] | None = None,
    ) -> None:
        """Answer ``method path`` (optionally only with these query values) with a recorded body.

        The fixture file is read on every request, so the test sees exactly what is on disk;
        ``transform`` edits the parsed body first (wrap it in a provider envelope, hide likes...).
        """

        def body() -> bytes:
            if transform is None:
                return (fixtures_dir() / fixture).read_bytes()
            return json.dumps(transform(load_fixture(fixture))).encode()

        self._add(Route(method, path, body, query=dict(query or {})))

    def serve_json(self, path: str, payload: Any, *, method: str = "GET", status: int = 200) -> None:
        """Answer with a body built by the test (token endpoints, empty pages)."""
        encoded = json.dumps(payload).encode()
        self._add(Route(method, path, lambda: encoded, status=status))

    def serve_callable(
        self, prefix: str, answer: Callable[[str, dict[str, str], bytes], tuple[int, bytes]], *, method: str = "GET"
    ) -> None:
        """Answer every ``method`` request whose path starts with ``prefix`` with ``answer(path, query, body)``."""
        self._add(Route(method, prefix, lambda: b"", answer=answer))

    def _add(self, route: Route) -> None:
        with self.lock:
            self.routes.insert(0, route)

    def fault(
        self, path: str, kind: str, *, times: int = 1, retry_after: str | None = None, delay: float = 0.0
    ) -> None:
        """Make the next ``times`` requests to ``path`` fail with ``kind``.

        kinds: ``429`` (with ``retry_after``), ``timeout`` (sleep ``delay`` s before answering),
        ``truncated`` (a 200 whose JSON is cut in half), ``reset`` (close without an answer), and
        the named bodies in ``FAULT_BODIES`` (private, banned, challenge, please_wait, server_error…).
        """
        with self.lock:
            self.faults.append(Fault(path, kind, times, retry_after, delay))

    def count(self, path: str | None = None) -> int:
        with self.lock:
            return sum(1 for hit in self.hits if path is None or _same_path(hit.path, path))

    # --- serving ---------------------------------------------------------------------------

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and _same_path(path, fault.path):
                    fault.times -= 1
                    return fault
        return None

    def _find_route(self, method: str, path: str, query: dict[str, str]) -> Route | None:
        with self.lock:
            candidates = [
                r
                for r in self.routes
                if r.method == method
                and (path.startswith(r.path) if r.answer is not None else _same_path(path, r.path))
            ]
        for route in sorted(candidates, key=lambda r: -len(r.query)):
            if all(query.get(k) == v for k, v in route.query.items()):
                return route
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with upstream.lock:
                    upstream.hits.append(Hit(method, parts.path, query, dict(self.headers), body, time.time()))
                if upstream.latency:
                    time.sleep(upstream.latency)
                fault = upstream._take_fault(parts.path)
                if fault is not None:
                    self._fault(fault, method, parts.path, query)
                    return
                route = upstream._find_route(method, parts.path, query)
                if route is None:
                    self._send(404, json.dumps({"message": "Not Found", "error": 404}).encode())
                    return
                if route.answer is not None:
                    status, payload = route.answer(parts.path, query, body)
                    self._send(status, payload)
                    return
                self._send(route.status, route.body(), route.headers)

            def _fault(self, fault: Fault, method: str, path: str, query: dict[str, str]) -> None:
                if fault.kind == "429":
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                    self._send(429, b'{"message": "Too Many Requests", "error": 429}', headers)
                elif fault.kind == "timeout":
                    time.sleep(fault.delay)
                    self._send(200, b"{}")
                elif fault.kind == "truncated":
                    route = upstream._find_route(method, path, query)
                    full = route.body() if route else b'{"data": {"children": []}}'
                    self._send(200, full[: max(1, len(full) // 2)])
                elif fault.kind == "reset":
                    self.close_connection = True
                    self.wfile.flush()
                    self.connection.shutdown(2)
                else:
                    status, payload = FAULT_BODIES[fault.kind]
                    self._send(status, json.dumps(payload).encode())

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up (read timeout): nothing left to answer.
                    pass

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        return Handler


_RECORDED_IG_ID = "1518284433"
_LONG_NUMBER = re.compile(rb"\d{15,}")


def creator_id(username: str) -> int:
    """A stable Instagram user id for any username (the recorded creator's own for robertdowneyjr)."""
    if username.lower() == "robertdowneyjr":
        return int(_RECORDED_IG_ID)
    return 2_000_000_000 + zlib.crc32(username.lower().encode()) % 1_000_000_000


def _per_creator(raw: bytes, user_id: int) -> bytes:
    # Media ids (15+ digits) shifted per creator, so two creators never share a post row.
    shifted = _LONG_NUMBER.sub(lambda m: str(int(m.group()) + user_id).encode(), raw)
    return shifted.replace(_RECORDED_IG_ID.encode(), str(user_id).encode())


def serve_any_instagram_creator(server: FakeUpstream) -> None:
    """Answer the web provider's three calls for every username, from the recorded creator's bodies.

    Profile (``web_profile_info``) with the username and id replaced, feed and reels with media ids
    made unique per creator. A username starting with ``missing`` answers 404 like Instagram.
    """
    web = fixtures_dir() / "instagram" / "web"

    def profile(path: str, query: dict[str, str], body: bytes) -> tuple[int, bytes]:
        username = query.get("username", "")
        if username.startswith("missing"):
            return 404, b'{"message": "Not Found", "error": 404}'
        data = json.loads((web / "web_profile_info__robertdowneyjr.json").read_bytes())
        data["data"]["user"]["username"] = username
        data["data"]["user"]["id"] = str(creator_id(username))
        return 200, json.dumps(data).encode()

    def feed(path: str, query: dict[str, str], body: bytes) -> tuple[int, bytes]:
        user_id = int(path.rstrip("/").rsplit("/", 1)[-1])
        return 200, _per_creator((web / "media_detail__a1_carousel.json").read_bytes(), user_id)

    def reels(path: str, query: dict[str, str], body: bytes) -> tuple[int, bytes]:
        form = parse_qs(body.decode())
        user_id = int(form.get("target_user_id", [_RECORDED_IG_ID])[0])
        return 200, _per_creator((web / "clips_user__reels.json").read_bytes(), user_id)

    server.serve_callable("/api/v1/users/web_profile_info/", profile)
    server.serve_callable("/api/v1/feed/user/", feed)
    server.serve_callable("/api/v1/clips/user/", reels, method="POST")


def _same_path(request_path: str, route_path: str) -> bool:
    """Reddit's public endpoints take a ``.json`` suffix; a trailing slash never matters."""
    a = request_path.rstrip("/").removesuffix(".json").rstrip("/")
    b = route_path.rstrip("/").removesuffix(".json").rstrip("/")
    return a == b
