"""config.http against a real HTTP server on loopback: retry policy, error pair, Retry-After, breakers."""

from __future__ import annotations

import email.utils
import threading
import time
import uuid

import pybreaker
import pytest

from config import http
from config.tests.loopback import Scripted


def policy(server: Scripted, **overrides) -> http.Retrying:
    options = {"attempts": 3, "backoff_base": 1.0, "backoff_cap": 8.0, "max_wait": 30.0, "sleep": server.sleeps.append}
    return http.retrying(**{**options, **overrides})


def test_503_is_retried_with_backoff_then_200_returned(scripted):
    server = scripted(503, 200)

    assert policy(server)(server.get) == 200

    assert server.hits == 2
    # Full jitter on the first retry: somewhere in [0, backoff_base].
    assert len(server.sleeps) == 1 and 0 <= server.sleeps[0] <= 1.0


def test_retry_after_from_the_server_is_the_wait(scripted):
    server = scripted(503, 503, 200, retry_after="1.5")

    assert policy(server)(server.get) == 200

    assert server.sleeps == [1.5, 1.5]


def test_404_is_permanent_and_not_retried(scripted):
    server = scripted(404, 200)

    with pytest.raises(http.PermanentError) as caught:
        policy(server)(server.get)

    assert caught.value.status == 404 and caught.value.permanent
    assert server.hits == 1 and server.sleeps == []


def test_transient_errors_give_up_after_the_attempts(scripted):
    server = scripted(502)

    with pytest.raises(http.TransientError) as caught:
        policy(server)(server.get)

    assert caught.value.status == 502 and not caught.value.permanent
    assert server.hits == 3 and len(server.sleeps) == 2


def test_retry_after_beyond_max_wait_is_handed_back_at_once(scripted):
    server = scripted(503, 200, retry_after="120")

    with pytest.raises(http.TransientError) as caught:
        policy(server)(server.get)

    assert caught.value.retry_after == 120
    assert server.hits == 1


def test_connection_refused_is_transient():
    with pytest.raises(http.TransientError) as caught:
        http.send("GET", "http://127.0.0.1:9/", timeout=(0.5, 0.5))
    assert caught.value.reason == "connection_error"


def test_retry_after_with_decimals_is_seconds():
    # scraping read "1.5" as 1.5 s and media as "not a delay"; one reading now.
    assert http.parse_retry_after("1.5") == 1.5
    assert http.parse_retry_after(" 120 ") == 120.0


def test_retry_after_as_http_date_is_the_time_until_then():
    in_ten_seconds = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8.0 <= http.parse_retry_after(in_ten_seconds) <= 10.0
    assert http.parse_retry_after(email.utils.formatdate(time.time() - 60, usegmt=True)) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "nan", "inf"])
def test_retry_after_that_is_not_a_delay_is_ignored(value):
    assert http.parse_retry_after(value) is None


def test_breaker_registry_returns_one_breaker_per_name_and_refuses_when_open():
    name = f"test-{uuid.uuid4().hex[:10]}"
    guard = http.breaker(name, fail_max=1, reset_timeout=60)
    assert http.breaker(name, fail_max=99, reset_timeout=1) is guard

    def fail():
        raise http.TransientError("down", upstream=name)

    with pytest.raises(http.TransientError):
        http.call_guarded(guard, fail)
    assert guard.current_state == pybreaker.STATE_OPEN
    with pytest.raises(http.CircuitOpenError) as caught:
        http.call_guarded(guard, fail)
    assert caught.value.retry_after == 60
    http.reset_breaker(name)


def test_guarded_calls_of_one_breaker_run_side_by_side():
    # A threads-pool worker's requests to one upstream must not queue behind the breaker's lock.
    name = f"test-{uuid.uuid4().hex[:10]}"
    guard = http.breaker(name, fail_max=3, reset_timeout=60)
    threads = [threading.Thread(target=http.call_guarded, args=(guard, time.sleep, 0.5)) for _ in range(4)]

    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert time.monotonic() - started < 1.5  # one after another would take 2 s
    assert guard.current_state == pybreaker.STATE_CLOSED and guard.fail_counter == 0
    http.reset_breaker(name)
