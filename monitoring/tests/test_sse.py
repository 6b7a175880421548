"""/api/v1/streaming/metrics: Server-Sent Events for clients without websockets."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient

from accounts.models import ApiToken
from monitoring.events import apublish

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/v1/streaming/metrics"


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def parse(chunk: bytes | str) -> tuple[str, dict]:
    text = chunk.decode() if isinstance(chunk, bytes) else chunk
    fields = dict(line.split(": ", 1) for line in text.strip().splitlines())
    return fields["event"], json.loads(fields["data"])


async def next_event(stream, wanted: str) -> dict:
    while True:
        chunk = await asyncio.wait_for(anext(stream), timeout=5)
        if chunk.startswith(b"retry:"):
            continue
        event, data = parse(chunk)
        if event == wanted:
            return data


def test_anonymous_gets_401_and_non_staff_403(alice):
    async def scenario():
        anonymous = await AsyncClient().get(URL)
        client = AsyncClient()
        await sync_to_async(client.force_login)(alice)
        return anonymous.status_code, (await client.get(URL)).status_code

    assert async_to_sync(scenario)() == (401, 403)


def test_staff_session_streams_metrics_then_pushed_events(bob, fast_push):
    async def scenario():
        client = AsyncClient()
        await sync_to_async(client.force_login)(bob)
        response = await client.get(URL)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        stream = aiter(response.streaming_content)
        first = await next_event(stream, "metrics")
        second = await next_event(stream, "metrics")

        async def later():
            await asyncio.sleep(0.05)
            await apublish("ai_batch.finished", {"id": 5, "posts": 64})

        task = asyncio.create_task(later())
        event = await next_event(stream, "ai_batch.finished")
        await task
        await stream.aclose()
        return first, second, event

    first, second, event = async_to_sync(scenario)()
    assert first["type"] == "metrics" and "health" in first
    assert second["at"] >= first["at"]
    assert event == {"type": "ai_batch.finished", "at": event["at"], "data": {"id": 5, "posts": 64}}


def test_token_authenticated_staff_client_can_stream(bob, fast_push):
    _, plain = ApiToken.objects.issue(bob, "stream")

    async def scenario():
        response = await AsyncClient().get(URL, headers={"Authorization": f"Token {plain}"})
        stream = aiter(response.streaming_content)
        data = await next_event(stream, "metrics")
        await stream.aclose()
        return response.status_code, data

    status, data = async_to_sync(scenario)()
    assert status == 200 and data["type"] == "metrics"


def test_revoked_or_unknown_token_gets_401_from_the_stream(bob):
    token, plain = ApiToken.objects.issue(bob, "stream")
    token.revoke()

    async def scenario():
        revoked = await AsyncClient().get(URL, headers={"Authorization": f"Token {plain}"})
        unknown = await AsyncClient().get(URL, headers={"Authorization": "Token " + "0" * 64})
        return revoked.status_code, revoked.json(), unknown.status_code

    assert async_to_sync(scenario)() == (401, {"detail": "Invalid token."}, 401)


def test_under_wsgi_staff_are_told_to_use_the_asgi_server(client, bob):
    # The sync test client is Django's WSGI handler, as gunicorn is
    client.force_login(bob)
    response = client.get(URL)
    assert response.status_code == 503
    assert "ASGI server only" in response.json()["detail"]
    assert not response.streaming
