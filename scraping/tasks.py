"""Scraping tasks, on the ``scraping`` queue (``CELERY_TASK_ROUTES``): thin wrappers over ``collect``.

Per-target tasks take an id, return quietly when the row is gone, and raise a transient failure
(429, 5xx, open circuit, empty budget) so the base task's ``autoretry_for`` re-queues them, after
the upstream's Retry-After when it sent one (``config.celery.Task``).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from config.http import TransientError
from scraping import collect, control, lookup

logger = logging.getLogger(__name__)


def _raise_transient(outcome: collect.ScrapeOutcome) -> None:
    # The run row already records the failure; a permanent one (private, gone) ends here.
    if isinstance(outcome.error, TransientError):
        raise outcome.error


@shared_task(name="scraping.tasks.scrape_community", ignore_result=True)
def scrape_community(community_id: int) -> None:
    """Scrape one subreddit now."""
    from profiles.models import Community

    row = Community.objects.filter(pk=community_id).values_list("name", "discovered_via").first()
    if row is None:
        logger.info("community %s no longer exists; skipping", community_id)
        return
    _raise_transient(collect.scrape("subreddit", row[0], discovered_via=row[1] or collect.MANUAL))


@shared_task(name="scraping.tasks.scrape_profile", ignore_result=True)
def scrape_profile(profile_id: int) -> None:
    """Scrape one creator or Reddit user now."""
    from profiles.models import Profile

    row = Profile.objects.filter(pk=profile_id).values_list("platform", "handle", "discovered_via").first()
    if row is None:
        logger.info("profile %s no longer exists; skipping", profile_id)
        return
    kind = "instagram" if row[0] == "instagram" else "reddit-user"
    _raise_transient(collect.scrape(kind, row[1], discovered_via=row[2] or collect.MANUAL))


@shared_task(name="scraping.tasks.refresh_due_communities", ignore_result=True)
def refresh_due_communities() -> None:
    """Beat: scrape the subreddits that are due."""
    collect.refresh_due_communities()


@shared_task(name="scraping.tasks.refresh_due_profiles", ignore_result=True)
def refresh_due_profiles(platform: str) -> None:
    """Beat: scrape the approved creators that are due, by priority."""
    collect.refresh_due_profiles(platform)


@shared_task(name="scraping.tasks.discover", ignore_result=True)
def discover() -> None:
    """Beat: metadata for newly discovered subreddits, users and creators."""
    collect.discover()


@shared_task(name="scraping.tasks.watchdog", ignore_result=True)
def watchdog() -> None:
    """Beat: mark scrapers whose heartbeat went stale as stalled."""
    control.watchdog()


@shared_task(name="scraping.tasks.prune_system_logs", ignore_result=True)
def prune_system_logs() -> int:
    """Delete system log lines older than MONITORING_LOG_RETENTION_DAYS (in batches, so no long lock)."""
    return control.prune_logs(settings.MONITORING_LOG_RETENTION_DAYS)


@shared_task(name="scraping.tasks.run_lookup", ignore_result=True, autoretry_for=())
def run_lookup(lookup_id: int) -> None:
    """A person's lookup, on the ``lookups`` queue: failures end the lookup, they are never retried
    (the person is waiting; a stored copy or the reason is the answer)."""
    lookup.run(lookup_id)


@shared_task(name="scraping.tasks.reap_lookups", ignore_result=True)
def reap_lookups() -> None:
    """Beat: end lookups older than LOOKUP_TIMEOUT as failed, with the reason."""
    lookup.reap()


@shared_task(name="scraping.tasks.run_scrape", ignore_result=True)
def run_scrape(run_id: int) -> None:
    """A scrape staff asked for through the API (``POST /api/v1/ops/scrapes/``): its run row is queued."""
    from scraping.models import ScrapeRun

    run = ScrapeRun.objects.filter(pk=run_id, status=ScrapeRun.Status.QUEUED).first()
    if run is None:
        logger.info("scrape run %s no longer exists or already ran; skipping", run_id)
        return
    _raise_transient(collect.scrape(run.kind, run.target, run=run))


# --- Creator connect (Instagram insights of connected accounts) ---


@shared_task(name="scraping.tasks.sync_due_audiences", ignore_result=True)
def sync_due_audiences() -> None:
    """Beat: queue an insights read for every connected account that is due."""
    from scraping.audience import due_connections

    if not (settings.META_APP_ID and settings.META_APP_SECRET):
        return
    for connection_id in due_connections():
        sync_audience.delay(connection_id)


@shared_task(name="scraping.tasks.sync_audience", ignore_result=True)
def sync_audience(connection_id: int) -> None:
    """Read one connected account's insights (broken, refused and retried outcomes are on its row)."""
    from scraping.audience import sync_connection

    outcome = sync_connection(connection_id)
    logger.info("instagram connection %s: %s %s", connection_id, outcome.status, outcome.detail)
