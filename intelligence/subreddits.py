"""Who may post in a subreddit, and what an analyst would likely decide about it (issue 21).

``assess(community_id)`` runs after each subreddit ingest (``intelligence.tasks.assess_communities``):

1. **Stated** requirements from the rules and sidebar (``intelligence/requirements.py``), each with
   the rule it came from; Reddit's own ``post_requirements`` answer (stored by the scrape) adds
   flair-required and title rules with source "reddit".
2. **Observed** lower bounds per period (30 and 90 days): among posts that stayed up — still
   listed a day or more after they were posted (Reddit drops removed posts from public
   listings) — the lowest author karma and the youngest author account at posting time. Karma is
   the author's karma now, which is at least what it was when they posted: an author below a
   stated karma minimum now was below it then too, so the post disproves the rule.
3. **Contradictions**: a stated minimum that an observed lower bound undercuts.
4. A **review suggestion** for an unreviewed subreddit (ok / no seller / non related / user
   feed) with its confidence and the signals behind it. An existing row for the same suggestion
   is only refreshed while pending: an accepted or rejected one is never made again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from intelligence import requirements
from posts.models import Post
from profiles.models import (
    Community,
    CommunityRequirements,
    CommunityReviewStatus,
    CommunityReviewSuggestion,
    Decision,
)

PERIODS = (30, 90)
# A post still listed this long after it was posted survived AutoModerator and the mod queue.
STAYED_UP = timedelta(days=1)
SUGGESTION_VERSION = "review-rules-1"
# Words in a sidebar or rules that say "creators promote here" (B9's target subreddits).
_CREATOR_WORDS = (
    "onlyfans",
    "creator",
    "creators",
    "selfie",
    "model",
    "models",
    "verified",
    "verification",
    "content",
    "fansly",
    "promote",
    "promotion",
    "nsfw",
    "18+",
)


def assess(community_id: int, now=None, classifier=None) -> CommunityRequirements | None:
    """Recompute one subreddit's requirements, evidence, observations and review suggestion.

    ``classifier``: the AI pass of the extraction (``intelligence.conf.requirement_classifier``),
    which the worker task passes; without it the parser answers alone."""
    now = now or timezone.now()
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return None
    extraction = requirements.extract(
        community.rules or [], community.description or community.public_description, classifier
    )
    with transaction.atomic():
        row, _ = CommunityRequirements.objects.select_for_update().get_or_create(community=community)
        values = dict(extraction.values)
        evidence = [e.as_dict() for e in extraction.evidence]
        _add_reddit(values, evidence, row.reddit or {})
        empty = {"allowed_post_types": [], "title_rules": [], "submission_type": ""}
        for name, value in values.items():
            setattr(row, name, empty.get(name) if value is None and name in empty else value)
        row.observed = observe(community_id, now)
        row.contradictions = contradictions(row)
        row.evidence = evidence
        row.extractor_version = extraction.version
        row.computed_at = now
        row.save()
        if community.review_status == CommunityReviewStatus.UNREVIEWED:
            suggest_review(community, row)
    return row


def _add_reddit(values: dict[str, Any], evidence: list[dict[str, Any]], reddit: dict[str, Any]) -> None:
    """What Reddit's endpoint enforces overrides what the text says (it is the enforcement itself)."""
    if reddit.get("is_flair_required") is not None:
        values["flair_required"] = bool(reddit["is_flair_required"]) or bool(values["flair_required"])
        evidence.append(
            _reddit_evidence(
                "flair_required", values["flair_required"], f"is_flair_required: {reddit['is_flair_required']}"
            )
        )
    policy = reddit.get("body_restriction_policy")
    if policy == "required":
        values["submission_type"] = "self"
        evidence.append(_reddit_evidence("submission_type", "self", "body_restriction_policy: required"))
    elif policy == "notAllowed":
        values["submission_type"] = "link"
        evidence.append(_reddit_evidence("submission_type", "link", "body_restriction_policy: notAllowed"))
    for key in ("title_required_strings", "title_blacklisted_strings", "title_regexes"):
        if reddit.get(key):
            text = f"{key}: {', '.join(map(str, reddit[key]))}"
            values["title_rules"] = [*(values["title_rules"] or []), text]
            evidence.append(_reddit_evidence("title_rules", text, text))


def _reddit_evidence(field: str, value: Any, quote: str) -> dict[str, Any]:
    return {"field": field, "value": value, "source": "reddit", "rule": "post_requirements", "quote": quote}


def observe(community_id: int, now) -> dict[str, dict[str, Any]]:
    """Per period: posts and authors counted, lowest karma (total, post, comment), youngest account (days)."""
    observed: dict[str, dict[str, Any]] = {}
    for days in PERIODS:
        stayed = Post.objects.filter(
            community_id=community_id,
            posted_at__gte=now - timedelta(days=days),
            last_scraped_at__gte=F("posted_at") + STAYED_UP,
            author__isnull=False,
        )
        figures = stayed.aggregate(
            posts=Count("id"),
            authors=Count("author", distinct=True),
            min_total_karma=Min("author__total_karma"),
            min_post_karma=Min("author__link_karma"),
            min_comment_karma=Min("author__comment_karma"),
            youngest=Min(F("posted_at") - F("author__account_created_at")),
        )
        youngest = figures.pop("youngest")
        figures["min_account_age_days"] = max(0, youngest.days) if youngest is not None else None
        # Who set the bounds: the evidence an analyst opens.
        lowest = stayed.filter(author__total_karma__isnull=False).order_by("author__total_karma").first()
        figures["min_total_karma_by"] = lowest.author.handle if lowest else ""
        figures["min_total_karma_post"] = lowest.permalink if lowest else ""
        observed[str(days)] = figures
    return observed


