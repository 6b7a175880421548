"""Fixtures for the scraping tests: the fake upstream server and isolated upstream settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from scraping import http
from scraping.tests.fake_upstream import FakeUpstream


@pytest.fixture
def fake_upstream() -> Iterator[FakeUpstream]:
    """A fresh fake Reddit/Instagram on 127.0.0.1:<ephemeral port> for one test."""
    server = FakeUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url() -> str:
    # The scraping engineer's Redis database is 2 (team rules); CI passes REDIS_URL.
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def upstream(redis_url: str) -> Iterator[http.Upstream]:
    """An upstream with its own name, so its bucket and breaker keys are not shared with other tests.

    Fast policy for tests: tiny backoff, a 0.5 s read timeout, a breaker that trips after 3
    failures and half-opens after 2 s (pybreaker stores opened_at in whole seconds).
    """
    up = http.Upstream(
        name=f"test-{uuid.uuid4().hex[:10]}",
        requests_per_minute=60_000,
        redis_url=redis_url,
        connect_timeout=1.0,
        read_timeout=0.5,
        max_attempts=3,
        backoff_base=0.01,
        backoff_cap=0.05,
        max_wait=5.0,
        breaker_fail_max=3,
        breaker_reset_timeout=2,
    )
    yield up
    http.reset_state(up)


@pytest.fixture
def scrape_settings(settings, fake_upstream):
    """Point every upstream at the fake server, with a budget and retry policy fit for tests."""
    settings.REDDIT_BASE_URL = fake_upstream.url
    settings.REDDIT_OAUTH_BASE_URL = fake_upstream.url + "/oauth"
    settings.REDDIT_AUTH_URL = fake_upstream.url + "/api/v1/access_token"
    settings.REDDIT_CLIENT_ID = ""
    settings.REDDIT_CLIENT_SECRET = ""
    settings.REDDIT_REQUESTS_PER_MINUTE = 60_000
    settings.INSTAGRAM_PROVIDER = "web"
    settings.INSTAGRAM_BASE_URL = fake_upstream.url
    settings.INSTAGRAM_GRAPH_BASE_URL = fake_upstream.url + "/graph"
    settings.INSTAGRAM_REQUESTS_PER_MINUTE = 60_000
    settings.INSTAGRAM_RESPONSE_ENVELOPE = ""
    settings.INSTAGRAM_PROVIDER_HEADERS = {}
    settings.SCRAPING_TIMEOUTS = (1.0, 1.0)
    settings.SCRAPING_BACKOFF_SECONDS = 0.01
    settings.SCRAPING_MAX_ATTEMPTS = 3
    settings.SCRAPING_BREAKER_FAIL_MAX = 5
    settings.SCRAPING_BREAKER_RESET_SECONDS = 2
    # Hot only and no comments unless a test asks (tests/test_reddit_depth.py turns them on).
    settings.REDDIT_TOP_POSTS_PER_PERIOD = 0
    settings.REDDIT_COMMENT_POSTS_PER_RUN = 0
    upstreams = [
        http.Upstream.from_settings(name, requests_per_minute=1) for name in ("reddit", "instagram", "instagram-graph")
    ]
    for up in upstreams:
        http.reset_state(up)
    yield settings
    for up in upstreams:
        http.reset_state(up)
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        # Tests that commit queue real media/AI messages; leave the broker as it was found.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("media", "ai")


# The shape Reddit documents for GET /api/v1/{subreddit}/post_requirements (no recording exists).
POST_REQUIREMENTS = {
    "title_regexes": [],
    "body_blacklisted_strings": [],
    "title_blacklisted_strings": ["[selling]"],
    "body_text_max_length": None,
    "title_required_strings": ["[F]", "[M]"],
    "guidelines_text": None,
    "gallery_min_items": None,
    "domain_blacklist": ["onlyfans.com"],
    "domain_whitelist": [],
    "title_text_max_length": 300,
    "body_restriction_policy": "none",
    "link_restriction_policy": "none",
    "guidelines_display_policy": None,
    "body_required_strings": [],
    "title_text_min_length": None,
    "gallery_captions_requirement": "none",
    "is_flair_required": True,
    "gallery_max_items": None,
    "gallery_urls_requirement": "none",
    "body_regexes": [],
    "link_repost_age": None,
    "body_text_min_length": None,
}


def serve_subreddit(server: FakeUpstream, name: str = "announcements") -> None:
    """The four calls of a hot-only subreddit scrape, answered with recorded bodies."""

    def rename(body):
        body["data"]["display_name"] = name
        return body

    server.serve(f"/r/{name}/about", "reddit/subreddit_about__announcements.json", transform=rename)
    server.serve(f"/r/{name}/about/rules", "reddit/subreddit_rules.json")
    server.serve(f"/r/{name}/hot", "reddit/subreddit_hot__popular_2026.json")
    server.serve_json(f"/api/v1/{name}/post_requirements", POST_REQUIREMENTS)
