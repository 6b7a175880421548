"""The live monitor websocket: who may connect, periodic metrics, pushed events, re-checks."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from config.asgi import application
from monitoring import metrics, store
from monitoring.consumers import FORBIDDEN, MonitorConsumer
from monitoring.events import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The embedded default's layer; the Redis layer gets its own test below."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.MONITORING_AUTH_RECHECK_SECONDS = 0  # strict: query before every message


def run(coro_fn):
    return async_to_sync(coro_fn)()


async def connect(user) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(MonitorConsumer.as_asgi(), "/ws/monitor/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    return communicator, connected


async def receive_type(communicator: WebsocketCommunicator, wanted: str, timeout: float = 5) -> dict:
    """The next message of type ``wanted`` (metrics messages keep arriving in between)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = await communicator.receive_json_from(timeout=max(0.01, deadline - loop.time()))
        if message["type"] == wanted:
            return message


async def demoted_after_connect(user) -> WebsocketCommunicator:
    """An operator's socket past its first metrics message, the user no longer an operator since."""
    communicator, connected = await connect(user)
    assert connected
    await receive_type(communicator, "metrics")
    await database_sync_to_async(user.user_permissions.clear)()
    await database_sync_to_async(user.groups.clear)()
    return communicator


def test_anonymous_user_is_refused_at_the_handshake(fast_push):
    async def scenario():
        communicator, connected = await connect(AnonymousUser())
        assert not connected
        await communicator.disconnect()

    run(scenario)


def test_non_staff_user_is_refused_at_the_handshake(alice, fast_push):
    async def scenario():
        communicator, connected = await connect(alice)
        assert not connected
        await communicator.disconnect()

    run(scenario)


def test_staff_status_without_the_staff_role_is_refused_at_the_handshake(alice, fast_push):
    """An analyst with staff status (admin work) is no operator: no monitor (issue 16, finding 1)."""
    alice.is_staff = True
    alice.save()

    async def scenario():
        communicator, connected = await connect(alice)
        await communicator.disconnect()
        return connected

    assert run(scenario) is False


def test_a_message_from_a_viewer_who_lost_the_staff_role_closes_the_socket(bob, fast_push, settings):
    """Checked on every message the viewer sends too, not only on what we push."""
    settings.MONITORING_PUSH_INTERVAL = 60  # no push in between: only the viewer's message can trigger it

    async def scenario():
        communicator = await demoted_after_connect(bob)
        await communicator.send_json_to({"type": "refresh"})
        closing = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return closing

    assert run(scenario) == {"type": "websocket.close", "code": FORBIDDEN}


def test_an_operator_message_is_answered(bob, fast_push, settings):
    settings.MONITORING_PUSH_INTERVAL = 60

    async def scenario():
        communicator, connected = await connect(bob)
        assert connected
        await receive_type(communicator, "metrics")
        await communicator.send_json_to({"type": "refresh"})
        fresh = await receive_type(communicator, "metrics")
        await communicator.disconnect()
        return fresh

    assert "scrapers" in run(scenario)


def test_staff_receives_a_typed_metrics_message_every_interval(bob, fast_push):
    # Given traffic recorded by another process (the shared counters in Redis)
    metrics.API_CALLS.labels(upstream="reddit", status="200").inc(7)
    metrics.CACHE_LOOKUPS.labels(result="hit").inc(9)
    metrics.CACHE_LOOKUPS.labels(result="miss").inc(1)
    store.flush()

    async def scenario():
        communicator, connected = await connect(bob)
        assert connected
        loop = asyncio.get_running_loop()
        first = await receive_type(communicator, "metrics")
        started = loop.time()
        second = await receive_type(communicator, "metrics")
        gap = loop.time() - started
        await communicator.disconnect()
        return first, second, gap

    first, second, gap = run(scenario)
    for key in ("requests", "queues", "tasks", "scrapers", "api", "ai", "cache", "breakers", "health"):
        assert key in first, key
    assert first["api"]["calls_today"] == 7
    assert first["cache"]["hit_rate"] == pytest.approx(0.9)
    assert set(first["queues"]) == {"lookups", "default", "scraping", "ai", "media"}
    assert 0 <= first["health"]["score"] <= 100
    assert 0.1 <= gap < 2.0  # the 0.2 s interval, with slack for a busy machine
    assert second["at"] >= first["at"]


