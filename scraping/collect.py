"""One target's scrape from start to finish, and the loops that work through due and discovered targets.

``scrape(kind, target)`` is what the ``scrape`` command and the per-target tasks run: it opens a
``ScrapeRun``, calls the upstream's client, ingests in one transaction, recomputes the target's
metrics, schedules the next visit, and closes the run with its counts, API calls, estimated cost
and duration (``SystemLog`` lines at start and end). Upstream failures are recorded, not raised:
permanent ones mark the target (private, not found, banned), transient ones leave it due again
soon and tell the caller how long to wait.

Targets found by discovery (``discovered_via`` other than "manual") are scraped for metadata only
until an analyst approves them (profiles: approved or watchlist; communities: ok).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from config.celery import enqueue_on_commit
from config.claims import claim
from config.http import CircuitOpenError, TransportError
from posts.metrics import compute_community_metrics, compute_profile_metrics
from profiles.models import Community, Profile
from scraping import control, http, ingest
from scraping.instagram import get_provider
from scraping.models import Scraper, ScrapeRun
from scraping.reddit import RedditClient
from scraping.schemas import INSTAGRAM, REDDIT, PostData

logger = logging.getLogger(__name__)

KINDS = ("subreddit", "reddit-user", "instagram")
UPSTREAM_OF = {"subreddit": "reddit", "reddit-user": "reddit", "instagram": "instagram"}
MANUAL = "manual"
# A claimed target is not handed to another worker for this long (a scrape takes seconds).
CLAIM_LEASE = timedelta(minutes=30)
# After a transient failure try again soon; after a permanent one (private, gone) much later.
RETRY_TRANSIENT = timedelta(hours=1)
RETRY_PERMANENT = timedelta(days=7)
_NAMES = {
    # Subreddit names: 2-21 letters, digits, underscores (Reddit's own rule).
    "subreddit": re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$"),
    # Reddit usernames: 3-20 letters, digits, '_' and '-'.
    "reddit-user": re.compile(r"^[A-Za-z0-9_-]{3,20}$"),
    # Instagram usernames: up to 30 letters, digits, '.', '_'.
    "instagram": re.compile(r"^[A-Za-z0-9._]{1,30}$"),
}
_SCRAPE_STATUS = {"private": "private", "not_found": "not_found", "banned": "banned"}
# Called with the name of the stage a scrape enters ("posts", "analysing"): a lookup's progress.
Step = Callable[[str], None]


def normalise_target(kind: str, target: str) -> str:
    """``r/Python`` → ``Python``, ``@name`` → ``name``; raises ValueError with one clear line."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    cleaned = target.strip().removeprefix("/").removeprefix("r/").removeprefix("u/").removeprefix("@").strip("/")
    if not _NAMES[kind].match(cleaned):
        raise ValueError(f"{target!r} is not a valid {kind} name")
    return cleaned


@dataclass
class ScrapeOutcome:
    """What one scrape did; ``summary()`` is the command's JSON line."""

    run: ScrapeRun
    result: ingest.IngestResult | None
    stats: http.CallStats
    error: TransportError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> dict[str, Any]:
        counts = self.result.as_dict() if self.result else ingest.IngestResult().as_dict()
        return {
            "status": self.run.status,
            "kind": self.run.kind,
            "target": self.run.target,
            "run_id": self.run.pk,
            **counts,
            "posts": len(self.result.post_ids) if self.result else 0,
            "api_calls": self.stats.api_calls,
            "errors": self.stats.errors,
            "retries": self.stats.retries,
            "duration_seconds": round(self.run.duration_seconds or 0.0, 3),
            "error": str(self.error) if self.error else "",
        }


def _wants_posts(row: Profile | Community | None) -> bool:
    """Full scrape for targets staff named or approved; metadata only for unreviewed discoveries."""
    if row is None or row.discovered_via in ("", MANUAL):
        return True
    if isinstance(row, Profile):
        return row.review_status in ("approved", "watchlist")
    return row.review_status == "ok"


def _next_visit(base_hours: float, priority: int = 5) -> Any:
    # Priority 5 (the default) is the base interval; 1 is five times as often, 9 nearly twice as rarely.
    return timezone.now() + timedelta(hours=base_hours * priority / 5)


def _no_step(name: str) -> None:
    pass


