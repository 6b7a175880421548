"""How numbers, shares and dates read to a person: one set of formatters for pages, admin and exports.

Unknown is "—", never 0. Big counts are compact (12,345 → 12.3k, 1,234,567 → 1.2M), percentages
carry one decimal and a thin space before the sign (3.4 %), fractions 0..1 become whole percentages,
money names its currency and dates say how long ago when that is what a reader wants. The template
filters in ``config/templatetags/creatorscope.py`` are these functions; admin columns and the CSV/XLSX
exports meant for people call them directly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf.locale import LANG_INFO
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

UNKNOWN = "—"


def _is_unknown(value) -> bool:
    return value is None or value == ""


def compact(value) -> str:
    """12,345 → 12.3k; 1,234,567 → 1.2M; 999 → 999; None → —."""
    if _is_unknown(value):
        return UNKNOWN
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            return f"{number / limit:.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


def number(value, digits: int = 0) -> str:
    """12345 → 12,345 (whole numbers stay whole); 3.0734 with ``digits=1`` → 3.1; None → —."""
    if _is_unknown(value):
        return UNKNOWN
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{int(digits)}f}"


def pct(value, digits: int = 1) -> str:
    """A value already in percent: 3.2705 → 3.3 %."""
    if _is_unknown(value):
        return UNKNOWN
    return f"{float(value):.{int(digits)}f} %"


def signed_pct(value, digits: int = 1) -> str:
    """A change in percent: 4.25 → +4.3 %; -1 → −1.0 %."""
    if _is_unknown(value):
        return UNKNOWN
    return f"{float(value):+.{int(digits)}f} %".replace("-", "−")


def share(value, digits: int = 0) -> str:
    """A fraction 0..1 as a percentage: 0.123 → 12 %."""
    if _is_unknown(value):
        return UNKNOWN
    return f"{100 * float(value):.{int(digits)}f} %"


def money(value, currency: str = "") -> str:
    """1500 → 1,500 USD; 12.5 → 12.50 USD; None → —."""
    if _is_unknown(value):
        return UNKNOWN
    amount = Decimal(str(value))
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def counted(value, noun: str) -> str:
    """A count with its noun, singular for one: (1, "comment") → 1 comment; (1234, "post") → 1.2k posts.

    ``noun`` may give the plural after a comma ("reply,replies").
    """
    singular, _, plural = noun.partition(",")
    plural = plural or f"{singular}s"
    if _is_unknown(value):
        return f"{UNKNOWN} {plural}"
    return f"{compact(value)} {singular if float(value) == 1 else plural}"


def relative(value, now: datetime | None = None) -> str:
    """How long ago (or until): "3 days ago", "in 2 hours", "just now"; None → —."""
    if _is_unknown(value):
        return UNKNOWN
    now = now or timezone.now()
    if isinstance(value, date) and not isinstance(value, datetime):
        value = timezone.make_aware(datetime(value.year, value.month, value.day))
    seconds = (now - value).total_seconds()
    if abs(seconds) < 60:
        return "just now"
    if seconds > 0:
        return f"{timesince(value, now, depth=1)} ago"
    return f"in {timeuntil(value, now, depth=1)}"


def ratio(value, digits: int = 1, unit: str = "") -> str:
    """A rate with its unit: (3.0734, 1, "posts/day") → 3.1 posts/day."""
    if _is_unknown(value):
        return UNKNOWN
    return f"{number(value, digits)} {unit}".strip()


def language_name(code: str) -> str:
    """An ISO 639-1 code by name: 'es' → 'Spanish'; a code Django does not know stays, upper-cased."""
    if not code:
        return UNKNOWN
    return LANG_INFO.get(code.lower(), {}).get("name", code.upper())
