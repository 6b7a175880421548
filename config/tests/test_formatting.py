"""The one set of number formatters used by pages, admin and exports (config/formatting.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from config import formatting as f


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        ("", "—"),
        (0, "0"),
        (999, "999"),
        (1234, "1.2k"),
        (1_000_000, "1M"),
        (1_234_567, "1.2M"),
        (2_500_000_000, "2.5B"),
        (3.25, "3.2"),
    ],
)
def test_compact(value, expected):
    assert f.compact(value) == expected


def test_percentages_fractions_and_changes():
    assert f.pct(3.2705710334399503) == "3.3 %"
    assert f.pct(None) == "—"
    assert f.share(0.123) == "12 %"
    assert f.signed_pct(4.26) == "+4.3 %"
    assert f.signed_pct(-1) == "−1.0 %"
    assert f.number(3.0734282916293796, 1) == "3.1"
    assert f.number(12345) == "12,345"
    assert f.ratio(3.0734282916293796, 1, "posts/day") == "3.1 posts/day"


def test_money_and_counted_nouns():
    assert f.money(Decimal("1500.00"), "USD") == "1,500 USD"
    assert f.money(12.5, "EUR") == "12.50 EUR"
    assert f.money(None, "USD") == "—"
    assert f.counted(1, "comment") == "1 comment"
    assert f.counted(2, "comment") == "2 comments"
    assert f.counted(1234, "post") == "1.2k posts"
    assert f.counted(None, "follower") == "— followers"
    assert f.counted(1, "reply,replies") == "1 reply"


def test_relative_dates_and_language_names():
    now = timezone.now()
    # Django's timesince keeps number and unit together with a no-break space.
    assert f.relative(now - timedelta(days=3, hours=2), now) == "3\xa0days ago"
    assert f.relative(now + timedelta(hours=2, minutes=5), now) == "in 2\xa0hours"
    assert f.relative(now, now) == "just now"
    assert f.relative(None) == "—"
    assert f.language_name("es") == "Spanish"
    assert f.language_name("xx") == "XX"


def test_template_filters_are_the_same_functions():
    html = Template(
        "{% load creatorscope %}{{ a|compact }} {{ b|pct }} {{ c|counted:'comment' }} {{ d|money:'USD' }}"
    ).render(Context({"a": 1_234_567, "b": 3.27, "c": 1, "d": 1500}))
    assert html == "1.2M 3.3 % 1 comment 1,500 USD"
