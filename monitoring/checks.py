"""Readiness checks for ``/ready`` beyond django-health-check's built-ins: the broker and the channel layer."""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from health_check import Cache, HealthCheck
from health_check.exceptions import ServiceUnavailable

from monitoring.cache import uncounted


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis: answers PING). Workers need not be running."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=2), repr=False)

    def run(self) -> None:
        from config.celery import app

        seconds = self.timeout.total_seconds()
        try:
            with app.connection_for_write(connect_timeout=seconds) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=seconds)
                client = getattr(conn.default_channel, "client", None)
                if client is not None and hasattr(client, "ping"):
                    client.ping()
        except Exception as exc:
            raise ServiceUnavailable(f"broker unreachable ({type(exc).__name__})") from exc


@dataclasses.dataclass
class ChannelLayer(HealthCheck):
    """The channel layer's Redis answers (websocket fan-out); nothing to check for the in-memory layer."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=2), repr=False)

    async def run(self) -> None:
        config = settings.CHANNEL_LAYERS["default"]
        if not config["BACKEND"].startswith("channels_redis"):
            return
        import redis.asyncio

        host = config["CONFIG"]["hosts"][0]
        client = redis.asyncio.Redis.from_url(host, socket_connect_timeout=2, socket_timeout=2)
        try:
            await client.ping()
        except (redis.RedisError, OSError) as exc:
            raise ServiceUnavailable(f"channel layer unreachable ({type(exc).__name__})") from exc
        finally:
            await client.aclose()


@dataclasses.dataclass
class UncountedCache(Cache):
    """django-health-check's cache probe, kept out of the monitor's hit rate.

    On the ``throttle`` alias: the same Redis as ``default``, but with its errors raised, where
    ``default`` turns them into misses (IGNORE_EXCEPTIONS) and the probe could not tell.
    """

    alias: str = "throttle"

    async def run(self) -> None:
        with uncounted():
            try:
                await super().run()
            except ServiceUnavailable:
                raise
            except Exception as exc:  # django-redis wraps connection errors in its own exception
                raise ServiceUnavailable(f"cache unreachable ({type(exc).__name__})") from exc
