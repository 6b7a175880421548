"""Shortlists as files for people: the creators of a search, a favorites list or a campaign as CSV or XLSX.

Meant for a spreadsheet a person reads, so every column names its unit ("Engagement rate (%)"), numbers
are rounded the way the pages show them (no 3.2705710334399503) and unknown stays empty, never 0.
The admin's import/export (``profiles/admin/resources.py``) stays the machine-readable, full-precision
round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from profiles.models import Profile

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _round(value, digits: int):
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


# One row per creator: what a client brief asks for, each with its unit.
CREATOR_COLUMNS = [
    Column("Handle", lambda p: p.handle),
    Column("Platform", lambda p: p.get_platform_display()),
    Column("Name", lambda p: p.full_name),
    Column("Profile link", lambda p: p.permalink),
    Column("Followers", lambda p: p.followers_count),
    Column("Karma (Reddit)", lambda p: p.total_karma),
    Column("Engagement rate (%)", lambda p: _round(p.engagement_rate, 2)),
    Column("Follower growth, 30 days (%)", lambda p: _round(p.follower_growth_30d, 1)),
    Column("Posts per week", lambda p: _round(p.posts_per_week, 1)),
    Column("Sponsored posts (%)", lambda p: None if p.sponsored_share is None else round(100 * p.sponsored_share)),
    Column("Content category (AI)", lambda p: p.get_ai_primary_content_type_display()),
    Column("Language (AI)", lambda p: p.ai_primary_language),
    Column("Review status", lambda p: p.get_review_status_display()),
    Column("Last scraped (UTC)", lambda p: p.last_scraped_at and p.last_scraped_at.strftime("%Y-%m-%d %H:%M")),
]


def dataset(rows: Iterable, columns: list[Column], title: str) -> tablib.Dataset:
    data = tablib.Dataset(headers=[column.header for column in columns], title=title[:31])
    for row in rows:
        data.append(["" if (value := column.value(row)) is None else value for column in columns])
    return data


def creators_dataset(profiles: Iterable[Profile], title: str = "Creators") -> tablib.Dataset:
    return dataset(profiles, CREATOR_COLUMNS, title)


def file_response(data: tablib.Dataset, fmt: str, name: str) -> HttpResponse:
    """The dataset as a download named ``<name>-<date>.<fmt>``; ``fmt`` is one of ``FORMATS``."""
    body = data.export(fmt)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    filename = f"{slugify(name) or 'export'}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
