"""What one API request costs inside the web process, without a server or a load generator.

Prints, on the bench data that ``bench/bench_api.py`` loads (run that first, once): the token
lookup (knox, ``accounts.authentication``) in µs per lookup (wall time, round trip included) and µs
of this process's CPU; then whole requests through the WSGI application: hello-world
(``/api/v1/auth/me/``) and a cached creator report, in µs of CPU per request, with the SQL
statements per request and how many of them read team memberships, and their CPU ratio.

Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/bench_request_path.py

``--only me|report --requests N`` sends just N requests of one kind after 100 of warm-up and prints
nothing, for an instruction count: run it under ``valgrind --tool=callgrind`` with N = 0 and N = 200
(``PYTHONHASHSEED=0``, the bench Redis database flushed before each) and divide the difference in
"Collected" by 200. I/O waits make those counts vary by a few percent between runs.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def per_call(function: Callable[[], object], count: int) -> tuple[float, float]:
    """(wall µs, CPU µs) per call, after a tenth as many unmeasured calls."""
    for _ in range(count // 10):
        function()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        function()
    return 1e6 * (time.perf_counter() - wall) / count, 1e6 * (time.process_time() - cpu) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3000, help="lookups and requests per measurement")
    parser.add_argument("--only", choices=["me", "report"], help="send only these requests, print nothing")
    parser.add_argument("--requests", type=int, default=200, help="with --only: how many after the warm-up")
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres") or not database.rstrip("/").endswith("cs_bench"):
        sys.exit("bench_request_path: set DATABASE_URL=postgres://…/cs_bench (the data bench/bench_api.py loads)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench_request_path: set REDIS_URL (the cache and throttles live in Redis)")
    sys.path.insert(0, str(ROOT))
    from bench.common import production_environment

    # bench_api's cache keys: never anyone else's cache entries
    production_environment(CACHE_KEY_PREFIX="bench")
    # First: it sets Django up as gunicorn does (URLconf loaded, gc frozen), so models import after it.
    from config.wsgi import application  # noqa: I001

    from django.contrib.auth import get_user_model

    from accounts.models import ApiToken
    from profiles.models import ProfileAccess

    users = get_user_model().objects.filter(username__startswith="bench-")
    ApiToken.objects.filter(user__in=users, name="bench-request-path").delete()  # values are not kept
    keys = [ApiToken.objects.issue(user, "bench-request-path")[1] for user in users]
    access = ProfileAccess.objects.filter(user__username="bench-0").select_related("profile").first()
    if not keys or access is None:
        sys.exit("bench_request_path: no bench users with opened reports; run bench/bench_api.py once first")
    profile = access.profile
    paths = {"me": "/api/v1/auth/me/", "report": f"/api/v1/profiles/{profile.platform}/{profile.handle}/"}
    rotation = itertools.cycle(keys)  # many users, as bench_api does: one user's throttle history grows

    def request(path: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT": "*/*",
            "HTTP_AUTHORIZATION": f"Token {next(rotation)}",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        status: list[str] = []
        b"".join(application(environ, lambda line, headers, *_: status.append(line)))
        if not status[0].startswith("200"):
            raise SystemExit(f"bench_request_path: {path} answered {status[0]}")

    if args.only:
        for _ in range(100 + args.requests):
            request(paths[args.only])
        return

    compare_lookups(keys[0], args.count)
    print(f"\n{'request (in-process)':<30}{'CPU µs':>10}{'queries':>9}{'memberships':>13}")
    costs = {}
    for name, path in paths.items():
        costs[name] = per_call(lambda path=path: request(path), args.count)[1]
        queries, memberships = count_queries(lambda path=path: request(path), len(keys))
        label = "hello-world" if name == "me" else "creator report, cached"
        print(f"{label:<30}{costs[name]:>10.0f}{queries:>9.2f}{memberships:>13.2f}")
    print(f"\nhello-world / cached report CPU: {100 * costs['me'] / costs['report']:.0f} %")


def count_queries(send: Callable[[], object], count: int) -> tuple[float, float]:
    """SQL statements per request, and how many of them read team memberships, over ``count`` requests
    (one per bench user: each user's first request after a warm round)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for _ in range(count):
            send()
    memberships = sum('"accounts_membership"' in query["sql"] for query in captured.captured_queries)
    return len(captured.captured_queries) / count, memberships / count


def compare_lookups(key: str, count: int) -> None:
    """The token lookup every API request with a token makes."""
    from accounts.authentication import TokenAuthentication

    lookups = {"knox TokenAuthentication": lambda: TokenAuthentication().authenticate_credentials(key.encode())}
    print(f"{'token lookup':<30}{'wall µs':>10}{'CPU µs':>10}")
    for name, lookup in lookups.items():
        wall, cpu = per_call(lookup, count)
        print(f"{name:<30}{wall:>10.0f}{cpu:>10.0f}")


if __name__ == "__main__":
    main()
