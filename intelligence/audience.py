"""Audience estimates from public data, and the audience credibility score built on them.

Everything here is an **estimate** and is labelled so wherever it is shown. Inputs:

* the comments we collect (``CommentSentiment``: text, author, time, and the language analyzer's
  code for each comment, written by ``intelligence/comments.py``): audience languages, commenter
  reach and comment authenticity;
* the profile's snapshots and posts: follower-growth anomalies and the follower/engagement mismatch.

Credibility (0-100) = 100 × Σ wᵢ·sᵢ / Σ wᵢ over the inputs that could be measured, each sᵢ in 0..1
(1 = looks organic). ``INPUTS`` lists every input with its weight and how its score is derived; the
profile page prints that list next to the figure. With fewer than ``MIN_INPUTS`` measurable inputs
there is no score (unknown, not 50).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db.models import F
from django.utils import timezone

from posts.models import CommentSentiment, Post
from profiles.audience import Demographics, InvalidDemographics, shares, store_demographics
from profiles.benchmarks import tier
from profiles.models import AudienceSegment, AudienceSource, Profile, ProfileSnapshot

# Enough comments for shares to mean something; below this the comment-based inputs are unknown.
MIN_COMMENTS = 20
MIN_INPUTS = 2
MAX_COMMENTS = 5000
# A comment within this long after the post went up counts towards a burst.
BURST_WINDOW = timedelta(minutes=10)
# A "pod": commenters present under at least this share of the posts (4 posts or more) ...
POD_PRESENCE = 0.75
# ... who are a small group (engagement pods are tens of accounts, not a fan base).
POD_MAX_SIZE = 30
# Growth anomaly: one interval's daily gain above both floors (profiles/growth.py's spike rule) with
# no viral post from 3 days before it to its end.
ANOMALY_MIN_DAILY_PCT = 2.0
ANOMALY_FACTOR = 3.0
ANOMALY_WINDOW = timedelta(days=180)
VIRAL_FACTOR = 3.0  # a post with ≥ 3× the median likes explains a jump
# Typical Instagram engagement (mean (likes+comments)/followers, %) per follower tier: published
# 2024 benchmarks (HypeAuditor, Influencer Marketing Hub) agree within half a point.
EXPECTED_ENGAGEMENT = {"nano": 4.0, "micro": 2.4, "mid": 1.6, "macro": 1.2, "mega": 0.9}

GENERIC_PHRASES = frozenset(
    """nice|great|wow|cool|love it|love this|amazing|awesome|beautiful|perfect|super|so cute|cute|
    great post|nice post|nice pic|nice shot|great content|good|fire|lovely|gorgeous|stunning|
    great pic|wonderful|love|so good|yes|omg|lit|dope|great job|well done|keep it up|
    check dm|dm me|follow me|follow back|nice feed|great feed|nice one|so nice|very nice|
    awesome post|great shot|love your content|love your feed|nice content|good job""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)


@dataclass(frozen=True)
class Input:
    key: str
    label: str
    weight: float
    rule: str


INPUTS = (
    Input("generic_share", "Generic or emoji-only comments", 0.20, "1 − clamp((share − 0.20) / 0.50)"),
    Input("duplicate_share", "Same text under several posts", 0.10, "1 − clamp(share / 0.30)"),
    Input("burst_share", "Comments within 10 min of posting", 0.10, "1 − clamp((share − 0.40) / 0.50)"),
    Input(
        "pod_share", "Comments from a small group present on ≥ 75 % of posts", 0.15, "1 − clamp((share − 0.20) / 0.50)"
    ),
    Input("growth_anomalies", "Follower jumps without a viral post (180 days)", 0.20, "1 − clamp(jumps / 2)"),
    Input("engagement_ratio", "Engagement rate ÷ typical for the follower tier", 0.25, "clamp(ratio / 0.5)"),
)
FORMULA = "credibility = 100 × Σ wᵢ·sᵢ / Σ wᵢ over the measured inputs (sᵢ: 1 = organic, 0 = suspicious)"


def clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


SCORERS = {
    "generic_share": lambda v: 1 - clamp((v - 0.20) / 0.50),
    "duplicate_share": lambda v: 1 - clamp(v / 0.30),
    "burst_share": lambda v: 1 - clamp((v - 0.40) / 0.50),
    "pod_share": lambda v: 1 - clamp((v - 0.20) / 0.50),
    "growth_anomalies": lambda v: 1 - clamp(v / 2),
    "engagement_ratio": lambda v: clamp(v / 0.5),
}

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def normalise(text: str) -> str:
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def is_emoji_only(text: str) -> bool:
    """No letter or digit at all: emoji, punctuation, @mentions stripped."""
    stripped = re.sub(r"@\w+", "", text)
    return bool(text.strip()) and not any(unicodedata.category(ch)[0] in "LN" for ch in stripped)


