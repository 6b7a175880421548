"""What a watch reports, computed after each ingest (``scraping/collect.py`` hands the target over).

Event kinds and what triggers each (``EventKind``):

- **follower_spike / follower_drop**: between the two latest snapshots of a watched creator
  (followers) or subreddit (subscribers, else weekly visitors), the count rose / fell by at least
  the watch's ``follower_threshold_pct`` (default 5 %).
- **engagement_change**: the engagement rate recorded on the creator's two latest snapshots
  (``posts/metrics.py``, mean (likes+comments)/followers over the last 12 posts) changed by at least
  ``engagement_threshold_pct`` (default 25 %) relative to the earlier value.
- **sponsored_post**: a post of the creator first collected after the watch was made carries the
  paid-partnership label or a sponsor marker (#ad, #sponsored…; ``Post.is_sponsored``).
- **brand_mention**: a post of the creator first collected after the watch was made names the
  watch's ``brand`` (``posts/mentions.py``: @handle, #hashtag or a name in the text).
- **rule_change**: a watched subreddit's rules (``Community.rules`` as the latest scrape saw them)
  differ from the ones the watch last saw; the first look records them without an event.

A watch on a list covers every creator or subreddit on it at the time of the ingest. Each
occurrence has a ``key`` (kind + snapshot or post), unique per user: evaluating the same ingest
again, or two watches covering the same creator, store one event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from config.celery import enqueue_on_commit
from posts.models import Post
from profiles import mentions
from profiles.models import Community, CommunitySnapshot, Profile, ProfileSnapshot
from watches.models import AlertSettings, Event, EventKind, Watch


def _change_pct(before: float | None, after: float | None) -> float | None:
    if before in (None, 0) or after is None:
        return None
    return (after - before) / before * 100.0


def _last_two(model, **filters) -> tuple[Any, Any] | None:
    rows = list(model.objects.filter(**filters).order_by("-captured_at", "-id")[:2])
    return (rows[1], rows[0]) if len(rows) == 2 else None


def _growth_events(watch: Watch, subject: Profile | Community, pair, count_field: str) -> list[Event]:
    events = []
    earlier, latest = pair
    before, after = getattr(earlier, count_field), getattr(latest, count_field)
    change = _change_pct(before, after)
    wanted = set(watch.events)
    if change is not None and abs(change) >= watch.follower_threshold_pct:
        kind = EventKind.FOLLOWER_SPIKE if change > 0 else EventKind.FOLLOWER_DROP
        if kind in wanted:
            noun = "followers" if isinstance(subject, Profile) else "subscribers"
            events.append(
                _event(
                    watch,
                    kind,
                    f"{kind}:{subject._meta.model_name}{subject.pk}:snap{latest.pk}",
                    subject,
                    f"{subject}: {noun} {'+' if change > 0 else ''}{change:.1f}% ({before:,} → {after:,})",
                    {"before": before, "after": after, "change_pct": round(change, 2), "snapshot_id": latest.pk},
                )
            )
    if isinstance(subject, Profile) and EventKind.ENGAGEMENT_CHANGE in wanted:
        rate = _change_pct(earlier.engagement_rate, latest.engagement_rate)
        if rate is not None and abs(rate) >= watch.engagement_threshold_pct:
            events.append(
                _event(
                    watch,
                    EventKind.ENGAGEMENT_CHANGE,
                    f"engagement_change:profile{subject.pk}:snap{latest.pk}",
                    subject,
                    f"{subject}: engagement rate {earlier.engagement_rate:.2f}% → {latest.engagement_rate:.2f}%",
                    {
                        "before": earlier.engagement_rate,
                        "after": latest.engagement_rate,
                        "change_pct": round(rate, 2),
                        "snapshot_id": latest.pk,
                    },
                )
            )
    return events


def _post_events(watch: Watch, profile: Profile, posts: Sequence[Post]) -> list[Event]:
    wanted = set(watch.events)
    brand = mentions.parse(watch.brand) if EventKind.BRAND_MENTION in wanted else None
    events = []
    for post in posts:
        if post.author_id != profile.pk or post.created_at < watch.created_at:
            continue
        if EventKind.SPONSORED_POST in wanted and (post.is_sponsored or post.is_paid_partnership):
            events.append(
                _event(
                    watch,
                    EventKind.SPONSORED_POST,
                    f"sponsored_post:post{post.pk}",
                    profile,
                    f"{profile}: new sponsored post",
                    {"permalink": post.permalink, "markers": post.sponsor_markers},
                    post=post,
                )
            )
        if brand is not None and mentions.matches(brand, post):
            events.append(
                _event(
                    watch,
                    EventKind.BRAND_MENTION,
                    f"brand_mention:{brand}:post{post.pk}",
                    profile,
                    f"{profile}: post mentioning {brand}",
                    {"permalink": post.permalink, "brand": str(brand)},
                    post=post,
                )
            )
    return events


def _rules_hash(rules: Any) -> str:
    return hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _rule_events(watch: Watch, community: Community) -> list[Event]:
    if EventKind.RULE_CHANGE not in watch.events:
        return []
    seen = (watch.state or {}).get("rules", {})
    key, digest = str(community.pk), _rules_hash(community.rules)
    previous = seen.get(key)
    if previous == digest:
        return []
    # Remember what was seen, whether or not it is news (the first look is the baseline).
    Watch.objects.filter(pk=watch.pk).update(state={**(watch.state or {}), "rules": {**seen, key: digest}})
    if previous is None:
        return []
    names = [str(rule.get("short_name", "")) for rule in community.rules or [] if isinstance(rule, dict)]
    return [
        _event(
            watch,
            EventKind.RULE_CHANGE,
            f"rule_change:community{community.pk}:{digest}",
            community,
            f"{community}: rules changed ({len(names)} rules now)",
            {"rules": names},
        )
    ]


def _event(watch, kind, key, subject, title, detail, post=None) -> Event:
    return Event(
        user_id=watch.user_id,
        watch=watch,
        kind=kind,
        key=key[:200],
        profile=subject if isinstance(subject, Profile) else None,
        community=subject if isinstance(subject, Community) else None,
        post=post,
        title=title[:300],
        detail=detail,
    )


def _watches_of(subject: Profile | Community):
    field = "profile" if isinstance(subject, Profile) else "community"
    return Watch.objects.filter(Q(**{field: subject}) | Q(**{f"watched_list__entries__{field}": subject})).distinct()


def evaluate(kind: str, target_id: int, post_ids: Sequence[int] = ()) -> list[Event]:
    """Store the events an ingest of one creator (``kind="profile"``) or subreddit raised; returns
    the new ones. Users who want to hear at once get a delivery queued after commit."""
    model = Profile if kind == "profile" else Community
    subject = model.objects.filter(pk=target_id).first()
    if subject is None:
        return []
    watches = list(_watches_of(subject))
    if not watches:
        return []
    if isinstance(subject, Profile):
        pair = _last_two(ProfileSnapshot, profile=subject)
        count_field = "followers_count"
        posts = list(Post.objects.filter(pk__in=post_ids, author=subject))
    else:
        pair = _last_two(CommunitySnapshot, community=subject)
        count_field = "subscribers" if pair and pair[1].subscribers is not None else "visitors"
        posts = []
    candidates: list[Event] = []
    for watch in watches:
        if pair is not None:
            candidates.extend(_growth_events(watch, subject, pair, count_field))
        if isinstance(subject, Profile):
            candidates.extend(_post_events(watch, subject, posts))
        else:
            candidates.extend(_rule_events(watch, subject))
    return store(candidates)


def store(candidates: list[Event]) -> list[Event]:
    """Insert the events not stored before (per user and key) and queue their delivery."""
    if not candidates:
        return []
    users = {e.user_id for e in candidates}
    webhooks = set(
        AlertSettings.objects.filter(user_id__in=users).exclude(webhook_url="").values_list("user_id", flat=True)
    )
    for event in candidates:
        if event.user_id in webhooks:
            event.webhook_status = Event.Webhook.PENDING
    with transaction.atomic():
        known = set(
            Event.objects.filter(user_id__in=users, key__in=[e.key for e in candidates]).values_list("user_id", "key")
        )
        fresh: dict[tuple[int, str], Event] = {}
        for event in candidates:
            if (event.user_id, event.key) not in known:
                fresh.setdefault((event.user_id, event.key), event)
        Event.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        # Users without settings hear at once (the default); digest users wait for the beat.
        digest = set(
            AlertSettings.objects.filter(user_id__in=users)
            .exclude(frequency=AlertSettings.Frequency.IMMEDIATE)
            .values_list("user_id", flat=True)
        )
        for user_id in {user for user, _ in fresh} - digest:
            enqueue_on_commit("watches.tasks.deliver", [user_id])
    return list(fresh.values())
