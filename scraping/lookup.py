"""On-demand lookups: a person names a creator or subreddit and gets its report in seconds.

``request_lookup()`` is what the API, the pages and ``manage.py lookup`` call. It validates the
name (``parse_target``), refuses before any upstream call when the monthly quota is used up, answers
at once from a fresh-enough stored copy, and otherwise opens a ``Lookup`` row and enqueues
``scraping.tasks.run_lookup`` on the ``lookups`` queue. Concurrent lookups of one target share one
fetch (single flight): the first row is the leader, the others follow it and finish with it.

``run()`` is the task's body: one ``collect.scrape`` of the target (the same clients, rate limit and
circuit breaker as scheduled scrapes), with each stage recorded as a step. The lookup is ready once
the profile and its latest posts are stored and metrics computed; AI analysis, media downloads and
comment sentiment follow on their own queues (``pending_parts`` says which are still under way).
When the upstream fails, a stored copy is served with ``stale``; without one the lookup fails with
a reason a person can act on. ``reap()`` ends lookups older than ``LOOKUP_TIMEOUT`` as failed.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from config.celery import enqueue_on_commit
from config.http import CircuitOpenError, TransportError
from posts.models import CommentSentiment, Post, PostMedia
from profiles.access import AccessLimitReached, check_quota, ensure_access, sharing
from profiles.models import Community, Profile, ProfileLink
from scraping import collect, http
from scraping.models import Lookup

logger = logging.getLogger(__name__)

DISCOVERED_VIA = "lookup"
# What a person types as the platform; "reddit" becomes a subreddit when the name says r/….
PLATFORMS = {
    "instagram": Lookup.Kind.INSTAGRAM,
    "reddit": Lookup.Kind.REDDIT_USER,
    "reddit-user": Lookup.Kind.REDDIT_USER,
    "subreddit": Lookup.Kind.SUBREDDIT,
}
RULES = {
    Lookup.Kind.INSTAGRAM: (
        re.compile(r"[A-Za-z0-9._]{1,30}"),
        "An Instagram handle is 1-30 letters, digits, periods or underscores.",
    ),
    Lookup.Kind.REDDIT_USER: (
        re.compile(r"[A-Za-z0-9_-]{3,20}"),
        "A Reddit username is 3-20 letters, digits, underscores or hyphens.",
    ),
    Lookup.Kind.SUBREDDIT: (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{2,20}"),
        "A subreddit name is 3-21 letters, digits or underscores.",
    ),
}
_HOSTS = {Lookup.Kind.INSTAGRAM: "instagram.com", Lookup.Kind.REDDIT_USER: "reddit.com"}
# Instagram paths that are not profiles: a post, a reel, a place…
_INSTAGRAM_NOT_PROFILES = {"p", "reel", "reels", "tv", "explore", "stories", "accounts", "direct"}
NAMES = {Lookup.Kind.INSTAGRAM: "Instagram", Lookup.Kind.REDDIT_USER: "Reddit", Lookup.Kind.SUBREDDIT: "Reddit"}


class BadTarget(ValueError):
    """A lookup that can never succeed: answered 400 with ``field``'s message, nothing stored."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def _from_url(kind: str, raw: str) -> tuple[str, str]:
    try:
        parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    except ValueError:  # "http://[" and other unparseable addresses
        raise BadTarget("handle", f"{raw!r} is not an address we can read.") from None
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "old.", "new."):
        host = host.removeprefix(prefix)
    segments = [s for s in parts.path.split("/") if s]
    expected = _HOSTS.get(kind, "reddit.com")
    if host != expected:
        raise BadTarget("handle", f"{raw!r} is not a link to {expected}; paste a profile link from there or the name.")
    if kind == Lookup.Kind.INSTAGRAM:
        if not segments or segments[0].lower() in _INSTAGRAM_NOT_PROFILES:
            raise BadTarget("handle", "That Instagram link is not a profile; paste instagram.com/<handle>.")
        return kind, segments[0]
    if len(segments) >= 2 and segments[0].lower() in ("user", "u"):
        return Lookup.Kind.REDDIT_USER, segments[1]
    if len(segments) >= 2 and segments[0].lower() == "r":
        return Lookup.Kind.SUBREDDIT, segments[1]
    raise BadTarget("handle", "That Reddit link is neither a user (/user/<name>) nor a subreddit (/r/<name>).")


