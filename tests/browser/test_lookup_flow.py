"""Playwright in headless Chromium: a user types a handle, watches the lookup's progress, lands on the report."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from profiles.models import Profile
from scraping import http
from scraping.models import Lookup
from scraping.tests.fake_upstream import FakeUpstream, serve_any_instagram_creator
from tests.browser.conftest import sign_in, signable_user
from tests.factories import MembershipFactory
from tests.workers import celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def lookups_worker(transactional_db):
    """A slow fake Instagram (0.6 s a call, so each stage shows) and ``celery worker -Q lookups`` against it."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    server = FakeUpstream(latency=0.6).start()
    serve_any_instagram_creator(server)
    instagram = http.Upstream(name="instagram", requests_per_minute=1, redis_url=settings.REDIS_URL)
    http.reset_state(instagram)
    env = {
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "INSTAGRAM_PROVIDER": "web",
        "INSTAGRAM_BASE_URL": server.url,
        "INSTAGRAM_REQUESTS_PER_MINUTE": "6000",
        "INSTAGRAM_RESPONSE_ENVELOPE": "",
    }
    with celery_worker("lookups", env, wait_ready=True) as process:
        yield server, process
    server.stop()
    http.reset_state(instagram)
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("lookups", "media", "ai")


def test_user_looks_up_a_handle_sees_progress_and_lands_on_the_report(
    lookups_worker, browser_page, live_server, screenshot
):
    server, _ = lookups_worker
    page, base = browser_page, live_server.url
    user = signable_user("lou")
    MembershipFactory(user=user, role="analyst")  # a lookup is added to the current team: a writer's
    sign_in(page, base, "lou")

    page.goto(f"{base}/creators/")
    page.fill("#lookup-handle", "https://www.instagram.com/Fresh.Face/")
    page.click(".cs-lookup button[type=submit]")

    # The progress page: the stages light up as the worker reaches them (htmx polls every second).
    page.wait_for_selector("#lookup-progress li.cs-done[data-stage=profile]")
    screenshot(page, "lookup-progress")
    page.wait_for_url(f"{base}/creators/*/", timeout=30_000)

    creator = Profile.objects.get(platform="instagram", handle="fresh.face")
    assert page.url.rstrip("/").endswith(f"/creators/{creator.pk}")
    assert "fresh.face" in page.content()
    lookup = Lookup.objects.get(requester=user)
    assert lookup.status == "ready" and [s["name"] for s in lookup.steps][-1] == "ready"
    assert server.count("/api/v1/users/web_profile_info/") == 1
