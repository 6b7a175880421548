"""Live-monitor fan-out: how fast an event published by a worker reaches N staff websockets.

Starts an ASGI server (uvicorn or daphne) on config.asgi with the Redis channel layer, opens N
signed-in staff sockets on /ws/monitor/, publishes events with ``monitoring.events.publish`` (as a
worker does) and measures publish-to-receive latency on every socket. Each delivery re-checks the
user in PostgreSQL (the staff rule), so this also measures that cost. Prints one line per
(server, sockets) and a JSON summary last.

Run::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench_web REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/bench_ws.py --sockets 10 100 --events 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

SERVERS = {
    "uvicorn": [
        str(BIN / "uvicorn"),
        "config.asgi:application",
        "--port",
        "{port}",
        "--no-access-log",
        "--lifespan",
        "off",
    ],
    "daphne": [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", "{port}", "config.asgi:application"],
}


def staff_cookie() -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="bench-ws", defaults={"is_staff": True})
    # The monitor is for operators (accounts/operators.py), not for staff status alone.
    user.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="operate"))
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def fan_out(port: int, sockets: int, events: int, cookie: str) -> dict:
    import websockets
    from asgiref.sync import sync_to_async

    from monitoring.events import publish

    url = f"ws://127.0.0.1:{port}/ws/monitor/"
    conns = []
    for _ in range(sockets):
        # No client keepalive pings: a client starved of CPU must not be what closes the socket.
        conn = await websockets.connect(
            url, additional_headers={"Cookie": cookie}, origin="http://127.0.0.1", ping_interval=None
        )
        await asyncio.wait_for(conn.recv(), 60)  # the first metrics message
        conns.append(conn)
    latencies: list[float] = []

    dropped: list[str] = []

    async def reader(conn):
        got = 0
        try:
            while got < events:
                message = json.loads(await asyncio.wait_for(conn.recv(), 120))
                if message["type"] == "bench.tick":
                    latencies.append(time.time() - message["data"]["sent"])
                    got += 1
        except websockets.ConnectionClosed as exc:
            dropped.append(repr(exc))

    readers = [asyncio.create_task(reader(conn)) for conn in conns]
    started = time.perf_counter()
    for i in range(events):
        await sync_to_async(publish)("bench.tick", {"i": i, "sent": time.time()})
        await asyncio.sleep(0.02)  # 50 events/s offered
    await asyncio.gather(*readers)
    elapsed = time.perf_counter() - started
    for conn in conns:
        await conn.close()
    latencies.sort()
    return {
        "deliveries": len(latencies),
        "dropped_sockets": len(dropped),
        "deliveries_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--servers", nargs="*", default=list(SERVERS))
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_bench_web")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cookie = staff_cookie()
    from bench.bench_web import free_port, wait_ready

    env = os.environ | {
        "DJANGO_DEBUG": "0",
        "DATABASE_CONN_MAX_AGE": "0",
        "MONITORING_PUSH_INTERVAL": "3600",  # only the published events travel during the measurement
        "PYTHONPATH": str(ROOT),
    }
    results = []
    for name in args.servers:
        for sockets in args.sockets:
            port = free_port()
            cmd = [part.format(port=port) for part in SERVERS[name]]
            with tempfile.TemporaryFile("w+") as log:
                process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
                try:
                    wait_ready(f"http://127.0.0.1:{port}", process)
                    measured = asyncio.run(fan_out(port, sockets, args.events, cookie))
                    if measured["dropped_sockets"]:
                        log.seek(0)
                        print(log.read()[-2000:], file=sys.stderr)
                finally:
                    process.terminate()
                    try:
                        process.wait(15)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait(10)
            results.append({"server": name, "sockets": sockets, "events": args.events, **measured})
            print(
                f"{name:8} {sockets:5} sockets  {args.events} events  {measured['deliveries_per_s']:8.1f} deliveries/s  "
                f"p50 {measured['p50_ms']:7.1f} ms  p99 {measured['p99_ms']:7.1f} ms  dropped {measured['dropped_sockets']}",
                flush=True,
            )
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
