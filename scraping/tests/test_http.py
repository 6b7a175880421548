"""The transport over real loopback HTTP: retries, permanent errors, breaker, proxies, shared budget."""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
import uuid

import pytest

from config import http as transport
from config.http import CircuitOpenError, PermanentError, TransientError
from scraping import http
from scraping.tests.fake_upstream import FakeUpstream

ABOUT = "/r/announcements/about"
ABOUT_FIXTURE = "reddit/subreddit_about__announcements.json"


def get(upstream: http.Upstream, server: FakeUpstream, path: str = ABOUT, stats: http.CallStats | None = None):
    return http.request(upstream, "GET", server.url + path, stats=stats)


def test_success_parses_json_and_sends_user_agent(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    stats = http.CallStats()

    response = get(upstream, fake_upstream, stats=stats)

    assert response.status == 200
    assert response.data["data"]["display_name"] == "announcements"
    assert fake_upstream.hits[0].headers["User-Agent"] == upstream.user_agent
    assert stats.api_calls == 1 and stats.errors == 0


def test_429_waits_for_retry_after_then_succeeds(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "429", retry_after="1")
    stats = http.CallStats()

    started = time.monotonic()
    response = get(upstream, fake_upstream, stats=stats)

    assert response.status == 200
    assert time.monotonic() - started >= 1.0
    assert fake_upstream.count(ABOUT) == 2
    assert stats.retries == 1 and stats.api_calls == 2


def test_retry_after_longer_than_max_wait_is_handed_back(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "429", retry_after="120")

    with pytest.raises(TransientError) as caught:
        get(upstream, fake_upstream)

    assert caught.value.retry_after == 120
    assert fake_upstream.count(ABOUT) == 1


def test_server_errors_are_retried_until_success(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "server_error", times=2)

    assert get(upstream, fake_upstream).status == 200
    assert fake_upstream.count(ABOUT) == 3


def test_server_errors_give_up_after_max_attempts(fake_upstream, upstream):
    fake_upstream.fault(ABOUT, "bad_gateway", times=10)

    with pytest.raises(TransientError) as caught:
        get(upstream, fake_upstream)

    assert caught.value.status == 502
    assert fake_upstream.count(ABOUT) == upstream.max_attempts


def test_read_timeout_is_transient_and_retried(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "timeout", delay=upstream.read_timeout + 0.5)

    assert get(upstream, fake_upstream).data["data"]["id"] == "2r0ij"
    assert fake_upstream.count(ABOUT) == 2


def test_truncated_json_is_retried_then_reported(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "truncated", times=10)

    with pytest.raises(TransientError) as caught:
        get(upstream, fake_upstream)

    assert caught.value.reason == "invalid_json"
    assert fake_upstream.count(ABOUT) == upstream.max_attempts


def test_connection_reset_is_transient(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "reset")

    assert get(upstream, fake_upstream).status == 200
    assert fake_upstream.count(ABOUT) == 2


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("private", "private"), ("banned", "banned"), ("not_found", "not_found"), ("challenge", "challenge")],
)
def test_permanent_answers_are_never_retried(fake_upstream, upstream, kind, reason):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, kind, times=5)

    with pytest.raises(PermanentError) as caught:
        get(upstream, fake_upstream)

    assert caught.value.reason == reason
    assert fake_upstream.count(ABOUT) == 1


def test_instagram_please_wait_is_transient(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "please_wait")

    assert get(upstream, fake_upstream).status == 200
    assert fake_upstream.count(ABOUT) == 2


