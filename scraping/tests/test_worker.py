"""A real Celery worker on the `scraping` queue: a throttled scrape is re-queued and then succeeds."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings

from profiles.models import Community
from scraping import http
from scraping.models import ScrapeRun
from scraping.tasks import scrape_community, scrape_profile
from scraping.tests.conftest import serve_subreddit
from tests.workers import celery_worker, wait_for


@pytest.fixture
def scraping_worker(fake_upstream):
    """``celery worker -Q scraping`` against the test database, this run's Redis and the fake upstream."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    reddit = http.Upstream(name="reddit", requests_per_minute=1, redis_url=settings.REDIS_URL)
    http.reset_state(reddit)
    env = {
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "REDDIT_BASE_URL": fake_upstream.url,
        "REDDIT_CLIENT_ID": "",
        "REDDIT_REQUESTS_PER_MINUTE": "6000",
        # One attempt per task run, so the 429 reaches the task and Celery re-queues it.
        "SCRAPING_MAX_ATTEMPTS": "1",
    }
    with celery_worker("scraping", env) as process:
        yield process
    http.reset_state(reddit)
    # The scrape queued real media/AI messages; leave the broker as it was found.
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("media", "ai")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_throttled_scrape_is_requeued_with_retry_after_and_succeeds(fake_upstream, scraping_worker):
    serve_subreddit(fake_upstream)
    fake_upstream.fault("/r/announcements/about", "429", retry_after="2")
    community = Community.objects.create(name="announcements", discovered_via="manual")

    queued_at = time.monotonic()
    scrape_community.delay(community.pk)

    assert wait_for(lambda: ScrapeRun.objects.filter(kind="subreddit", status="succeeded").exists())
    runs = list(ScrapeRun.objects.filter(kind="subreddit").order_by("id"))
    assert [r.status for r in runs] == ["failed", "succeeded"]
    assert "throttled" in runs[0].error_message
    # The retry waited for Retry-After before asking again.
    assert (runs[1].started_at - runs[0].finished_at).total_seconds() >= 1.5
    assert time.monotonic() - queued_at >= 2
    community.refresh_from_db()
    assert community.scrape_status == "ok" and community.snapshots.count() == 1
    assert fake_upstream.count("/r/announcements/about") == 2


@pytest.mark.django_db
def test_tasks_return_quietly_when_the_target_is_gone():
    scrape_community.apply(args=[987654])
    scrape_profile.apply(args=[987654])

    assert ScrapeRun.objects.count() == 0
