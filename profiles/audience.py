"""Audience demographics: validated writes, the search index rows, and the one read every view uses.

``store_demographics`` is the only writer of ``AudienceDemographics``: it refuses (with a logged
reason, raising ``InvalidDemographics``) shares that do not sum to 1 and country codes that are not
ISO 3166-1 alpha-2, and writes the row plus the ``AudienceShare`` search rows in one transaction, so
nothing is half-written. ``audience_block`` is what the report API, the profile page and the export
show: for every figure its source, its date and, for estimates, the sample size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from babel import Locale
from django.db import transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from profiles.models import (
    AudienceDemographics,
    AudienceSegment,
    AudienceShare,
    AudienceSource,
    InstagramConnection,
    Profile,
)

logger = logging.getLogger(__name__)

# Meta rounds each bucket; shares we compute from its counts sum to 1 within float error, and a
# provider's rounded percentages within half a point per bucket. More than this is a broken answer.
SUM_TOLERANCE = 0.02
# Babel's territory list holds ISO 3166-1 alpha-2 codes plus UN regions ("150") and placeholders.
_NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO"}
# The shares a search filter can find: buckets below this are noise in a top-45 list.
MIN_INDEXED_SHARE = 0.005


class InvalidDemographics(ValueError):
    """Upstream demographics we will not store; the message is the logged reason."""


@cache
def country_codes() -> frozenset[str]:
    return frozenset(
        code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def country_name(code: str) -> str:
    return Locale("en").territories.get(code, code)


def language_name(code: str) -> str:
    return Locale("en").languages.get(code, code)


@dataclass
class Demographics:
    """One day's audience of one segment, as shares (0..1) per bucket."""

    source: str
    segment: str
    captured_on: date
    countries: dict[str, float] = field(default_factory=dict)
    cities: dict[str, float] = field(default_factory=dict)
    genders: dict[str, float] = field(default_factory=dict)
    ages: dict[str, float] = field(default_factory=dict)
    age_genders: dict[str, dict[str, float]] = field(default_factory=dict)
    languages: dict[str, float] = field(default_factory=dict)
    reach: int | None = None
    profile_views: int | None = None
    sample_size: int | None = None


def shares(counts: dict[str, float]) -> dict[str, float]:
    """Counts per bucket → shares summing to 1 (empty stays empty)."""
    total = sum(counts.values())
    return {key: value / total for key, value in counts.items()} if total > 0 else {}


def _check_distribution(name: str, values: dict[str, float]) -> None:
    if not values:
        return
    if any(not isinstance(v, int | float) or v < 0 or v > 1 for v in values.values()):
        raise InvalidDemographics(f"{name}: shares must be numbers between 0 and 1")
    total = sum(values.values())
    if abs(total - 1) > SUM_TOLERANCE:
        raise InvalidDemographics(f"{name}: shares sum to {total:.3f}, not 1")


def validate(data: Demographics) -> None:
    """Raise ``InvalidDemographics`` with the first reason the data cannot be stored."""
    unknown = sorted(code for code in data.countries if code not in country_codes())
    if unknown:
        raise InvalidDemographics(f"countries: unknown country codes {', '.join(unknown[:5])}")
    for name in ("countries", "cities", "genders", "ages", "languages"):
        _check_distribution(name, getattr(data, name))
    if data.age_genders:
        flat = {f"{age}/{g}": v for age, by_gender in data.age_genders.items() for g, v in by_gender.items()}
        _check_distribution("age_genders", flat)


def store_demographics(profile: Profile, data: Demographics) -> AudienceDemographics:
    """Validate, then write the day's row (replacing the same day's) and the search rows, atomically."""
    try:
        validate(data)
    except InvalidDemographics as exc:
        logger.warning("audience of %s (%s/%s) refused: %s", profile, data.source, data.segment, exc)
        raise
    values = {
        name: getattr(data, name)
        for name in (
            "countries",
            "cities",
            "genders",
            "ages",
            "age_genders",
            "languages",
            "reach",
            "profile_views",
            "sample_size",
        )
    }
    with transaction.atomic():
        row, _ = AudienceDemographics.objects.update_or_create(
            profile=profile,
            source=data.source,
            segment=data.segment,
            captured_on=data.captured_on,
            defaults=values,
        )
        reindex_shares(profile)
        touch(profile.pk)
    return row


