"""On-demand lookups end to end: request → ready report, through the API, a real ``lookups`` worker and
a slow fake Instagram.

Sets up (idempotently) N creators in PostgreSQL, starts the loopback fake upstream with a fixed
latency on every call (``--latency``, 0.3 s) answering any username, and ``celery worker -Q lookups``
(threads, ``--concurrency``) as production runs it. Then measures, from the POST to
``/api/v1/lookups/`` until its status URL says ready (polled every ``--poll`` s, 0.25; the page polls
every second), and server-side, from the row's creation to its ready step (no polling granularity):

0. ``--serial`` lookups one at a time (the floor: upstream latency plus one lookup's own work);
1. ``--lookups`` lookups of uncollected Instagram creators, ``--parallel`` at a time: p50 / p95 / max;
2. the same while ``--backlog`` scheduled scrapes wait in the ``scraping`` queue and a scraping worker
   (4 threads) works through them against the same upstream;
3. ``--same`` concurrent lookups of one handle: how many times the upstream was asked for its profile.

Run (a database of its own: the bench writes creators, users and lookups):

    createdb -h 127.0.0.1 -U postgres cs_bench_lookup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench_lookup REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/bench_lookup.py --creators 100000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creators", type=int, default=100_000, help="creators already in PostgreSQL")
    parser.add_argument("--lookups", type=int, default=50, help="lookups of uncollected creators per scenario")
    parser.add_argument("--parallel", type=int, default=10, help="lookups in flight at once")
    parser.add_argument("--concurrency", type=int, default=10, help="threads of the lookups worker")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds the fake upstream adds to every call")
    parser.add_argument("--backlog", type=int, default=5000, help="scheduled scrapes waiting in the scraping queue")
    parser.add_argument("--same", type=int, default=20, help="concurrent lookups of one handle")
    parser.add_argument("--serial", type=int, default=10, help="lookups one at a time first (the floor)")
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between a client's status reads")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_lookup: set DATABASE_URL to a PostgreSQL database of its own")
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench_lookup: set REDIS_URL (broker, rate limits, breakers)")
    sys.path.insert(0, str(ROOT))
    from bench.common import production_environment

    production_environment(API_THROTTLE_USER="1000000/min")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed_creators(args.creators)
    server = upstream_process(args.latency)
    worker_env = {
        **os.environ,
        "INSTAGRAM_PROVIDER": "web",
        "INSTAGRAM_BASE_URL": server.url,
        "INSTAGRAM_RESPONSE_ENVELOPE": "",
        # The budget is not what is measured here: high enough never to wait.
        "INSTAGRAM_REQUESTS_PER_MINUTE": "1000000",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    purge(("lookups", "scraping", "media", "ai"))
    reset_upstream()
    run_id = uuid.uuid4().hex[:6]
    rows = []
    with worker("lookups", args.concurrency, worker_env):
        if args.serial:
            rows.append(("one at a time", measure(args, f"b{run_id}s", parallel=1, count=args.serial)))
        quiet = measure(args, f"b{run_id}q", parallel=args.parallel, count=args.lookups)
        rows.append((f"uncollected creators, {args.parallel} at a time", quiet))
        queue_backlog(args.backlog, args.creators)
        with worker("scraping", 4, worker_env):
            busy = measure(args, f"b{run_id}b", parallel=args.parallel, count=args.lookups)
            waiting = queue_length("scraping")
        rows.append((f"same, {args.backlog:,} scrapes queued ({waiting:,} still waiting at the end)", busy))
        before = server.count("/api/v1/users/web_profile_info/")
        same = measure(args, f"b{run_id}same", parallel=args.same, count=args.same, one_handle=True)
        fetches = server.count("/api/v1/users/web_profile_info/") - before
        rows.append((f"{args.same} concurrent lookups of one handle", same))
    purge(("lookups", "scraping", "media", "ai"))
    server.stop()

    print(
        f"\ncreators in PostgreSQL: {args.creators:,}; upstream latency {args.latency * 1000:.0f} ms per call; "
        f"lookups worker: {args.concurrency} threads"
    )
    print(
        "\n| scenario | lookups | p50 s | p95 s | max s | server p50 s | server p95 s | failed |"
        "\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for name, (pairs, failed) in rows:
        seen, server_side = [p[0] for p in pairs], [p[1] for p in pairs]
        print(
            f"| {name} | {len(pairs) + failed} | {percentile(seen, 0.5):.2f} | {percentile(seen, 0.95):.2f} "
            f"| {max(seen):.2f} | {percentile(server_side, 0.5):.2f} | {percentile(server_side, 0.95):.2f} | {failed} |"
        )
    print(f"\nupstream profile fetches for {args.same} concurrent lookups of one handle: {fetches}")


_UPSTREAM = """
import sys, json, time
from scraping.tests.fake_upstream import FakeUpstream, serve_any_instagram_creator
server = FakeUpstream(latency=float(sys.argv[1])).start()
serve_any_instagram_creator(server)
# The request log, read over HTTP by the bench.
server.serve_callable("/_hits", lambda path, query, body: (200, json.dumps(server.count(query["path"])).encode()))
print(server.url, flush=True)
while True:
    time.sleep(3600)
