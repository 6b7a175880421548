"""Issue #23's table of figures at scale, against a database already loaded by ``manage.py demo_scale``.

Rows (each with its goal and pass/fail):

- creator search, text + 2 filters, p95 with 1 client and with 16 clients (real HTTP to gunicorn,
  ``--workers`` sync workers; every search distinct, so none is served from the cache);
- admin changelists of creators, subreddits, posts and AI tag suggestions, p95 (Django's test client
  in this process, a staff user, DEBUG off);
- creator report uncached, p95; growth chart over 365 days (the report's analytics, ``?days=365``),
  p95, uncached (test client; every report a creator not read before in the run, the cache cleared);
- ingest of re-scraped posts through ``scraping.ingest.upsert_posts`` in batches of 1,000 (each in
  its own transaction, as a scrape writes them) with every index in place: posts/s over ``--ingest-rows``;
- dead tuples per table right after the ingest (``pg_stat_user_tables``): flagged above 20 %;
- the nightly recomputation for all creators (``profiles.benchmarks.compute_benchmarks``, beat
  period 24 h): its time, creators/s, and the time it would take at 1,000,000 creators.

Run (any PostgreSQL database holding the demo_scale data set; it changes posts' metrics and the
creators' benchmarks, nothing else):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python manage.py demo_scale --size full
    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/bench_scale.py

Prints one table, then a JSON line. ``--only`` picks rows (search,admin,report,ingest,vacuum,metrics).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import production_environment  # noqa: E402

ROWS = ("search", "admin", "report", "ingest", "vacuum", "metrics")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def timed(call: Callable[[], int], count: int) -> list[float]:
    """Milliseconds per call; every call must answer 200."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        status = call()
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"bench_scale: a request answered {status}; the figures would be meaningless")
    return samples


class Table:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, name: str, value: float, unit: str, goal: str, ok: bool, note: str = "") -> None:
        row = {"row": name, "value": round(value, 1), "unit": unit, "goal": goal, "pass": ok, "note": note}
        self.rows.append(row)
        print(f"  {name}: {value:,.1f} {unit} (goal {goal}) {'PASS' if ok else 'FAIL'} {note}", flush=True)

    def print(self) -> None:
        width = max(len(r["row"]) for r in self.rows)
        print(f"\n{'measure':<{width}}  {'value':>12}  {'goal':<22} result")
        for r in self.rows:
            value = f"{r['value']:,.1f} {r['unit']}"
            print(f"{r['row']:<{width}}  {value:>12}  {r['goal']:<22} {'PASS' if r['pass'] else 'FAIL'}  {r['note']}")


def bench_users():
    from django.contrib.auth import get_user_model

    from accounts.models import ApiToken

    users = get_user_model().objects
    admin, _ = users.get_or_create(username="bench-scale-admin", defaults={"is_staff": True, "is_superuser": True})
    api, _ = users.get_or_create(username="bench-scale-api")
    ApiToken.objects.filter(user=api, name="bench-scale").delete()
    return admin, api, ApiToken.objects.issue(api, "bench-scale")[1]


def search_paths(count: int, seed: int) -> list[str]:
    from config.management.commands.demo_scale import WORDS

    rng = random.Random(seed)
    return [
        f"/api/v1/profiles/?q={rng.choice(WORDS)}&followers_min={rng.randint(1_000, 80_000)}"
        f"&engagement_min={rng.randint(5, 40) / 10}"
        for _ in range(count)
    ]