def touch(*profile_ids: int) -> None:
    """Bump ``updated_at`` (update() skips auto_now) so cached reports of these profiles go stale."""
    Profile.objects.filter(pk__in=profile_ids).update(updated_at=timezone.now())


def latest(profile: Profile, source: str, segment: str) -> AudienceDemographics | None:
    return (
        AudienceDemographics.objects.filter(profile=profile, source=source, segment=segment)
        .order_by("-captured_on", "-id")
        .first()
    )


def reindex_shares(profile: Profile) -> None:
    """Rebuild the profile's ``AudienceShare`` rows from its best current data.

    Countries: the verified follower demographics when the creator connected, else none (comments
    do not tell where people live). Languages: the commenters' languages (the analyzer's estimate).
    """
    rows: list[AudienceShare] = []
    verified = latest(profile, AudienceSource.GRAPH_INSIGHTS, AudienceSegment.FOLLOWERS)
    if verified is not None:
        rows += [
            AudienceShare(profile=profile, dimension="country", code=code, share=share, source=verified.source)
            for code, share in verified.countries.items()
            if share >= MIN_INDEXED_SHARE
        ]
    estimate = latest(profile, AudienceSource.COMMENT_ESTIMATE, AudienceSegment.COMMENTERS)
    if estimate is not None:
        rows += [
            AudienceShare(profile=profile, dimension="language", code=code, share=share, source=estimate.source)
            for code, share in estimate.languages.items()
            if share >= MIN_INDEXED_SHARE
        ]
    with transaction.atomic():
        AudienceShare.objects.filter(profile=profile).delete()
        AudienceShare.objects.bulk_create(rows)


def _top(values: dict[str, float], limit: int | None = None) -> list[tuple[str, float]]:
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return ordered[:limit] if limit else ordered


def _verified(row: AudienceDemographics | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "countries": row.countries,
        "cities": row.cities,
        "genders": row.genders,
        "ages": row.ages,
        "age_genders": row.age_genders,
        "reach": row.reach,
        "profile_views": row.profile_views,
        "as_of": row.captured_on,
    }


SHOWN = (
    (AudienceSource.GRAPH_INSIGHTS, AudienceSegment.FOLLOWERS),
    (AudienceSource.GRAPH_INSIGHTS, AudienceSegment.ENGAGED),
    (AudienceSource.COMMENT_ESTIMATE, AudienceSegment.COMMENTERS),
)


def _latest_rows(profile: Profile) -> dict[tuple[str, str], AudienceDemographics]:
    """The newest row of each shown (source, segment), in one query whatever the history's length."""
    newest = Q()
    for source, segment in SHOWN:
        newest |= Q(
            pk=Subquery(
                AudienceDemographics.objects.filter(profile=profile, source=source, segment=segment)
                .order_by("-captured_on", "-id")
                .values("pk")[:1]
            )
        )
    return {(row.source, row.segment): row for row in AudienceDemographics.objects.filter(newest)}


