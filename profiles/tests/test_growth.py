"""Growth from snapshots: windows, unknown when history is short, spike detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from profiles import growth
from tests.factories import ProfileFactory, ProfileSnapshotFactory

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def daily(values: list[int]) -> list[tuple[datetime, int]]:
    return [(T0 + timedelta(days=i), v) for i, v in enumerate(values)]


def test_growth_compares_with_the_newest_point_at_least_n_days_older():
    series = daily([1000 + 10 * i for i in range(31)])  # 31 days: 1000 → 1300

    assert growth.growth_pct(series, 7) == pytest.approx((1300 - 1230) / 1230 * 100)
    assert growth.growth_pct(series, 30) == pytest.approx(30.0)
    assert growth.growth_pct(series, 90) is None  # a month of history says nothing about 90 days


def test_smooth_growth_is_not_a_spike_but_a_jump_is():
    smooth = daily([10_000 + 50 * i for i in range(40)])
    jump = daily([10_000 + 50 * i for i in range(39)] + [14_000])

    assert growth.has_spike(smooth) is False
    assert growth.has_spike(jump) is True


@pytest.mark.django_db
def test_profile_growth_reads_the_snapshots():
    profile = ProfileFactory(followers_count=1200)
    for days_ago, followers in [(40, 1000), (10, 1100), (0, 1200)]:
        ProfileSnapshotFactory(profile=profile, captured_at=T0 - timedelta(days=days_ago), followers_count=followers)

    values = growth.profile_growth(profile)

    assert values["follower_growth_7d"] == pytest.approx(100 / 1100 * 100)
    assert values["follower_growth_30d"] == pytest.approx(20.0)
    assert values["follower_growth_90d"] is None
