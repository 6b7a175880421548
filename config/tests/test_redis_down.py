"""Redis stopped: cache, throttles, sessions and task enqueue degrade; pages, API and admin keep answering.

A private redis-server (tests/faults.py) stands in for the shared one, so the test may stop it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.urls import reverse
from rest_framework.test import APIClient

from config.celery import app as celery_app
from monitoring.cache import CACHE_ERRORS
from tests.factories import ProfileFactory, UserFactory
from tests.faults import PrivateRedis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def redis_server():
    with PrivateRedis() as server:
        yield server


@pytest.fixture
def caches_on(settings, redis_server):
    """The production cache aliases (default ignores errors, throttle raises them) on the private Redis."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the embedded default has no Redis to lose")
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": redis_server.url},
        "throttle": {**settings.CACHES["throttle"], "LOCATION": redis_server.url},
    }
    caches["throttle-fallback"].clear()
    yield redis_server
    caches["throttle-fallback"].clear()


def _errors() -> float:
    return CACHE_ERRORS._value.get()


@pytest.mark.django_db
def test_api_pages_and_admin_answer_while_redis_is_down(caches_on, client):
    profile = ProfileFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    api = APIClient()
    api.force_authenticate(staff)
    client.force_login(staff)  # a database session: it must outlive Redis
    before = _errors()

    # When Redis stops
    caches_on.stop()
    started = time.monotonic()
    answers = {
        "api list": api.get(reverse("api-profile-list")).status_code,
        "api report": api.get(
            reverse("api-profile-detail", kwargs={"platform": profile.platform, "handle": profile.handle})
        ).status_code,
        "admin list": client.get(reverse("admin:profiles_profile_changelist")).status_code,
        "admin index": client.get(reverse("admin:index")).status_code,
        "page": client.get(reverse("profiles:profile", args=[profile.pk])).status_code,
        "search page": client.get(reverse("profiles:search")).status_code,
        "health": client.get("/health").status_code,
    }
    ready = client.get("/ready")

    # Then everything answers, the session held, and the cache errors were counted
    assert answers == dict.fromkeys(answers, 200), answers
    assert time.monotonic() - started < 30
    assert ready.status_code == 503
    assert "cache" in ready.json()["failing"]
    assert _errors() > before

    # And when Redis is back, the cache is used again without a restart
    caches_on.start()
    assert client.get("/ready").json()["checks"]["cache"]["ok"] is True


@pytest.mark.django_db
def test_throttle_counts_per_process_while_redis_is_down(caches_on, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"},
    }
    api = APIClient()
    api.force_authenticate(UserFactory())
    caches_on.stop()

    statuses = [api.get(reverse("api-profile-list")).status_code for _ in range(4)]

    # Not a 500, and not unlimited either: the fourth request is over the per-process limit
    assert statuses == [200, 200, 200, 429]


def test_enqueue_while_the_broker_is_down_is_counted_not_raised(redis_server):
    # A fresh process whose broker is the private Redis, stopped: the same code path a view takes.
    redis_server.stop()
    code = (
        "import django, time; django.setup();"
        "from config.celery import send, ENQUEUE_FAILURES;"
        "t = time.monotonic(); ok = send('intelligence.tasks.analyze_pending');"
        "print(ok, ENQUEUE_FAILURES._value.get(), round(time.monotonic() - t, 1))"
    )
    env = {**os.environ, "REDIS_URL": redis_server.url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    sent, failures, seconds = out.stdout.split()[-3:]
    assert (sent, failures) == ("False", "1.0"), out.stdout + out.stderr
    assert float(seconds) < 15


def test_enqueue_reaches_a_running_broker():
    # The degraded path must not swallow a working broker: a sent task lands in its queue.
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("default")
        from config.celery import send

        assert send("scraping.tasks.prune_system_logs") is True
        assert conn.default_channel.client.llen("default") == 1
        conn.default_channel.queue_purge("default")
