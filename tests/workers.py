"""A real Celery worker for the tests whose behaviour depends on one.

The worker is a subprocess of ``celery -A config worker`` on one queue, with the solo pool, against
the test database (PostgreSQL: a worker cannot share an in-memory SQLite) and this run's broker. Its
output goes to a file, not a pipe nobody reads, and the tail is printed when it stops so a failing
test shows what the worker saw.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_database_url() -> str:
    """The URL of the database this test runs in, for processes started by the test."""
    db = connection.settings_dict
    if "postgresql" not in db["ENGINE"]:
        pytest.skip("a worker subprocess needs the PostgreSQL test database")
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(
    queue: str,
    env: dict[str, str] | None = None,
    *,
    wait_ready: bool = False,
    loglevel: str = "warning",
    include: str = "",
) -> Iterator[subprocess.Popen]:
    """Run a worker on ``queue`` for the duration of the block; ``env`` adds or overrides variables.

    With ``wait_ready`` the block starts only once the worker answers a ping (tests that publish
    events need it listening; tests that poll for a result do not). ``include`` names a module of
    test tasks the worker imports besides the apps' own.
    """
    name = f"{queue}-{uuid.uuid4().hex[:8]}@localhost"
    worker_env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **(env or {}),
    }
    with tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="celery-worker-") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-n", name, "--pool", "solo"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", loglevel]
            + (["--include", include] if include else []),
            cwd=ROOT,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            if wait_ready:
                from config.celery import app

                deadline = time.monotonic() + 120
                while not app.control.ping(destination=[name], timeout=0.5):
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"worker did not start:\n{log.read()[-3000:]}")
            yield process
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            log.seek(0)
            print(log.read()[-3000:])


def wait_for(condition: Callable[[], bool], timeout: float = 90, interval: float = 0.3) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; says which happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