def search(table: Table, args, token: str) -> None:
    from bench_api import Server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Server(port, args.workers, {"CACHE_KEY_PREFIX": f"bench-scale-{time.time_ns()}"})
    headers = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}

    def client(paths: list[str], out: list[float]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for path in paths:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            out.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise SystemExit(f"bench_scale: search answered {response.status}")

    try:
        client(search_paths(10, 1), [])  # warm every code path once
        one: list[float] = []
        client(search_paths(args.requests, 2), one)
        table.add("search text+2 filters p95, 1 client", p95(one), "ms", "< 100 ms", p95(one) < 100)
        many: list[list[float]] = [[] for _ in range(16)]
        threads = [
            threading.Thread(target=client, args=(search_paths(args.requests, 100 + n), many[n])) for n in range(16)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        flat = [s for samples in many for s in samples]
        table.add(
            "search text+2 filters p95, 16 clients",
            p95(flat),
            "ms",
            "< 300 ms",
            p95(flat) < 300,
            f"{len(flat) / seconds:.0f} req/s, {args.workers} gunicorn workers",
        )
    finally:
        server.stop()


def admin(table: Table, args, user) -> None:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    pages = {
        "creators": "/admin/profiles/profile/",
        "subreddits": "/admin/profiles/community/",
        "posts": "/admin/posts/post/",
        "AI tag suggestions": "/admin/profiles/tagsuggestion/",
    }
    # The creators list: each sortable column both ways too (1-6 and 8; 7 is the tags, not sortable).
    creator_sorts = [f"?o={sign}{n}" for n in (1, 2, 3, 4, 5, 6, 8) for sign in ("", "-")]
    for name, path in pages.items():
        variants = [path, f"{path}?p=2", f"{path}?o=-1"]
        if name == "creators":
            variants += [path + sort for sort in creator_sorts]
        client.get(path)  # warm
        samples = timed(lambda v=variants: client.get(random.choice(v)).status_code, args.requests)
        table.add(f"admin changelist {name} p95", p95(samples), "ms", "< 300 ms", p95(samples) < 300)


def reports(table: Table, args, user) -> None:
    from django.core.cache import cache
    from django.db.models import Exists, OuterRef
    from django.utils import timezone
    from rest_framework.test import APIClient

    from profiles.models import Profile, ProfileAccess, ProfileSnapshot

    with_history = Exists(ProfileSnapshot.objects.filter(profile=OuterRef("pk")))
    chosen = list(
        Profile.objects.filter(with_history, platform="instagram", discovered_via="demo_scale")
        .order_by("?")
        .values_list("id", "handle")[: 2 * args.requests + 2]
    )
    now = timezone.now()
    ProfileAccess.objects.filter(user=user, team__isnull=True).delete()
    ProfileAccess.objects.bulk_create(
        ProfileAccess(user=user, profile_id=pk, granted_at=now, expires_at=now + ProfileAccess.period())
        for pk, _ in chosen
    )
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.force_authenticate(user)
    handles = iter(handle for _, handle in chosen)

    def report() -> int:
        cache.clear()
        return client.get(f"/api/v1/profiles/instagram/{next(handles)}/").status_code

    def growth() -> int:
        cache.clear()
        return client.get(f"/api/v1/profiles/instagram/{next(handles)}/analytics/?days=365").status_code

    report(), growth()  # warm
    samples = timed(report, args.requests)
    table.add("creator report uncached p95", p95(samples), "ms", "< 100 ms", p95(samples) < 100)
    samples = timed(growth, args.requests)
    table.add("growth chart 365 days p95", p95(samples), "ms", "< 50 ms", p95(samples) < 50)


def ingest_existing(rows: int, batch: int = 1_000, progress: bool = True) -> dict:
    """Re-scrape ``rows`` existing Instagram posts through the real upsert, ``batch`` per transaction.

    Each post comes back with new counts (likes, comments, views), as a re-scrape brings them. The
    rows are read and the PostData built before each batch's clock starts: the figure is the write.
    """
    from django.db import transaction

    from posts.models import Post
    from scraping.ingest import upsert_posts
    from scraping.schemas import PostData

    fields = ("id", "external_id", "posted_at", "kind", "caption", "permalink", "likes_count", "comments_count")
    fields += ("views_count", "likes_hidden", "hashtags")
    last_id, done, write_seconds, cpu_seconds = 0, 0, 0.0, 0.0
    rng = random.Random(5)
    started = time.perf_counter()
    while done < rows:
        chunk = list(
            Post.objects.filter(platform="instagram", id__gt=last_id)
            .order_by("id")
            .values_list(*fields)[: min(batch, rows - done)]
        )
        if not chunk:
            if last_id == 0:
                raise SystemExit("bench_scale: no Instagram posts to re-scrape; load demo_scale first")
            last_id = 0  # wrap around: fewer posts than rows asked
            continue
        last_id = chunk[-1][0]
        posts = [
            PostData(
                platform="instagram",
                external_id=external_id,
                posted_at=posted_at,
                kind=kind,
                caption=caption,
                permalink=permalink,
                likes_count=None if hidden else (likes or 0) + rng.randint(0, 50),
                likes_hidden=hidden,
                comments_count=(comments or 0) + rng.randint(0, 5),
                views_count=None if views is None else views + rng.randint(0, 500),
                hashtags=hashtags,
            )
            for _, external_id, posted_at, kind, caption, permalink, likes, comments, views, hidden, hashtags in chunk
        ]
        cpu, wall = time.process_time(), time.perf_counter()
        with transaction.atomic():
            upsert_posts(posts)
        write_seconds += time.perf_counter() - wall
        cpu_seconds += time.process_time() - cpu
        done += len(posts)
        if progress and done % (50 * batch) < batch:
            print(f"  ingest: {done:,}/{rows:,} posts, {done / write_seconds:,.0f} posts/s written", flush=True)
    return {
        "rows": done,
        "posts_per_s": done / write_seconds,
        "python_cpu_us_per_post": 1e6 * cpu_seconds / done,
        "wall_s": time.perf_counter() - started,
    }


def ingest(table: Table, args) -> None:
    result = ingest_existing(args.ingest_rows)
    table.add(
        f"ingest re-scraped posts, batches of 1,000 ({result['rows']:,} rows)",
        result["posts_per_s"],
        "posts/s",
        ">= 5,000 posts/s",
        result["posts_per_s"] >= 5_000,
        f"web-side CPU {result['python_cpu_us_per_post']:.0f} us/post",
    )


def metrics(table: Table, args) -> None:
    from profiles.benchmarks import compute_benchmarks

    started = time.perf_counter()
    updated = compute_benchmarks()
    seconds = time.perf_counter() - started
    rate = updated / seconds
    at_full = 1_000_000 / rate
    table.add(
        f"nightly benchmarks recomputation ({updated:,} creators)",
        seconds,
        "s",
        "< 86,400 s at 1M",
        at_full < 86_400,
        f"{rate:,.0f} creators/s; 1M creators in ~{at_full / 60:.0f} min (beat period 24 h)",
    )


def vacuum(table: Table, args) -> None:
    from django.db import connection

    time.sleep(1)  # statistics reach pg_stat_user_tables within a second of the transaction's end
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT relname, n_live_tup, n_dead_tup, last_autovacuum
            FROM pg_stat_user_tables WHERE n_live_tup + n_dead_tup > 10000 ORDER BY n_dead_tup DESC
            """
        )
        found = cursor.fetchall()
    worst = 0.0
    for name, live, dead, last_autovacuum in found:
        ratio = 100 * dead / max(live + dead, 1)
        worst = max(worst, ratio)
        flag = "  > 20 %" if ratio > 20 else ""
        print(f"  dead tuples {name}: {dead:,} of {live + dead:,} ({ratio:.1f} %){flag}; autovacuum {last_autovacuum}")
    table.add("worst dead-tuple ratio after the ingest", worst, "%", "<= 20 %", worst <= 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60, help="requests per latency row (per client)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers for the search rows")
    parser.add_argument("--ingest-rows", type=int, default=1_000_000, help="posts re-scraped by the ingest row")
    parser.add_argument("--only", default=",".join(ROWS), help=f"comma-separated rows: {','.join(ROWS)}")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if unknown := only - set(ROWS):
        sys.exit(f"bench_scale: unknown rows {sorted(unknown)}; choose from {','.join(ROWS)}")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_scale: set DATABASE_URL to the PostgreSQL database demo_scale loaded")
    production_environment(CACHE_KEY_PREFIX=f"bench-scale-{time.time_ns()}")
    import django

    django.setup()
    from django.db import connection

    from profiles.models import Profile

    creators = Profile.objects.filter(discovered_via="demo_scale").count()
    if not creators:
        sys.exit("bench_scale: no demo_scale data in this database; run manage.py demo_scale first")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"bench_scale: {creators:,} creators, database {size}, load average {os.getloadavg()}", flush=True)
    admin_user, api_user, token = bench_users()
    table = Table()
    if "search" in only:
        search(table, args, token)
    if "admin" in only:
        admin(table, args, admin_user)
    if "report" in only:
        reports(table, args, api_user)
    if "ingest" in only:
        ingest(table, args)
    if "vacuum" in only:  # right after the ingest: the nightly recomputation below rewrites every creator
        vacuum(table, args)
    if "metrics" in only:
        metrics(table, args)
    table.print()
    print(f"load average at the end {os.getloadavg()}")
    print(json.dumps({"creators": creators, "rows": table.rows}))


if __name__ == "__main__":
    main()