def test_breaker_opens_for_every_worker_and_recovers(fake_upstream, upstream):
    # Given an upstream that keeps failing
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "server_error", times=upstream.breaker_fail_max)
    one_shot = dataclasses.replace(upstream, max_attempts=1)

    # When failures reach fail_max, the breaker opens
    for _ in range(upstream.breaker_fail_max):
        with pytest.raises(TransientError) as caught:
            get(one_shot, fake_upstream)
        assert caught.value.status == 500
    assert http.get_breaker(one_shot).current_state == "open"
    sent = fake_upstream.count(ABOUT)
    assert sent == upstream.breaker_fail_max

    # Then another worker (a breaker object built from the shared Redis state) fails fast too
    transport.forget_breaker(one_shot.name)
    stats = http.CallStats()
    with pytest.raises(CircuitOpenError):
        get(one_shot, fake_upstream, stats=stats)
    assert fake_upstream.count(ABOUT) == sent
    assert stats.api_calls == 0

    # And after reset_timeout one trial call goes through and closes it again
    time.sleep(upstream.breaker_reset_timeout + 1.1)
    assert get(one_shot, fake_upstream).status == 200
    assert http.get_breaker(one_shot).current_state == "closed"
    assert get(one_shot, fake_upstream).status == 200


def test_permanent_errors_do_not_trip_the_breaker(fake_upstream, upstream):
    fake_upstream.fault(ABOUT, "not_found", times=10)

    for _ in range(upstream.breaker_fail_max + 2):
        with pytest.raises(PermanentError):
            get(upstream, fake_upstream)

    assert http.get_breaker(upstream).current_state == "closed"


def test_proxies_are_rotated_per_request(upstream):
    # Two fake upstreams act as HTTP proxies: requests sends them the absolute URL.
    proxies = [FakeUpstream().start(), FakeUpstream().start()]
    try:
        for proxy in proxies:
            proxy.serve(ABOUT, ABOUT_FIXTURE)
        rotating = dataclasses.replace(upstream, proxies=tuple(p.url for p in proxies))

        for _ in range(4):
            http.request(rotating, "GET", "http://reddit.invalid" + ABOUT)

        assert [p.count(ABOUT) for p in proxies] == [2, 2]
    finally:
        for proxy in proxies:
            proxy.stop()


def test_budget_exhausted_beyond_max_wait_raises_without_calling(fake_upstream, upstream):
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    slow = dataclasses.replace(upstream, requests_per_minute=1, max_wait=1.0)

    get(slow, fake_upstream)
    with pytest.raises(http.RateLimitExceeded) as caught:
        get(slow, fake_upstream)

    assert caught.value.retry_after > 50
    assert fake_upstream.count(ABOUT) == 1


def _worker(upstream: http.Upstream, url: str, calls: int, start_at: float) -> None:
    # Both processes start together so they compete for the bucket at the same moment.
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(calls):
        http.request(upstream, "GET", url)


def test_rate_limit_is_shared_by_two_worker_processes(fake_upstream, redis_url):
    # 120/min = 2 requests/s with a burst of 6: twelve requests from two processes need at least
    # (12 - 6) / 2 = 3 s. Two per-process buckets would each let their six through at once.
    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    shared = http.Upstream(name=f"test-{uuid.uuid4().hex[:10]}", requests_per_minute=120, redis_url=redis_url)
    assert shared.burst == 6
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 4.0  # spawn start-up on a loaded machine takes seconds
    workers = [context.Process(target=_worker, args=(shared, fake_upstream.url + ABOUT, 6, start_at)) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
            assert worker.exitcode == 0
    finally:
        http.reset_state(shared)

    times = sorted(hit.at for hit in fake_upstream.hits)
    assert len(times) == 12
    assert times[-1] - times[0] >= 3.0 - 0.3
    # In no one-second window did the upstream see more than burst + rate requests.
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 6 + 2


@pytest.mark.django_db
def test_every_attempt_is_counted_for_the_monitor(fake_upstream, upstream):
    from monitoring import metrics, store

    fake_upstream.serve(ABOUT, ABOUT_FIXTURE)
    fake_upstream.fault(ABOUT, "server_error")
    before = metrics.API_CALLS.totals()

    get(upstream, fake_upstream)
    store.flush()

    after = metrics.API_CALLS.totals()
    assert after.get((upstream.name, "500"), 0) - before.get((upstream.name, "500"), 0) == 1
    assert after.get((upstream.name, "200"), 0) - before.get((upstream.name, "200"), 0) == 1