def _collect_subreddit(
    name: str, stats: http.CallStats, discovered_via: str, full: bool = False, step: Step = _no_step
) -> ingest.IngestResult:
    client = RedditClient.from_settings(stats)
    existing = Community.objects.by_name(name).first()
    data = client.subreddit(name)
    data.post_requirements = _post_requirements(client, data.name)
    step("posts")
    posts: list[PostData] = []
    skipped = 0
    if full or _wants_posts(existing):
        posts = _subreddit_posts(client, data.name)
        skipped = _attach_comments(client, posts)
    step("analysing")
    result = ingest.ingest_community(data, posts, discovered_via=discovered_via)
    result.comments_skipped_authors += skipped
    compute_community_metrics(result.target_id)
    Community.objects.filter(pk=result.target_id).update(
        next_scrape_at=_next_visit(settings.SCRAPING_COMMUNITY_INTERVAL_HOURS)
    )
    _hand_to_watches("community", result)
    return result


# Listings a subreddit scrape reads besides hot: top of the day, week and month find authors whose
# posts did well (and stayed up), new finds the ones hot has not surfaced yet.
TOP_PERIODS = ("day", "week", "month")


def _subreddit_posts(client: RedditClient, name: str) -> list[PostData]:
    """Hot, top of day/week/month and new, each post once (the first listing that showed it wins)."""
    posts = client.listing(name, "hot", max_items=settings.SCRAPING_POSTS_PER_TARGET)
    seen = {p.external_id for p in posts}
    extra = settings.REDDIT_TOP_POSTS_PER_PERIOD
    listings = [("top", period) for period in TOP_PERIODS] + [("new", None)]
    for sort, period in listings:
        if not extra:
            break
        try:
            found = client.listing(name, sort, max_items=extra, time_filter=period)
        except TransportError as exc:
            _raise_if_exhausted(exc)
            logger.info("r/%s %s %s not read: %s", name, sort, period or "", exc)
            continue
        for post in found:
            if post.external_id not in seen:
                seen.add(post.external_id)
                posts.append(post)
    return posts


def _raise_if_exhausted(exc: TransportError) -> None:
    """An open circuit or an empty budget ends the scrape; any other failure only skips the extra read."""
    if isinstance(exc, CircuitOpenError | http.RateLimitExceeded):
        raise exc