def audience_block(profile: Profile) -> dict[str, Any] | None:
    """The report's ``audience`` block: verified insights, estimates, credibility, benchmarks, connection."""
    rows = _latest_rows(profile)
    followers, engaged, estimate = (rows.get(key) for key in SHOWN)
    parts = profile.audience_credibility_parts or {}
    connection = InstagramConnection.objects.filter(profile=profile).first()
    if not (followers or engaged or estimate or parts or profile.benchmarks or connection):
        return None
    verified = None
    if followers or engaged:
        verified = {
            "source": AudienceSource.GRAPH_INSIGHTS.value,
            "label": "verified",
            "as_of": (followers or engaged).captured_on,
            "followers": _verified(followers),
            "engaged": _verified(engaged),
        }
    estimates = None
    if estimate is not None or parts:
        estimates = {
            "source": AudienceSource.COMMENT_ESTIMATE.value,
            "label": "estimate",
            "as_of": estimate.captured_on if estimate else profile.audience_estimated_at,
            "sample_size": parts.get("sample", {"comments": estimate.sample_size if estimate else 0}),
            "languages": estimate.languages if estimate else {},
            "commenter_reach": parts.get("commenter_reach"),
            "authenticity": parts.get("authenticity"),
        }
    credibility = None
    if profile.audience_credibility is not None:
        credibility = {
            "score": round(profile.audience_credibility, 1),
            "label": "estimate",
            "as_of": profile.audience_estimated_at,
            "formula": parts.get("formula", ""),
            "inputs": parts.get("inputs", []),
        }
    return {
        "verified": verified,
        "estimates": estimates,
        "credibility": credibility,
        "benchmarks": profile.benchmarks or None,
        "connection": {
            "status": connection.status,
            "login": connection.login,
            "reason": connection.status_reason,
            "last_synced_at": connection.last_synced_at,
        }
        if connection
        else None,
    }


def top_countries(block: dict[str, Any] | None, limit: int = 3) -> list[tuple[str, float]]:
    followers = ((block or {}).get("verified") or {}).get("followers") or {}
    return _top(followers.get("countries") or {}, limit)


def top_languages(block: dict[str, Any] | None, limit: int = 3) -> list[tuple[str, float]]:
    return _top(((block or {}).get("estimates") or {}).get("languages") or {}, limit)


AGE_ORDER = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDER_NAMES = {"F": "Women", "M": "Men", "U": "Unknown"}
BENCHMARK_VALUES = {
    "engagement_rate": ("engagement_rate", "{:.2f} %"),
    "follower_growth_30d": ("follower_growth_30d", "{:+.1f} %"),
    "posts_per_week": ("posts_per_week", "{:.1f} posts/week"),
}


def page_context(profile: Profile) -> dict[str, Any]:
    """The audience section of the profile page: the API block, sorted and named for display."""
    block = audience_block(profile)
    if block is None:
        return {"block": None}
    context: dict[str, Any] = {"block": block}
    verified = block["verified"]
    if verified and verified["followers"]:
        followers = verified["followers"]
        context["countries"] = [(code, country_name(code), share) for code, share in _top(followers["countries"], 10)]
        context["cities"] = _top(followers["cities"], 5)
        context["genders"] = [(GENDER_NAMES.get(g, g), share) for g, share in _top(followers["genders"])]
        joint = followers["age_genders"] or {}
        peak = max((v for by in joint.values() for v in by.values()), default=0) or 1
        context["pyramid"] = [
            {
                "age": age,
                "women": joint[age].get("F", 0),
                "men": joint[age].get("M", 0),
                "unknown": joint[age].get("U", 0),
            }
            for age in sorted(joint, key=lambda a: AGE_ORDER.index(a) if a in AGE_ORDER else 99)
        ]
        context["pyramid_max"] = peak
    if verified and verified["engaged"]:
        context["engaged_countries"] = [
            (country_name(code), share) for code, share in _top(verified["engaged"]["countries"], 5)
        ]
    estimates = block["estimates"]
    if estimates:
        context["languages"] = [
            (code, language_name(code), share) for code, share in _top(estimates["languages"] or {}, 8)
        ]
    benchmarks = block["benchmarks"] or {}
    context["benchmarks"] = [
        {
            "label": entry["label"],
            "value": fmt.format(getattr(profile, field)) if getattr(profile, field) is not None else "—",
            "percentile": entry["percentile"],
            "peers": entry["peers"],
        }
        for key, (field, fmt) in BENCHMARK_VALUES.items()
        if isinstance(entry := benchmarks.get(key), dict)
    ]
    context["peer_group"] = benchmarks.get("peer_group", "")
    return context