def test_published_event_reaches_a_connected_staff_socket(bob, fast_push):
    async def scenario():
        communicator, connected = await connect(bob)
        assert connected
        await receive_type(communicator, "metrics")
        # publish() is the sync helper tasks call: run it from a plain thread, as a worker would.
        thread = threading.Thread(target=publish, args=("scrape_run.started", {"id": 42, "target": "r/python"}))
        thread.start()
        thread.join()
        event = await receive_type(communicator, "scrape_run.started")
        await communicator.disconnect()
        return event

    event = run(scenario)
    assert event["data"] == {"id": 42, "target": "r/python"}
    assert event["at"]


def test_staff_demoted_while_connected_is_disconnected_at_the_next_event(bob, fast_push, settings):
    settings.MONITORING_PUSH_INTERVAL = 60  # only the event can trigger the re-check here

    async def scenario():
        communicator = await demoted_after_connect(bob)
        await database_sync_to_async(publish)("ai_batch.finished", {"id": 1})
        closing = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return closing

    closing = run(scenario)
    assert closing == {"type": "websocket.close", "code": FORBIDDEN}


def test_a_shared_recheck_answer_still_stops_a_demoted_user_once_it_expires(bob, fast_push, settings):
    settings.MONITORING_PUSH_INTERVAL = 60
    settings.MONITORING_AUTH_RECHECK_SECONDS = 0.5

    async def scenario():
        communicator = await demoted_after_connect(bob)
        await asyncio.sleep(0.6)  # the answer given at connect has expired
        await database_sync_to_async(publish)("ai_batch.finished", {"id": 1})
        closing = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return closing

    assert run(scenario) == {"type": "websocket.close", "code": FORBIDDEN}


def test_logged_out_session_is_disconnected_through_the_real_asgi_stack(bob, fast_push, settings):
    # Given bob signed in with a real session cookie, connecting through config.asgi (auth + origin checks)
    settings.MONITORING_PUSH_INTERVAL = 60
    client = Client()
    client.force_login(bob)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/monitor/", headers=[(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1")]
        )
        connected, _ = await communicator.connect()
        assert connected
        await receive_type(communicator, "metrics")
        # When he logs out elsewhere (the session row is deleted)
        await database_sync_to_async(client.logout)()
        await database_sync_to_async(publish)("alert", {"id": 3, "message": "x"})
        closing = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return closing

    assert run(scenario) == {"type": "websocket.close", "code": FORBIDDEN}


def test_events_travel_through_a_real_redis_channel_layer(bob, fast_push, settings):
    # The default test settings already use channels_redis on REDIS_URL; make that explicit and
    # isolate the prefix so parallel runs never see each other's groups.
    import os

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": "asgi-monitoring-test"},
        }
    }

    async def scenario():
        communicator, connected = await connect(bob)
        assert connected
        from channels.layers import get_channel_layer

        assert type(get_channel_layer()).__name__ == "RedisChannelLayer"
        await receive_type(communicator, "metrics")
        await database_sync_to_async(publish)("scrape_run.finished", {"id": 9, "status": "succeeded"})
        event = await receive_type(communicator, "scrape_run.finished")
        await communicator.disconnect()
        return event

    assert run(scenario)["data"] == {"id": 9, "status": "succeeded"}


def test_embedded_default_delivers_events_published_by_another_process(bob, fast_push, settings, tmp_path):
    # Given the embedded default: no Redis, a file cache shared by the local processes, in-memory layer
    settings.CACHES = {"default": {"BACKEND": "monitoring.cache.FileBasedCache", "LOCATION": str(tmp_path / "cache")}}
    env = os.environ | {"REDIS_URL": "", "CREATORSCOPE_VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": "memory://"}
    script = "import django; django.setup(); from monitoring.events import publish; publish('scrape_run.finished', {'id': 77})"

    async def scenario():
        communicator, connected = await connect(bob)
        assert connected
        await receive_type(communicator, "metrics")
        # When a worker process (not this one) publishes
        worker = await asyncio.create_subprocess_exec(sys.executable, "-c", script, env=env)
        assert await worker.wait() == 0
        event = await receive_type(communicator, "scrape_run.finished", timeout=10)
        await communicator.disconnect()
        return event

    assert run(scenario)["data"] == {"id": 77}
