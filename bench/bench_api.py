"""API throughput and latency on the production-style stack: gunicorn + PostgreSQL + Redis, via wrk.

Measures requests/s and p50/p95/p99 for: a DRF hello-world (``/api/v1/auth/me/``, the ceiling),
cached creator report, uncached creator report, creator search with text and two filters
(uncached and cached). The report and search rotate over many distinct URLs; requests rotate over
the tokens of ``--users`` bench users (300), with throttling on at the default per-user rate. (One user
with a limit raised out of the way would make DRF's throttle pickle a minute of request history —
tens of thousands of timestamps — into Redis on every request, a cost no real client causes.)

Run (bench data lives in its own database, never the test or dev one):

    apt-get install -y wrk          # once; the test suite does not need it
    psql -h 127.0.0.1 -U postgres -c 'create database cs_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/bench_api.py --profiles 100000 --posts 1000000

It migrates, tops the data up with ``manage.py demo_scale`` (a few minutes the first time), starts
gunicorn on 127.0.0.1 and drives it with wrk on the same machine. Prints one table and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local i, j = math.random(#paths), math.random(#tokens)
request = function()
  i = i % #paths + 1
  j = j % #tokens + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Token " .. tokens[j]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "socket_errors": %d, "non_2xx": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def prepare(
    profiles: int, posts: int, sample: int, users: int, load: bool = True
) -> tuple[list[str], list[str], list[str]]:
    """Migrate, scale the data (unless ``load`` is off), make the bench users' tokens; return them and the URLs."""
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    if load:
        subprocess.run(
            [PY, "manage.py", "demo_scale", "--profiles", str(profiles), "--posts", str(posts), "--json"],
            cwd=ROOT,
            check=True,
        )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import ApiToken
    from config.management.commands.demo_scale import WORDS  # what generated handles and bios are made of
    from profiles.models import Profile, ProfileAccess

    tokens = []
    accounts = []
    for n in range(users):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-{n}")
        ApiToken.objects.filter(user=user, name="bench").delete()  # values are not kept: make new ones
        tokens.append(ApiToken.objects.issue(user, "bench")[1])
        accounts.append(user)
    chosen = list(
        Profile.objects.filter(platform="instagram", discovered_via="demo_scale")
        .order_by("?")
        .values_list("id", "handle")[:sample]
    )
    # Open the reports beforehand: the bench measures reading a report, not the first-view grant.
    now = timezone.now()
    ProfileAccess.objects.filter(user__in=accounts, team__isnull=True, profile_id__in=[pk for pk, _ in chosen]).delete()
    ProfileAccess.objects.bulk_create(
        ProfileAccess(user=user, profile_id=pk, granted_at=now, expires_at=now + ProfileAccess.period())
        for pk, _ in chosen
        for user in accounts
    )
    details = [f"/api/v1/profiles/instagram/{handle}/" for _, handle in chosen]
    rng = random.Random(7)
    searches = [
        f"/api/v1/profiles/?q={rng.choice(WORDS)}&followers_min={rng.choice([1000, 10000, 50000])}"
        f"&engagement_min={rng.choice([1, 2, 3])}"
        for _ in range(sample // 5)  # fewer distinct searches than profiles: people repeat searches
    ]
    return tokens, details, searches


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process (from /proc): steady even when others load the machine."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def database_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class Server:
    """gunicorn with sync workers on loopback, like production behind a proxy."""

    def __init__(self, port: int, workers: int, env: dict[str, str]):
        self.port = port
        environment = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "LOG_LEVEL": "warning",  # no per-request access line: we measure the API, not stdout
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            **env,
        }
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT,
            env=environment,
            start_new_session=True,
        )
        for _ in range(120):
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(port: int, tokens: list[str], paths: list[str], seconds: int, connections: int, script: Path) -> dict:
    files = {}
    for name, lines in (("BENCH_PATHS", paths), ("BENCH_TOKENS", tokens)):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(lines))
        files[name] = handle.name
    env = {**os.environ, **files}
    out = subprocess.run(
        # A 10 s timeout: on a loaded machine a slow answer is a latency to report, not a socket error.
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in files.values():
        os.unlink(name)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("BENCH "))[6:])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def check(port: int, token: str, path: str) -> None:
    """One request before the load: a scenario that does not answer 200 stops the bench, with the reason."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"})
    try:
        urllib.request.urlopen(request, timeout=30).read()
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"bench_api: {path} answered {exc.code}: {exc.read()[:300]!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15, help="per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--sample", type=int, default=500, help="distinct profiles / searches rotated over")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--users", type=int, default=300, help="bench users whose tokens requests rotate over (default rates apply)"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated scenarios to run (default: all); hello_world always runs"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the cached scenarios this many times, alternating with hello-world; each is compared "
        "with the hello-world round just before it and the median round is reported",
    )
    parser.add_argument(
        "--use-existing",
        "--no-load",
        dest="use_existing",
        action="store_true",
        help="bench the data already in DATABASE_URL (any database; e.g. demo_scale --size full) without topping it up",
    )
    args = parser.parse_args()

    if not shutil.which("wrk"):
        sys.exit("bench_api: wrk is not installed (apt-get install -y wrk)")
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres") or not (args.use_existing or database.rstrip("/").endswith("cs_bench")):
        sys.exit("bench_api: set DATABASE_URL=postgres://…/cs_bench (bench data never goes into another database)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench_api: set REDIS_URL (the cache and throttles under test live in Redis)")
    # Keys of their own, so the bench never reads or evicts anyone else's cache entries.
    os.environ["CACHE_KEY_PREFIX"] = "bench"

    if not args.port:
        with socket.socket() as probe:  # a port nobody else is serving on
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    tokens, details, searches = prepare(args.profiles, args.posts, args.sample, args.users, load=not args.use_existing)
    token = tokens[0]
    script = Path(tempfile.mkdtemp()) / "rotate.lua"
    script.write_text(LUA)
    results: dict[str, dict] = {}
    rounds: dict[str, list[dict]] = {}

    chosen = {"hello_world", *filter(None, args.only.split(","))} if args.only else None

    def run(name: str, paths: list[str], warm: bool = False, connections: int | None = None) -> None:
        if chosen is not None and name not in chosen:
            return
        check(args.port, token, paths[0])
        if warm and name not in results:  # request every rotated URL once: the measured run reads only the cache
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda path: check(args.port, token, path), paths))
        # Two unmeasured seconds of the same load first: every gunicorn worker has then opened its
        # connections and run each code path once, so the first scenario is not billed for that.
        wrk(args.port, tokens, paths, 2, connections or args.connections, script)
        web_before = cpu_seconds(server.workers())
        db_before = cpu_seconds(database_backends())
        result = wrk(args.port, tokens, paths, args.seconds, connections or args.connections, script)
        web_after = cpu_seconds(server.workers())
        db_after = cpu_seconds(database_backends())
        requests = max(result["requests"], 1)
        web = sum(web_after.values()) - sum(web_before.get(pid, 0) for pid in web_after)
        db = sum(db_after.values()) - sum(db_before.get(pid, 0) for pid in db_after)
        result["web_cpu_ms_per_request"] = round(1000 * web / requests, 2)
        result["db_cpu_ms_per_request"] = round(1000 * db / requests, 2)
        if name != "hello_world" and "hello_world" in rounds:
            # Against the ceiling measured just before, on the same server: drift between rounds
            # (other processes, the page cache, CPU clocks) then cancels out of the ratio.
            result["ceiling_rps"] = rounds["hello_world"][-1]["rps"]
            result["of_ceiling"] = round(result["rps"] / result["ceiling_rps"], 3)
        rounds.setdefault(name, []).append(result)
        results[name] = median_round(rounds[name])
        print(f"{name}: {result}", flush=True)
        if result["non_2xx"] or result["socket_errors"]:
            raise SystemExit(f"bench_api: {name} had failed requests; the numbers would be meaningless")

    server = Server(args.port, args.workers, {})
    try:
        for _ in range(args.rounds):
            for name, paths in (("detail_cached", details), ("search_cached", searches)):
                if chosen is None or name in chosen:
                    run("hello_world", ["/api/v1/auth/me/"])
                    run(name, paths, warm=True)
        if "hello_world" not in results:  # the ceiling of the table, when only uncached scenarios run
            run("hello_world", ["/api/v1/auth/me/"])
    finally:
        server.stop()
    uncached = {"detail_uncached", "search_uncached", "search_uncached_1conn"}
    if chosen is None or chosen & uncached:
        server = Server(args.port, args.workers, {"API_DETAIL_CACHE_TTL": "0", "API_SEARCH_CACHE_TTL": "0"})
        try:
            run("detail_uncached", details)
            run("search_uncached", searches)
            # One client at a time: the latency of a search itself, without queueing behind others.
            run("search_uncached_1conn", searches, connections=1)
        finally:
            server.stop()

    ceiling = results["hello_world"]["rps"]
    header = ["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "of ceiling", "web CPU ms/req", "db CPU ms/req"]
    print("\n" + "".join(f"{h:>16}" if i else f"{h:<22}" for i, h in enumerate(header)))
    for name, r in results.items():
        cells = [
            r["rps"],
            r["p50_ms"],
            r["p95_ms"],
            r["p99_ms"],
            f"{100 * r.get('of_ceiling', r['rps'] / ceiling):.0f} %",
            r["web_cpu_ms_per_request"],
            r["db_cpu_ms_per_request"],
        ]
        print(f"{name:<22}" + "".join(f"{cell:>16}" for cell in cells))
    print("\nEach scenario against the hello-world round just before it, round by round:")
    for name, measured in rounds.items():
        if "of_ceiling" in measured[0]:
            pairs = ", ".join(f"{r['rps']} / {r['ceiling_rps']} = {100 * r['of_ceiling']:.0f} %" for r in measured)
            print(f"  {name}: {pairs}")
    print(
        json.dumps(
            {"profiles": args.profiles, "posts": args.posts, "workers": args.workers, "rounds": rounds, **results}
        )
    )


def median_round(measured: list[dict]) -> dict:
    """The round with the median ratio to the ceiling (the median rate for the ceiling itself; the lower
    middle one of an even count)."""
    key = "of_ceiling" if "of_ceiling" in measured[0] else "rps"
    return sorted(measured, key=lambda r: r[key])[(len(measured) - 1) // 2]


if __name__ == "__main__":
    main()