"""


class upstream_process:
    """The fake upstream in a process of its own: in the bench's process, its polling threads would
    hold the GIL and slow the upstream's answers down, which is not what is being measured."""

    def __init__(self, latency: float):
        self.process = subprocess.Popen(
            [sys.executable, "-c", _UPSTREAM, str(latency)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        self.url = self.process.stdout.readline().strip()

    def count(self, path: str) -> int:
        import requests

        return requests.get(f"{self.url}/_hits", params={"path": path}, timeout=30).json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def seed_creators(count: int) -> None:
    """N Instagram creators named ``seed_<i>``, created once (later runs reuse them)."""
    from profiles.models import Profile

    have = Profile.objects.filter(platform="instagram", handle__startswith="seed_").count()
    batch = 5000
    for start in range(have, count, batch):
        Profile.objects.bulk_create(
            [
                Profile(platform="instagram", handle=f"seed_{i}", followers_count=1000 + i, discovered_via="bench")
                for i in range(start, min(count, start + batch))
            ],
            ignore_conflicts=True,
        )
    print(f"creators: {Profile.objects.count():,}", flush=True)


def measure(
    args, prefix: str, *, parallel: int, count: int, one_handle: bool = False
) -> tuple[list[tuple[float, float]], int]:
    """(seconds from POST to a ready status seen, seconds the row took), per lookup, and how many failed."""
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client

    users = [get_user_model().objects.get_or_create(username=f"bench-lookup-{i}")[0] for i in range(min(parallel, 20))]

    def one(i: int) -> float | None:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[i % len(users)])
        handle = f"{prefix}_one" if one_handle else f"{prefix}_{i}"
        started = time.perf_counter()
        response = client.post(
            "/api/v1/lookups/", {"platform": "instagram", "handle": handle}, content_type="application/json"
        )
        body = response.json()
        while body["status"] not in ("ready", "failed"):
            time.sleep(args.poll)
            body = client.get(body["status_url"]).json()
        elapsed = time.perf_counter() - started
        connections.close_all()
        return (elapsed, body["duration_seconds"]) if body["status"] == "ready" else None

    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(one, range(count)))
    times = [t for t in results if t is not None]
    return times, len(results) - len(times)


def queue_backlog(count: int, creators: int) -> None:
    """``count`` scheduled per-creator scrapes in the scraping queue, as beat's refresh would leave them."""
    from config.celery import app
    from profiles.models import Profile

    ids = list(Profile.objects.filter(handle__startswith="seed_").values_list("pk", flat=True)[: max(1, count)])
    with app.producer_or_acquire() as producer:
        for i in range(count):
            app.send_task("scraping.tasks.scrape_profile", args=[ids[i % len(ids)]], producer=producer)
    print(f"scraping queue: {queue_length('scraping'):,} waiting", flush=True)


def queue_length(queue: str) -> int:
    from config.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


def purge(queues) -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        for queue in queues:
            conn.default_channel.queue_purge(queue)


def reset_upstream() -> None:
    from scraping import http

    for name in ("instagram", "instagram-graph"):
        http.reset_state(http.Upstream.from_settings(name, requests_per_minute=1))


class worker:
    """``celery worker -Q <queue> -P threads -c <n>`` for the duration of a block, ready before it starts."""

    def __init__(self, queue: str, concurrency: int, env: dict[str, str]):
        self.queue, self.concurrency, self.env = queue, concurrency, env
        self.name = f"bench-{queue}-{uuid.uuid4().hex[:6]}@localhost"

    def __enter__(self) -> worker:
        from config.celery import app

        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="bench-lookup-")
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queue, "-n", self.name]
        command += [
            "-P",
            "threads",
            "-c",
            str(self.concurrency),
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[self.name], timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                sys.exit(f"bench_lookup: the {self.queue} worker did not start:\n{self.log.read()[-3000:]}")
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


if __name__ == "__main__":
    main()
