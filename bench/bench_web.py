"""HTTP throughput and latency of the production web servers: WSGI (gunicorn) against ASGI (uvicorn, daphne).

Chooses the web process model documented in docs/operations.md. Each server serves this
project (full middleware, PostgreSQL, Redis) on a spare port; ``wrk`` loads it from the same
machine and the script prints one line per (server, endpoint) and a JSON summary last.

Endpoints: ``/health`` (Django without I/O) and ``/api/v1/profiles/`` (DRF list, token auth,
PostgreSQL and Redis cache). Before the first run the bench database is migrated and given the demo
data and a staff user with a token.

Run::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench_web REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/bench_web.py --duration 10 --connections 32

``--overhead`` instead measures what the monitoring middleware (request id, metrics, access log)
costs per request, in CPU microseconds, in-process.

Needs ``wrk`` (apt-get install wrk). Numbers on a shared 2-core machine swing by 20 %: compare
servers within one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def uvicorn(workers: int) -> list[str]:
    return [
        str(BIN / "uvicorn"),
        "config.asgi:application",
        "--workers",
        str(workers),
        "--port",
        "{port}",
        "--no-access-log",
        "--lifespan",
        "off",
        "--log-level",
        "warning",
    ]


SERVERS: dict[str, list[str]] = {
    # BENCHMARKS.md's reference set-up: 5 sync workers.
    "gunicorn sync x5 (WSGI)": [str(BIN / "gunicorn"), "config.wsgi:application", "-w", "5", "-b", "127.0.0.1:{port}"],
    "gunicorn gthread 2x8 (WSGI)": [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "-w",
        "2",
        "-k",
        "gthread",
        "--threads",
        "8",
        "-b",
        "127.0.0.1:{port}",
    ],
    "uvicorn x2 (ASGI)": uvicorn(workers=2),
    "uvicorn x5 (ASGI)": uvicorn(workers=5),
    "daphne x1 (ASGI)": [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", "{port}", "config.asgi:application"],
}


def prepare(env: dict[str, str]) -> str:
    """Migrate, load demo data once, and return an API token for a staff user."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "demo", "--if-empty"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    code = (
        "from django.contrib.auth import get_user_model;"
        "from rest_framework.authtoken.models import Token;"
        "u, _ = get_user_model().objects.get_or_create(username='bench', defaults={'is_staff': True});"
        "print(Token.objects.get_or_create(user=u)[0].key)"
    )
    out = subprocess.run([*manage, "shell", "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become ready")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url: str, token: str, duration: int, connections: int) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Authorization: Token {token}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        result[f"p{pct}_ms"] = _ms(re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    return result


def measure(name: str, args: argparse.Namespace, env: dict[str, str], token: str) -> list[dict]:
    """Start one server, load each path, stop it; the server's output is shown if it fails to start."""
    port = free_port()
    cmd = [part.format(port=port) for part in SERVERS[name]]
    if "(ASGI)" in name:
        # As deployed (deploy/): under ASGI each request runs in its own thread, and persistent
        # connections would leave one idle PostgreSQL connection per thread ("too many clients").
        env = env | {"DATABASE_CONN_MAX_AGE": "0"}
    base = f"http://127.0.0.1:{port}"
    results = []
    with tempfile.NamedTemporaryFile("w+", prefix="bench-web-", suffix=".log") as log:
        process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                wait_ready(base, process)
            except RuntimeError:
                log.seek(0)
                print(log.read()[-3000:], file=sys.stderr)
                raise
            for path in args.paths:
                run_wrk(base + path, token, 2, args.connections)  # warm-up: connections, caches, imports
                measured = run_wrk(base + path, token, args.duration, args.connections)
                results.append({"server": name, "path": path, **measured})
                print(
                    f"{name:30} {path:22} {measured['rps']:9.1f} req/s  p50 {measured['p50_ms']:7.1f} ms  "
                    f"p99 {measured['p99_ms']:7.1f} ms  non-2xx {measured['non_2xx']}  socket errors {measured['socket_errors']}",
                    flush=True,
                )
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:  # daphne waits for open connections to drain
                process.kill()
                process.wait(15)
    return results


def middleware_overhead(env: dict[str, str], requests_per_round: int = 3000, rounds: int = 5) -> dict[str, float]:
    """CPU microseconds per ``/health`` request in-process (Django test client), with and without the
    monitoring middleware and its access log; the best of ``rounds`` (CPU time, steadier than wall
    time on a shared machine)."""
    code = f"""
import io, json, logging, time, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
for handler in logging.getLogger().handlers:
    handler.setStream(io.StringIO())
plain = [m for m in settings.MIDDLEWARE if not m.startswith("monitoring.")]
variants = {{"monitoring middleware + access log": {{}},
            "monitoring middleware, access log off": {{"MONITORING_ACCESS_LOG": False}},
            "without monitoring middleware": {{"MIDDLEWARE": plain}}}}
best = {{}}
for _ in range({rounds}):
    for name, overrides in variants.items():
        with override_settings(**overrides):
            client = Client(HTTP_HOST="127.0.0.1")  # an allowed host: measure the 200 path
            assert client.get("/health").status_code == 200
            for _ in range(200):
                client.get("/health")
            started = time.process_time()
            for _ in range({requests_per_round}):
                client.get("/health")
            cost = (time.process_time() - started) / {requests_per_round} * 1e6
        best[name] = min(best.get(name, cost), cost)
print(json.dumps(best))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", nargs="*", default=list(SERVERS), help="subset of: " + ", ".join(SERVERS))
    parser.add_argument("--paths", nargs="*", default=["/health", "/api/v1/profiles/"])
    parser.add_argument(
        "--overhead", action="store_true", help="only measure the monitoring middleware's CPU cost per request"
    )
    args = parser.parse_args()

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_bench_web"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_THROTTLE_USER": "100000000/min",  # measure the server, not the throttle
        "PYTHONPATH": str(ROOT),
    }
    if "cs_bench" in env["DATABASE_URL"]:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", env["DATABASE_URL"].rsplit("/", 1)[1]],
            stderr=subprocess.DEVNULL,
            check=False,
        )
    if args.overhead:
        costs = middleware_overhead(env)
        for name, cost in costs.items():
            print(f"{name:40} {cost:7.1f} us CPU per request (best of 5)")
        print(json.dumps({"cpu_us_per_request": costs}))
        return
    token = prepare(env)
    results = []
    for name in args.servers:
        results.extend(measure(name, args, env, token))
    print(json.dumps({"connections": args.connections, "duration_s": args.duration, "results": results}))


if __name__ == "__main__":
    main()
