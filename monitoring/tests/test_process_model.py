"""The production process model (deploy/Procfile.production) starts and works together on one machine."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.test import Client

from config.celery import app as celery_app
from monitoring.tests.conftest import free_port
from tests.workers import worker_database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_processes(tmp_path):
    web_port, asgi_port = free_port(), free_port()
    env = os.environ | {
        "DATABASE_URL": worker_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WEB_BIND": f"127.0.0.1:{web_port}",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "4",
        "ASGI_PORT": str(asgi_port),
        "DEFAULT_CONCURRENCY": "1",
        "LOOKUPS_CONCURRENCY": "2",
        "SCRAPING_CONCURRENCY": "2",
        "AI_CONCURRENCY": "1",
        "MEDIA_CONCURRENCY": "1",
        "MONITORING_PUSH_INTERVAL": "0.5",
    }
    # Messages other tests left in these queues on this Redis would be run by the workers started here.
    with celery_app.connection_for_write() as conn:
        for queue in ("lookups", "default", "scraping", "ai", "media"):
            conn.default_channel.queue_purge(queue)
    log = (tmp_path / "honcho.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("honcho")), "-f", "deploy/Procfile.production", "-d", str(ROOT), "start"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{web_port}", f"ws://127.0.0.1:{asgi_port}", tmp_path / "honcho.log"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def wait_for(check, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{what} not reached in {timeout} s; processes said:\n{log.read_text()[-4000:]}")


def test_production_procfile_runs_web_asgi_one_worker_per_queue_and_beat(bob, production_processes):
    web, ws, log = production_processes

    # The HTTP server answers and is ready (database, cache, broker, channel layer, storage)
    ready = wait_for(lambda: requests.get(f"{web}/ready", timeout=5), 120, "web /ready", log)
    assert ready.status_code == 200, ready.text

    # One worker per queue, each consuming only its own queue
    def queues_by_worker():
        found = celery_app.control.inspect(timeout=2).active_queues() or {}
        return found if len(found) >= 5 else None

    found = wait_for(queues_by_worker, 120, "five workers", log)
    by_queue = {q["name"]: name.split("@")[0] for name, queues in found.items() for q in queues}
    for queue in ("lookups", "default", "scraping", "ai", "media"):
        assert by_queue.get(queue) == queue

    # The ASGI server serves the monitor websocket to a signed-in staff member
    import websockets

    client = Client()
    client.force_login(bob)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    async def first_message():
        async with websockets.connect(
            f"{ws}/ws/monitor/", additional_headers={"Cookie": cookie}, origin="http://127.0.0.1"
        ) as socket:
            return json.loads(await asyncio.wait_for(socket.recv(), 30))

    message = wait_for(lambda: asyncio.run(first_message()), 60, "websocket metrics", log)
    assert message["type"] == "metrics"
    # Workers are alive and beat is in the process list
    assert "beat" in log.read_text()