def is_generic(text: str) -> bool:
    if is_emoji_only(text):
        return True
    words = normalise(re.sub(r"@\w+", "", text))
    return words in GENERIC_PHRASES


@dataclass
class CommentRow:
    post_id: int
    author: str
    text: str
    language: str
    posted_at: object
    post_posted_at: object


def comment_inputs(rows: list[CommentRow], posts: int) -> dict:
    """Languages, commenter reach and authenticity shares of one creator's comments."""
    languages = Counter(r.language for r in rows if r.language)
    by_post: dict[int, set[str]] = defaultdict(set)
    posts_per_author: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        if r.author:
            by_post[r.post_id].add(r.author.lower())
            posts_per_author[r.author.lower()].add(r.post_id)
    distinct = len(posts_per_author)
    repeat = sum(1 for ids in posts_per_author.values() if len(ids) > 1)
    reach = {
        "distinct_commenters": distinct,
        "per_post": round(sum(len(a) for a in by_post.values()) / len(by_post), 1) if by_post else None,
        "repeat_share": round(repeat / distinct, 3) if distinct else None,
    }
    result: dict = {"languages": dict(languages), "commenter_reach": reach, "values": {}}
    if len(rows) < MIN_COMMENTS:
        return result
    generic = [is_generic(r.text) for r in rows]
    texts_posts: dict[str, set[int]] = defaultdict(set)
    for r, gen in zip(rows, generic, strict=True):
        if not gen and len(normalise(r.text)) >= 8:
            texts_posts[normalise(r.text)].add(r.post_id)
    duplicates = sum(
        1 for r, gen in zip(rows, generic, strict=True) if not gen and len(texts_posts.get(normalise(r.text), ())) > 1
    )
    timed = [r for r in rows if r.posted_at and r.post_posted_at]
    bursts = sum(1 for r in timed if timedelta(0) <= r.posted_at - r.post_posted_at <= BURST_WINDOW)
    values = {"generic_share": sum(generic) / len(rows), "duplicate_share": duplicates / len(rows)}
    if timed:
        values["burst_share"] = bursts / len(timed)
    commented_posts = len(by_post)
    pod_size = 0
    if commented_posts >= 4:
        core = {a for a, ids in posts_per_author.items() if len(ids) >= POD_PRESENCE * commented_posts}
        pod_size = len(core)
        if core and len(core) <= POD_MAX_SIZE:
            values["pod_share"] = sum(1 for r in rows if r.author.lower() in core) / len(rows)
        else:
            values["pod_share"] = 0.0
    result["values"] = values
    result["pod_size"] = pod_size
    return result


def growth_anomalies(profile: Profile, now=None) -> list[str]:
    """Dates of follower jumps (daily gain > 2 % and > 3× the usual) with no viral post behind them."""
    now = now or timezone.now()
    series = list(
        ProfileSnapshot.objects.filter(
            profile=profile, captured_at__gte=now - ANOMALY_WINDOW, followers_count__isnull=False
        )
        .order_by("captured_at")
        .values_list("captured_at", "followers_count")
    )
    rates = []
    for (a_at, a), (b_at, b) in zip(series, series[1:], strict=False):
        days = (b_at - a_at).total_seconds() / 86400
        if days > 0 and a:
            rates.append((a_at, b_at, (b - a) / a * 100.0 / max(days, 1.0)))
    if len(rates) < 3:
        return []
    usual = max(median(rate for *_, rate in rates), 0.0)
    posts = list(
        Post.objects.filter(author=profile, posted_at__gte=now - ANOMALY_WINDOW - timedelta(days=7))
        .exclude(likes_count__isnull=True)
        .values_list("posted_at", "likes_count", "is_viral")
    )
    typical = median([likes for _, likes, _ in posts]) if posts else 0
    viral_at = [at for at, likes, viral in posts if viral or (typical and likes >= VIRAL_FACTOR * typical)]
    jumps = []
    for a_at, b_at, rate in rates:
        jumped = rate > ANOMALY_MIN_DAILY_PCT and rate > ANOMALY_FACTOR * usual
        if jumped and not any(a_at - timedelta(days=3) <= at <= b_at for at in viral_at):
            jumps.append(b_at.date().isoformat())
    return jumps