def parse_target(platform: str, text: str) -> tuple[str, str]:
    """``("instagram", "https://instagram.com/NatGeo/")`` → ``("instagram", "natgeo")``; raises ``BadTarget``.

    Accepts a handle, ``@handle``, ``u/name``, ``r/name`` or a profile URL pasted from the browser.
    """
    kind = PLATFORMS.get((platform or "").strip().lower())
    if kind is None:
        raise BadTarget("platform", f"Unknown platform {platform!r}; expected instagram, reddit or subreddit.")
    raw = (text or "").strip()
    if not raw:
        raise BadTarget("handle", "Type a handle, @handle or a profile link.")
    if "://" in raw or re.match(r"^(www\.|m\.|old\.)?[a-z0-9-]+\.(com|net|org)(/|$)", raw, re.IGNORECASE):
        kind, name = _from_url(kind, raw)
    else:
        name = raw.removeprefix("@")
        if kind != Lookup.Kind.INSTAGRAM:
            lowered = name.lower().lstrip("/")
            if lowered.startswith("r/"):
                kind, name = Lookup.Kind.SUBREDDIT, name.lstrip("/")[2:]
            elif lowered.startswith(("u/", "user/")):
                kind, name = Lookup.Kind.REDDIT_USER, name.lstrip("/").split("/", 1)[1]
        name = name.strip("/")
    pattern, message = RULES[kind]
    if not pattern.fullmatch(name):
        raise BadTarget("handle", message)
    # Instagram handles are lower case; Reddit keeps its spelling but matches case-insensitively.
    return kind, name.lower() if kind == Lookup.Kind.INSTAGRAM else name


def stored_target(kind: str, name: str) -> Profile | Community | None:
    """The row a lookup of ``kind``/``name`` reports on, if collected before."""
    if kind == Lookup.Kind.SUBREDDIT:
        return Community.objects.by_name(name).first()
    return Profile.objects.by_handle(collect.UPSTREAM_OF[kind], name).first()


def _is_fresh(row: Profile | Community | None, max_age: int) -> bool:
    return bool(
        row is not None
        and row.last_scraped_at
        and row.scrape_status == "ok"
        and timezone.now() - row.last_scraped_at <= timedelta(seconds=max_age)
    )


def _step(name: str, now=None) -> dict[str, Any]:
    return {"name": name, "started_at": (now or timezone.now()).isoformat(), "seconds": None}