_CHECKS = (
    ("min_total_karma", "min_total_karma"),
    ("min_post_karma", "min_post_karma"),
    ("min_comment_karma", "min_comment_karma"),
    ("min_account_age_days", "min_account_age_days"),
)


def contradictions(row: CommunityRequirements) -> list[dict[str, Any]]:
    """Stated minimums that a post which stayed up undercuts (one entry per item, the widest period)."""
    found = []
    for stated_field, observed_field in _CHECKS:
        stated = getattr(row, stated_field)
        if stated is None:
            continue
        for period in sorted(row.observed, key=int, reverse=True):
            seen = row.observed[period].get(observed_field)
            if seen is not None and seen < stated:
                found.append({"field": stated_field, "stated": stated, "observed": seen, "period_days": int(period)})
                break
    return found


def review_signals(community: Community, row: CommunityRequirements) -> list[tuple[str, float, list[dict[str, str]]]]:
    """Every review status the evidence points to: (status, confidence, signals)."""
    candidates: list[tuple[str, float, list[dict[str, str]]]] = []
    if community.name.lower().startswith("u_") or community.subreddit_type == "user":
        candidates.append(
            (
                CommunityReviewStatus.USER_FEED,
                0.95,
                [
                    {
                        "signal": "user profile subreddit",
                        "text": f"r/{community.name} ({community.subreddit_type or 'u_'})",
                        "rule": "",
                    }
                ],
            )
        )
    by_field = {}
    for item in row.evidence:
        by_field.setdefault(item["field"], item)
    forbids = [
        by_field[f] for f in ("selling_allowed", "onlyfans_allowed") if getattr(row, f) is False and f in by_field
    ]
    if forbids:
        candidates.append((CommunityReviewStatus.NO_SELLER, 0.85, [_signal(f"{e['field']}: no", e) for e in forbids]))
    elif row.promotion_allowed is False and "promotion_allowed" in by_field:
        candidates.append(
            (CommunityReviewStatus.NO_SELLER, 0.6, [_signal("no self-promotion", by_field["promotion_allowed"])])
        )
    allows = [
        by_field[f]
        for f in ("selling_allowed", "onlyfans_allowed", "promotion_allowed")
        if getattr(row, f) is True and f in by_field
    ]
    if allows and not forbids:
        candidates.append(
            (
                CommunityReviewStatus.OK,
                min(0.9, 0.6 + 0.1 * len(allows)),
                [_signal(f"{e['field']}: yes", e) for e in allows],
            )
        )
    text = f"{community.title} {community.public_description} {community.description}".lower()
    words = sorted({w for w in _CREATOR_WORDS if w in text})
    # The weak signals always give a fallback (below any rule-based suggestion), so rejecting the
    # strong suggestion makes way for the next one.
    if community.is_nsfw or len(words) >= 2:
        signals = [{"signal": "NSFW", "text": "over 18", "rule": ""}] if community.is_nsfw else []
        if words:
            signals.append({"signal": "creator words in sidebar", "text": ", ".join(words), "rule": "sidebar"})
        fallback = (CommunityReviewStatus.OK, 0.5, signals)
    else:
        signals = [
            {"signal": "no creator words, not NSFW", "text": community.public_description[:200], "rule": "sidebar"}
        ]
        if community.ai_suggested_category:
            signals.append(
                {
                    "signal": "AI content category",
                    "text": f"{community.get_ai_suggested_category_display()} ({community.ai_category_confidence or 0:.0%})",
                    "rule": "",
                }
            )
        fallback = (CommunityReviewStatus.NON_RELATED, 0.55 if not candidates else 0.4, signals)
    if fallback[0] not in {status for status, _, _ in candidates}:
        candidates.append(fallback)
    return sorted(candidates, key=lambda c: c[1], reverse=True)


def _signal(signal: str, evidence: dict[str, Any]) -> dict[str, str]:
    if str(evidence.get("by", "parser")).startswith("model") and evidence.get("confidence") is not None:
        signal = f"{signal} (AI {evidence['confidence']:.0%})"  # read by the model, not the patterns
    return {"signal": signal, "text": str(evidence.get("quote", ""))[:300], "rule": str(evidence.get("rule", ""))}


def suggest_review(community: Community, row: CommunityRequirements) -> CommunityReviewSuggestion | None:
    """Keep one pending suggestion: the most confident status not decided on before."""
    decided = set(
        CommunityReviewSuggestion.objects.filter(community=community)
        .exclude(status=Decision.PENDING)
        .values_list("suggested_status", flat=True)
    )
    for status, confidence, signals in review_signals(community, row):
        if status in decided:
            continue
        CommunityReviewSuggestion.objects.filter(community=community, status=Decision.PENDING).exclude(
            suggested_status=status
        ).delete()
        suggestion, _ = CommunityReviewSuggestion.objects.update_or_create(
            community=community,
            suggested_status=status,
            defaults={"confidence": confidence, "signals": signals, "model_version": SUGGESTION_VERSION},
        )
        return suggestion
    return None