def engagement_ratio(profile: Profile) -> tuple[float | None, float | None, str | None]:
    """(ratio, expected %, tier) of the creator's engagement against the tier's typical engagement."""
    group = tier(profile.followers_count)
    if profile.platform != "instagram" or profile.engagement_rate is None or group is None:
        return None, None, group
    expected = EXPECTED_ENGAGEMENT[group]
    return profile.engagement_rate / expected, expected, group


def _display(key: str, value: float) -> str:
    if key == "growth_anomalies":
        return f"{int(value)} jump{'s' if value != 1 else ''}"
    if key == "engagement_ratio":
        return f"{value:.2f}×"
    return f"{value * 100:.0f} %"


def credibility(values: dict[str, float]) -> tuple[float | None, list[dict]]:
    inputs = []
    total = weight = 0.0
    for spec in INPUTS:
        value = values.get(spec.key)
        entry = {"key": spec.key, "label": spec.label, "weight": spec.weight, "rule": spec.rule}
        if value is None:
            entry.update(value=None, display="not measured", score=None)
        else:
            score = SCORERS[spec.key](value)
            entry.update(value=round(value, 4), display=_display(spec.key, value), score=round(score, 3))
            total += spec.weight * score
            weight += spec.weight
        inputs.append(entry)
    measured = sum(1 for e in inputs if e["score"] is not None)
    if measured < MIN_INPUTS or not weight:
        return None, inputs
    return round(100 * total / weight, 1), inputs


def _comment_rows(profile: Profile) -> list[CommentRow]:
    rows = (
        CommentSentiment.objects.filter(post__author=profile)
        .order_by("-post__posted_at", "-id")
        .values_list("post_id", "author_handle", "text", "language", "posted_at", "post__posted_at")[:MAX_COMMENTS]
    )
    return [CommentRow(*row) for row in rows]


def estimate_profile(profile_id: int) -> dict | None:
    """Compute and store one creator's estimates and credibility; None when the profile is gone."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        return None
    now = timezone.now()
    rows = _comment_rows(profile)
    comments = comment_inputs(rows, profile.posts.count())
    values = dict(comments["values"])
    jumps = growth_anomalies(profile, now)
    has_history = ProfileSnapshot.objects.filter(profile=profile, followers_count__isnull=False).count() >= 4
    if has_history:
        values["growth_anomalies"] = float(len(jumps))
    ratio, expected, group = engagement_ratio(profile)
    if ratio is not None:
        values["engagement_ratio"] = ratio
    score, inputs = credibility(values)
    languages = shares(comments["languages"])
    sample = {
        "comments": len(rows),
        "with_language": sum(comments["languages"].values()),
        "commenters": comments["commenter_reach"]["distinct_commenters"],
        "posts": len({r.post_id for r in rows}),
    }
    parts = {
        "formula": FORMULA,
        "inputs": inputs,
        "sample": sample,
        "commenter_reach": comments["commenter_reach"],
        "authenticity": {k: round(v, 4) for k, v in comments["values"].items()}
        | {"pod_size": comments.get("pod_size", 0)},
        "growth_anomaly_dates": jumps,
        "engagement": {"rate": profile.engagement_rate, "expected": expected, "tier": group},
    }
    if languages:
        # A refusal is logged with its reason; the credibility below still stands on its own inputs.
        with contextlib.suppress(InvalidDemographics):
            store_demographics(
                profile,
                Demographics(
                    source=AudienceSource.COMMENT_ESTIMATE,
                    segment=AudienceSegment.COMMENTERS,
                    captured_on=timezone.localdate(),
                    languages=languages,
                    sample_size=sample["with_language"],
                ),
            )
    Profile.objects.filter(pk=profile.pk).update(
        audience_credibility=score, audience_credibility_parts=parts, audience_estimated_at=now, updated_at=now
    )
    return {"score": score, **parts}


def estimate_all(batch: int = 500) -> int:
    """Nightly: every creator, Instagram and Reddit, not estimated in the last 20 hours (``batch`` per call)."""
    stale = timezone.now() - timedelta(hours=20)
    ids = list(
        Profile.objects.exclude(audience_estimated_at__gte=stale)
        .order_by(F("audience_estimated_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        estimate_profile(pk)
    return len(ids)
