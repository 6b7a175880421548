"""Fixtures for the monitoring tests: clean shared counters, a short push interval, private Redis servers (tests/faults.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitoring import access, collector, store
from tests.faults import PrivateRedis, free_port  # noqa: F401  (free_port: used by the page and process tests)


@pytest.fixture(autouse=True)
def clean_monitoring_store() -> Iterator[None]:
    """Every test starts with no counters (its own Redis db, per team rules) and no memoised snapshot."""
    store.flush()
    store.delete_all()
    collector.forget_snapshot()
    access._verdicts.clear()
    yield
    store.flush()
    store.delete_all()
    collector.forget_snapshot()


@pytest.fixture
def fast_push(settings) -> float:
    settings.MONITORING_PUSH_INTERVAL = 0.2
    return 0.2


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of our own on a spare port, so a test may stop it (never the shared 6379)."""
    with PrivateRedis() as server:
        yield server