def _comment_targets(posts: list[PostData], limit: int) -> list[PostData]:
    """Half the budget to the best-scored posts, half to the most recent ones, each post once."""
    with_comments = [p for p in posts if (p.comments_count or 0) > 0]
    top = sorted(with_comments, key=lambda p: p.score or 0, reverse=True)
    recent = sorted(with_comments, key=lambda p: p.posted_at.timestamp() if p.posted_at else 0, reverse=True)
    chosen: dict[str, PostData] = {}
    for post in [*top[: (limit + 1) // 2], *recent]:
        if len(chosen) >= limit:
            break
        chosen.setdefault(post.external_id, post)
    return list(chosen.values())


def _attach_comments(client: RedditClient, posts: list[PostData]) -> int:
    """Read comments of the chosen posts into ``post.comments``; returns authors skipped (deleted).

    Bounded per post (``REDDIT_COMMENTS_PER_POST`` plus ``REDDIT_MORE_CALLS_PER_POST`` expansions)
    and per run (``REDDIT_COMMENT_POSTS_PER_RUN`` posts). A post whose comments fail to load keeps
    the rest of the scrape going: comments are a bonus, not the scrape.
    """
    skipped = 0
    for post in _comment_targets(posts, settings.REDDIT_COMMENT_POSTS_PER_RUN):
        try:
            tree = client.post_comments(
                post.external_id,
                limit=settings.REDDIT_COMMENTS_PER_POST,
                more_budget=settings.REDDIT_MORE_CALLS_PER_POST,
            )
        except TransportError as exc:
            _raise_if_exhausted(exc)
            logger.info("comments of %s not read: %s", post.external_id, exc)
            continue
        post.comments = tree.comments[: settings.REDDIT_COMMENTS_PER_POST * (1 + settings.REDDIT_MORE_CALLS_PER_POST)]
        skipped += tree.skipped_authors
    return skipped


def _post_requirements(client: RedditClient, name: str) -> dict[str, Any] | None:
    """Reddit's own post requirements; None (keep what is stored) when the endpoint refuses."""
    try:
        return client.post_requirements(name)
    except TransportError as exc:
        _raise_if_exhausted(exc)
        logger.info("post requirements of r/%s not read: %s", name, exc)
        return None


def _collect_reddit_user(
    name: str, stats: http.CallStats, discovered_via: str, full: bool = False, step: Step = _no_step
) -> ingest.IngestResult:
    client = RedditClient.from_settings(stats)
    existing = Profile.objects.by_handle(REDDIT, name).first()
    user = client.user_about(name)
    step("posts")
    posts: list[PostData] = []
    if full or _wants_posts(existing):
        posts = client.user_submitted(user.handle, max_items=settings.SCRAPING_POSTS_PER_TARGET)
    step("analysing")
    return _finish_profile(ingest.ingest_profile(user, posts, discovered_via=discovered_via))


def _collect_instagram(
    username: str, stats: http.CallStats, discovered_via: str, full: bool = False, step: Step = _no_step
) -> ingest.IngestResult:
    provider = get_provider(stats)
    existing = Profile.objects.by_handle(INSTAGRAM, username).first()
    profile, page = provider.profile(username)
    step("posts")
    posts: list[PostData] = []
    if (full or _wants_posts(existing)) and not profile.is_private:
        posts = list(page.items) or list(provider.posts(profile).items)
        # Reels carry play counts the feed lacks; merge them into the same posts by id.
        by_id = {p.external_id: p for p in posts}
        for reel in provider.reels(profile).items:
            known = by_id.get(reel.external_id)
            if known is None:
                posts.append(reel)
            else:
                known.plays_count = known.plays_count or reel.plays_count
                known.views_count = known.views_count or reel.views_count
    step("analysing")
    return _finish_profile(ingest.ingest_profile(profile, posts, discovered_via=discovered_via))


def _finish_profile(result: ingest.IngestResult) -> ingest.IngestResult:
    profile = compute_profile_metrics(result.target_id)
    Profile.objects.filter(pk=result.target_id).update(
        next_scrape_at=_next_visit(settings.SCRAPING_PROFILE_INTERVAL_HOURS, profile.scrape_priority)
    )
    _hand_to_watches("profile", result)
    return result


def _hand_to_watches(kind: str, result: ingest.IngestResult) -> None:
    """Users' watches look at the fresh snapshot, metrics and posts (watches/events.py).

    After the metrics, not in ingest's own hand-off: spikes and engagement changes are read from
    the snapshot the recomputation just completed.
    """
    enqueue_on_commit("watches.tasks.evaluate", [kind, result.target_id, list(result.post_ids)])


COLLECTORS: dict[str, Callable[..., ingest.IngestResult]] = {
    "subreddit": _collect_subreddit,
    "reddit-user": _collect_reddit_user,
    "instagram": _collect_instagram,
}


def upstream_of(kind: str) -> http.Upstream:
    """The upstream (budget, breaker) a scrape of ``kind`` draws on, as its client builds it."""
    client = get_provider() if kind == "instagram" else RedditClient.from_settings()
    return client.upstream


def _target_rows(kind: str, target: str):
    if kind == "subreddit":
        return Community.objects.by_name(target)
    return Profile.objects.by_handle(UPSTREAM_OF[kind], target)


def _mark_failed(kind: str, target: str, error: TransportError) -> None:
    status = _SCRAPE_STATUS.get(error.reason, "failed")
    delay = RETRY_PERMANENT if error.permanent else RETRY_TRANSIENT
    _target_rows(kind, target).update(
        scrape_status=status, last_error=str(error)[:2000], next_scrape_at=timezone.now() + delay
    )


def scrape(
    kind: str,
    target: str,
    *,
    scraper: Scraper | None = None,
    discovered_via: str = MANUAL,
    run: ScrapeRun | None = None,
    full: bool = False,
    step: Step = _no_step,
) -> ScrapeOutcome:
    """Scrape one target now, synchronously, with its own ``ScrapeRun`` (``run``: one queued for it).

    ``full`` fetches posts even for an unreviewed discovery (a person asked for its report);
    ``step`` hears each stage as it starts.
    """
    target = normalise_target(kind, target)
    source = f"scraping.{UPSTREAM_OF[kind]}"
    stats = http.CallStats()
    started = time.monotonic()
    if run is None:
        run = ScrapeRun(scraper=scraper, kind=kind, target=target, targets_total=1)
    run.status, run.started_at = ScrapeRun.Status.RUNNING, timezone.now()
    run.save()
    control.log("info", source, f"scrape {kind} {target} started", run=run)
    outcome = ScrapeOutcome(run=run, result=None, stats=stats)
    try:
        outcome.result = COLLECTORS[kind](target, stats, discovered_via, full, step)
        run.status = ScrapeRun.Status.SUCCEEDED
    except TransportError as exc:
        outcome.error = exc
        run.status = ScrapeRun.Status.FAILED
        run.error_message = str(exc)[:2000]
        _mark_failed(kind, target, exc)
    except Exception as exc:
        # A bug, not an upstream problem: record it on the run, then let it surface.
        _close(run, outcome, started, source, error=f"{type(exc).__name__}: {exc}")
        raise
    _close(run, outcome, started, source)
    return outcome


def _close(run: ScrapeRun, outcome: ScrapeOutcome, started: float, source: str, error: str = "") -> None:
    stats, result = outcome.stats, outcome.result
    if error:
        run.status, run.error_message = ScrapeRun.Status.FAILED, error[:2000]
    run.finished_at = timezone.now()
    run.duration_seconds = time.monotonic() - started
    run.api_calls = stats.api_calls
    run.errors = stats.errors
    cost_per_call = Decimal(str(settings.SCRAPING_COST_PER_CALL.get(UPSTREAM_OF[run.kind], 0)))
    run.estimated_cost = cost_per_call * stats.api_calls
    if result is not None:
        run.items_scraped = result.items
        run.created, run.updated, run.snapshots = result.created, result.updated, result.snapshots
    run.save()
    metrics = http.monitor()
    if metrics is not None:
        upstream = UPSTREAM_OF[run.kind]
        if result is not None:
            target_kind = "community" if run.kind == "subreddit" else "profile"
            metrics.ITEMS_SCRAPED.labels(upstream=upstream, kind=target_kind).inc(1)
            metrics.ITEMS_SCRAPED.labels(upstream=upstream, kind="post").inc(len(result.post_ids))
        if run.estimated_cost:
            metrics.API_COST.labels(upstream=upstream).inc(float(run.estimated_cost))
    level = "info" if run.status == ScrapeRun.Status.SUCCEEDED else "warning"
    control.log(
        level,
        source,
        f"scrape {run.kind} {run.target} {run.status} in {run.duration_seconds:.1f}s: "
        f"{run.created} created, {run.updated} updated, {run.api_calls} API calls"
        + (f" — {run.error_message}" if run.error_message else ""),
        run=run,
        api_calls=stats.api_calls,
        retries=stats.retries,
        waited_seconds=round(stats.waited_seconds, 3),
    )


# --- Loops over many targets -----------------------------------------------------------------


def _claim(queryset, limit: int) -> list[Any]:
    """Take up to ``limit`` due rows, in the queryset's order, leased so a second worker skips them."""
    now = timezone.now()
    due = Q(next_scrape_at__isnull=True) | Q(next_scrape_at__lte=now)
    pks = claim(queryset, due, limit=limit, next_scrape_at=now + CLAIM_LEASE)
    rows = queryset.model.objects.in_bulk(pks)
    return [rows[pk] for pk in pks]


def run_targets(scraper_name: str, kind: str, rows: list[Any], *, batch_kind: str) -> ScrapeRun | None:
    """Scrape claimed rows one by one under a scraper's control, as one batch ``ScrapeRun``.

    Nothing due means no run row: a quiet beat tick every ten minutes is not a job anyone needs to see.

    Before each target the scraper's row is polled (``control.checkpoint``): a stop ends the
    batch there; targets not reached are released (due again at once). An open circuit or an
    empty request budget ends the batch too: the rest would fail the same way.
    """
    if not rows:
        return None
    scraper = control.get_scraper(scraper_name)
    batch = ScrapeRun.objects.create(
        scraper=scraper,
        kind=batch_kind,
        target=f"{len(rows)} targets",
        status=ScrapeRun.Status.RUNNING,
        started_at=timezone.now(),
        targets_total=len(rows),
    )
    started = time.monotonic()
    done = 0
    failed = 0
    try:
        control.begin(scraper, batch)
        for row in rows:
            control.checkpoint(scraper)
            name = row.name if isinstance(row, Community) else row.handle
            done += 1
            try:
                outcome = scrape(kind, name, scraper=scraper, discovered_via=row.discovered_via or MANUAL)
            except ValueError as exc:
                # A discovered name the platform could never serve: switch it off, say why.
                type(row).objects.filter(pk=row.pk).update(
                    scrape_enabled=False, scrape_status="failed", last_error=str(exc)
                )
                failed += 1
                continue
            batch.api_calls += outcome.stats.api_calls
            batch.errors += outcome.stats.errors
            batch.estimated_cost += outcome.run.estimated_cost
            if outcome.result:
                batch.items_scraped += outcome.result.items
                batch.created += outcome.result.created
                batch.updated += outcome.result.updated
                batch.snapshots += outcome.result.snapshots
            if not outcome.ok:
                failed += 1
                if isinstance(outcome.error, CircuitOpenError | http.RateLimitExceeded):
                    batch.error_message = f"stopped early: {outcome.error}"
                    break
        batch.status = ScrapeRun.Status.SUCCEEDED if not failed else ScrapeRun.Status.PARTIAL
        if failed == done and done:
            batch.status = ScrapeRun.Status.FAILED
    except control.ScraperStopped:
        batch.status = ScrapeRun.Status.CANCELLED
        batch.error_message = f"scraper {scraper_name} stopped by staff after {done} of {len(rows)} targets"
        control.log("info", f"scraping.{scraper_name}", batch.error_message, run=batch)
    finally:
        not_reached = [row.pk for row in rows[done:]]
        if not_reached:
            type(rows[0]).objects.filter(pk__in=not_reached).update(next_scrape_at=timezone.now())
        batch.finished_at = timezone.now()
        batch.duration_seconds = time.monotonic() - started
        batch.save()
        control.finish(scraper)
    return batch


def refresh_due_communities(limit: int | None = None) -> ScrapeRun | None:
    """Beat: subreddits whose ``next_scrape_at`` passed (banned ones excluded).

    Only subreddits staff added or approved: discovered ones get their metadata from ``discover()``
    (100 per call) and wait for an analyst, instead of two calls each on every refresh.
    """
    wanted = Q(discovered_via__in=["", MANUAL]) | Q(review_status="ok")
    rows = _claim(Community.objects.due_for_scrape().filter(wanted), limit or settings.SCRAPING_DUE_BATCH)
    return run_targets("reddit", "subreddit", rows, batch_kind="refresh-communities")


def refresh_due_profiles(platform: str, limit: int | None = None) -> ScrapeRun | None:
    """Beat: approved creators by priority and ``next_scrape_at``."""
    rows = _claim(Profile.objects.filter(platform=platform).due_for_scrape(), limit or settings.SCRAPING_DUE_BATCH)
    kind = "instagram" if platform == INSTAGRAM else "reddit-user"
    return run_targets(UPSTREAM_OF[kind], kind, rows, batch_kind=f"refresh-{platform}-profiles")


def discover(limit: int | None = None) -> dict[str, int]:
    """Beat: fetch metadata (no posts) for discovered targets never looked at yet.

    Subreddits come 100 per call from ``/api/info``; users and creators one call each. They stay
    unreviewed; an analyst decides whether they are worth a full scrape.
    """
    limit = limit or settings.SCRAPING_DUE_BATCH
    found = {"communities": 0, "profiles": 0}
    discovered = ~Q(discovered_via__in=["", MANUAL])
    pending = list(
        Community.objects.filter(discovered, scrape_status="never", scrape_enabled=True).order_by("id")[:limit]
    )
    if pending:
        stats = http.CallStats()
        try:
            datas = RedditClient.from_settings(stats).subreddits_info([c.name for c in pending])
        except TransportError as exc:
            control.log("warning", "scraping.reddit", f"discovery lookup failed: {exc}")
            datas = []
        for data in datas:
            ingest.ingest_community(data, [])
            found["communities"] += 1
        seen = {d.name.lower() for d in datas}
        missing = [c.pk for c in pending if c.name.lower() not in seen]
        if datas and missing:
            Community.objects.filter(pk__in=missing).update(scrape_status="not_found")
    for platform, scraper_name, kind in ((REDDIT, "reddit", "reddit-user"), (INSTAGRAM, "instagram", "instagram")):
        rows = list(
            Profile.objects.filter(discovered, platform=platform, scrape_status="never", scrape_enabled=True)
            .exclude(review_status="rejected")
            .order_by("id")[:limit]
        )
        batch = run_targets(scraper_name, kind, rows, batch_kind="discovery")
        if batch is not None:
            found["profiles"] += batch.snapshots
    return found