def _advance(steps: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Close the running step with its duration and open ``name``."""
    now = timezone.now()
    if steps and steps[-1]["seconds"] is None:
        began = datetime.fromisoformat(steps[-1]["started_at"])
        steps[-1]["seconds"] = round((now - began).total_seconds(), 3)
    return [*steps, _step(name, now)] if name else steps


def request_lookup(
    user, platform: str, handle: str, *, team=None, max_age: int | None = None, enqueue: bool = True
) -> Lookup:
    """Open a lookup for ``user`` in ``team`` (both None: the command line); see the module docstring.

    ``enqueue=False`` leaves a new leader queued for the caller to ``run()`` itself (the command).

    Raises ``BadTarget`` (nothing stored) and ``AccessLimitReached`` (nothing stored, no upstream call).
    """
    kind, name = parse_target(platform, handle)
    max_age = settings.LOOKUP_MAX_AGE if max_age is None else max_age
    reap()
    row = stored_target(kind, name)
    if kind != Lookup.Kind.SUBREDDIT and user is not None:
        check_quota(user, row, team=sharing(team))
    target = {"community" if isinstance(row, Community) else "profile": row} if row is not None else {}
    if _is_fresh(row, max_age):
        lookup = Lookup.objects.create(
            requester=user,
            team=team,
            kind=kind,
            handle=name,
            status=Lookup.Status.READY,
            from_cache=True,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            steps=_advance([_step("queued")], "ready"),
            **target,
        )
        _grant(lookup)
        return lookup
    with transaction.atomic():
        leader = _leader_of(kind, name)
        if leader is None:
            try:
                with transaction.atomic():
                    lookup = Lookup.objects.create(
                        requester=user, team=team, kind=kind, handle=name, steps=[_step("queued")]
                    )
            except IntegrityError:
                # Another request opened the leader a moment ago: follow it.
                leader = _leader_of(kind, name)
            else:
                if enqueue:
                    enqueue_on_commit("scraping.tasks.run_lookup", [lookup.pk])
                return lookup
        if leader is None:  # it finished between the two reads; its copy is fresh now
            return request_lookup(user, platform, handle, team=team, max_age=max_age, enqueue=enqueue)
        follower = Lookup.objects.create(
            requester=user,
            team=team,
            kind=kind,
            handle=name,
            leader=leader,
            status=leader.status,
            steps=[_step("queued")],
        )
    _catch_up(follower)
    return follower


def _catch_up(follower: Lookup) -> None:
    """A leader that finished while its follower was being written hands over its outcome now."""
    leader = Lookup.objects.get(pk=follower.leader_id)
    if leader.in_flight or not follower.in_flight:
        return
    fields = ("status", "steps", "error_code", "error_message", "retry_after", "stale", "profile", "community")
    for field in fields:
        setattr(follower, field, getattr(leader, field))
    follower.finished_at = leader.finished_at
    follower.scrape_run_id = leader.scrape_run_id
    follower.save()
    if follower.status == Lookup.Status.READY:
        _grant(follower)


def _leader_of(kind: str, name: str) -> Lookup | None:
    # Lower(handle), as the partial unique index that makes this row the only leader spells it.
    in_flight = Lookup.objects.in_flight().alias(handle_lower=Lower("handle"))
    return in_flight.filter(kind=kind, handle_lower=name.lower(), leader__isnull=True).first()


def _deadline(lookup: Lookup):
    return lookup.created_at + timedelta(seconds=settings.LOOKUP_TIMEOUT)


def run(lookup_id: int) -> Lookup | None:
    """Fetch, store and measure the target of a queued lookup; finish it and its followers."""
    if not Lookup.objects.filter(pk=lookup_id, status=Lookup.Status.QUEUED).update(
        status=Lookup.Status.FETCHING_PROFILE, started_at=timezone.now()
    ):
        logger.info("lookup %s is gone or no longer queued; skipping", lookup_id)
        return None
    lookup = Lookup.objects.get(pk=lookup_id)
    if timezone.now() >= _deadline(lookup):
        _fail_or_stale(lookup, "timeout", _timeout_message(lookup))
        return _reload(lookup)
    wait = http.expected_wait(collect.upstream_of(lookup.kind))
    left = (_deadline(lookup) - timezone.now()).total_seconds()
    if wait >= left:
        # The shared request budget (scheduled scrapes draw on it too) would outlast the person's patience.
        code, message = explain(lookup, http.RateLimitExceeded("budget", reason="rate_limited", retry_after=wait))
        _fail_or_stale(lookup, code, message, retry_after=wait)
        return _reload(lookup)
    lookup.retry_after = round(wait, 1) if wait >= 1 else None
    lookup.steps = _advance(lookup.steps, Lookup.Status.FETCHING_PROFILE)
    if lookup.retry_after:
        lookup.steps[-1]["wait_seconds"] = lookup.retry_after
    _save_progress(lookup)

    def step(name: str) -> None:
        lookup.status = name
        lookup.steps = _advance(lookup.steps, name)
        _save_progress(lookup)

    try:
        outcome = collect.scrape(lookup.kind, lookup.handle, discovered_via=DISCOVERED_VIA, full=True, step=step)
    except Exception:
        _finish(lookup, Lookup.Status.FAILED, error_code="internal", error_message="Something broke on our side.")
        raise
    lookup.scrape_run = outcome.run
    lookup.api_calls = outcome.run.api_calls
    lookup.estimated_cost = outcome.run.estimated_cost
    if outcome.ok:
        row = stored_target(lookup.kind, lookup.handle)
        _set_target(lookup, row)
        lookup.comment_post_ids = sorted(post_id for post_id, items in outcome.result.comments.items() if items)
        _finish(lookup, Lookup.Status.READY)
    else:
        code, message = explain(lookup, outcome.error)
        _fail_or_stale(lookup, code, message, retry_after=outcome.error.retry_after)
    return _reload(lookup)


def _reload(lookup: Lookup) -> Lookup:
    lookup.refresh_from_db()
    return lookup


def _set_target(lookup: Lookup, row: Profile | Community | None) -> None:
    if isinstance(row, Community):
        lookup.community = row
    elif row is not None:
        lookup.profile = row


def _save_progress(lookup: Lookup) -> None:
    """Write the stage to the leader and its followers, unless the reaper ended them meanwhile."""
    Lookup.objects.filter(pk=lookup.pk).in_flight().update(
        status=lookup.status, steps=lookup.steps, retry_after=lookup.retry_after
    )
    Lookup.objects.filter(leader=lookup).in_flight().update(status=lookup.status, retry_after=lookup.retry_after)


def explain(lookup: Lookup, error: TransportError) -> tuple[str, str]:
    """The reason code and the sentence a person sees for an upstream failure."""
    site = NAMES[lookup.kind]
    who = f"r/{lookup.handle}" if lookup.kind == Lookup.Kind.SUBREDDIT else f"@{lookup.handle}"
    wait = f" Try again in {error.retry_after:.0f} s." if error.retry_after else " Try again in a few minutes."
    if error.reason == "not_found":
        return "not_found", f"{site} has no {'subreddit' if lookup.kind == 'subreddit' else 'account'} {who}."
    if error.reason == "private":
        return "private", f"{who} is private on {site}: its profile and posts cannot be read."
    if error.reason == "banned":
        return "banned", f"{who} is banned or suspended on {site}."
    if isinstance(error, http.RateLimitExceeded) or error.reason == "throttled":
        return "rate_limited", f"{site} is limiting how fast we may ask.{wait}"
    if isinstance(error, CircuitOpenError):
        return "upstream_down", f"{site} has been failing, so we paused asking it.{wait}"
    if error.permanent:
        return "upstream_refused", f"{site} refused the request ({error.reason}); staff have been told."
    return "upstream_down", f"{site} is not answering right now ({error.reason}).{wait}"


def _timeout_message(lookup: Lookup) -> str:
    return f"The lookup did not finish within {settings.LOOKUP_TIMEOUT} s; {NAMES[lookup.kind]} may be slow. Try again."


def _fail_or_stale(lookup: Lookup, code: str, message: str, retry_after: float | None = None) -> None:
    """Serve the last stored copy with ``stale`` when there is one; otherwise fail with the reason."""
    row = stored_target(lookup.kind, lookup.handle)
    has_copy = row is not None and row.last_scraped_at is not None
    if has_copy:
        _set_target(lookup, row)
    status = Lookup.Status.READY if has_copy else Lookup.Status.FAILED
    _finish(lookup, status, error_code=code, error_message=message, retry_after=retry_after, stale=has_copy)


def _finish(lookup: Lookup, status: str, **outcome: Any) -> None:
    """End the lookup and its followers with one outcome (only those still in flight: the reaper may
    have ended them), then grant the ready ones their report access."""
    steps = _advance(lookup.steps, status)
    fields = {
        "status": status,
        "retry_after": None,
        "finished_at": timezone.now(),
        "profile": lookup.profile,
        "community": lookup.community,
        "scrape_run": lookup.scrape_run,
        "comment_post_ids": lookup.comment_post_ids,
        **outcome,
    }
    Lookup.objects.filter(pk=lookup.pk).in_flight().update(
        steps=steps, api_calls=lookup.api_calls, estimated_cost=lookup.estimated_cost, **fields
    )
    followers = list(Lookup.objects.filter(leader=lookup).in_flight())
    # Followers share the fetch: they record its steps and no upstream calls of their own.
    Lookup.objects.filter(pk__in=[f.pk for f in followers]).in_flight().update(steps=steps, **fields)
    if status == Lookup.Status.READY:
        for row in Lookup.objects.filter(pk__in=[lookup.pk, *(f.pk for f in followers)], status=status):
            _grant(row)


def _grant(lookup: Lookup) -> None:
    """A successful lookup opens the requester's 30-day access (one of this month's quota; the team's,
    with ``PROFILE_ACCESS_SCOPE="team"``)."""
    if lookup.profile_id is None or lookup.requester is None:
        return
    try:
        ensure_access(lookup.requester, lookup.profile, team=sharing(lookup.team))
    except AccessLimitReached as exc:
        # Another lookup or page view used the last of the quota meanwhile.
        Lookup.objects.filter(pk=lookup.pk).update(
            status=Lookup.Status.FAILED, error_code="quota", error_message=str(exc), profile=None
        )


def reap() -> int:
    """End lookups in flight for longer than ``LOOKUP_TIMEOUT`` (beat, and before every new lookup)."""
    cutoff = timezone.now() - timedelta(seconds=settings.LOOKUP_TIMEOUT)
    ended = 0
    for lookup in Lookup.objects.in_flight().filter(leader__isnull=True, created_at__lt=cutoff):
        _fail_or_stale(lookup, "timeout", _timeout_message(lookup))
        ended += 1
    # A follower whose leader was ended by hand (admin) would otherwise wait forever.
    for lookup in Lookup.objects.in_flight().filter(leader__isnull=False, created_at__lt=cutoff):
        Lookup.objects.filter(pk=lookup.pk).in_flight().update(
            status=Lookup.Status.FAILED,
            error_code="timeout",
            error_message=_timeout_message(lookup),
            finished_at=timezone.now(),
        )
        ended += 1
    return ended


def pending_parts(lookup: Lookup) -> list[str]:
    """The background work on the report still under way: ``ai_analysis``, ``media``, ``comment_sentiment``."""
    if lookup.status != Lookup.Status.READY:
        return []
    if lookup.profile_id:
        posts = Post.objects.filter(author_id=lookup.profile_id)
    elif lookup.community_id:
        posts = Post.objects.filter(community_id=lookup.community_id)
    else:
        return []
    parts = []
    if posts.filter(ai_status="pending").exists():
        parts.append("ai_analysis")
    if PostMedia.objects.filter(post__in=posts, status=PostMedia.Status.PENDING).exists():
        parts.append("media")
    if lookup.comment_post_ids:
        scored = CommentSentiment.objects.filter(post_id=OuterRef("pk"))
        if Post.objects.filter(pk__in=lookup.comment_post_ids).exclude(Exists(scored)).exists():
            parts.append("comment_sentiment")
    return parts


def age_seconds(lookup: Lookup) -> float | None:
    """How old the stored copy the lookup answers with is."""
    row = lookup.profile or lookup.community
    if row is None or row.last_scraped_at is None:
        return None
    return round((timezone.now() - row.last_scraped_at).total_seconds(), 1)


# A lookup's platform for each profile platform ProfileLink can name (others cannot be looked up).
_LOOKUP_PLATFORM = {"instagram": "instagram", "reddit": "reddit"}


def also_look_up(lookup: Lookup) -> list[dict[str, Any]]:
    """The same person's other accounts (confirmed or suggested links, never rejected ones) to look up next."""
    if not lookup.profile_id:
        return []
    offers = []
    for link in ProfileLink.for_profile(
        lookup.profile, statuses=(ProfileLink.Status.CONFIRMED, ProfileLink.Status.SUGGESTED)
    ):
        if link.profile_id == lookup.profile_id:
            platform, handle = link.platform, link.linked.handle if link.linked else link.handle
        else:
            platform, handle = link.profile.platform, link.profile.handle
        if platform in _LOOKUP_PLATFORM:
            offers.append(
                {
                    "platform": _LOOKUP_PLATFORM[platform],
                    "handle": handle,
                    "link_status": link.status,
                    "confidence": link.confidence,
                }
            )
    return offers


def summary(lookup: Lookup) -> dict[str, Any]:
    """The command's JSON line."""
    return {
        "id": lookup.pk,
        "kind": lookup.kind,
        "handle": lookup.handle,
        "status": lookup.status,
        "stale": lookup.stale,
        "from_cache": lookup.from_cache,
        "error_code": lookup.error_code,
        "error": lookup.error_message,
        "retry_after": lookup.retry_after,
        "profile_id": lookup.profile_id,
        "community_id": lookup.community_id,
        "api_calls": lookup.api_calls,
        "estimated_cost": float(lookup.estimated_cost),
        "duration_seconds": lookup.duration_seconds,
        "steps": lookup.steps,
        "pending": pending_parts(lookup),
        "also_look_up": also_look_up(lookup),
    }
