"""/ready: every dependency checked, 503 naming the one that failed, 200 again when it is back."""

from __future__ import annotations

import pytest

from config.celery import app as celery_app


@pytest.fixture
def on_private_redis(settings, private_redis):
    """Cache, broker and channel layer all on a redis-server this test may stop."""
    redis_cache = {
        "BACKEND": "monitoring.cache.RedisCache",
        "LOCATION": private_redis.url,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
    # The probe reads the "throttle" alias: the same Redis, with its errors raised.
    settings.CACHES = {"default": redis_cache, "throttle": redis_cache}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [private_redis.url]}}
    }
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = private_redis.url
    drop_broker_connections()
    yield private_redis
    celery_app.conf.broker_url = previous
    drop_broker_connections()


def drop_broker_connections() -> None:
    """Make the app take a connection pool for the current broker_url at its next use.

    What Celery itself does after a fork (``Celery._after_fork``). Closing the pool instead would
    close kombu's process-wide pool for that URL, which the tests that follow would get back.
    """
    celery_app._after_fork()


@pytest.mark.django_db
def test_ready_is_200_when_every_dependency_answers(client, on_private_redis):
    response = client.get("/ready")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "channel_layer", "storage"}


@pytest.mark.django_db
def test_ready_turns_503_naming_redis_backed_components_while_redis_is_down(client, on_private_redis):
    assert client.get("/ready").status_code == 200

    # When Redis stops
    on_private_redis.stop()
    response = client.get("/ready")

    # Then the instance is not ready, and the answer says why
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["failing"]) == {"cache", "broker", "channel_layer"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is True
    assert "unreachable" in body["checks"]["broker"]["error"]

    # And when Redis is back on the same port, ready again
    on_private_redis.start()
    response = client.get("/ready")
    assert response.status_code == 200, response.json()


def test_health_stays_up_and_fast_without_any_dependency(client, settings):
    # No database mark (any query would raise) and a cache that points nowhere.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]
