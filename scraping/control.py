"""Scraper rows staff steer: start/stop, heartbeat, the watchdog, and the SystemLog helpers (write, prune).

A worker that works through a list of targets calls ``checkpoint()`` before each one. The
checkpoint re-reads ``enabled`` from the database and beats the heartbeat in one UPDATE, so a stop
from the admin, the API or ``manage.py scrapers stop`` takes effect before the next target (one
poll), and a worker that dies leaves a heartbeat that stops moving; the watchdog marks that
scraper stalled and its run failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.partitions import drop_partitions_before
from config.retention import delete_older_than
from scraping.models import Scraper, ScrapeRun, SystemLog

logger = logging.getLogger(__name__)

DEFAULT_SCRAPERS = {
    "reddit": ("reddit", "Reddit communities and users"),
    "instagram": ("instagram", "Instagram creators"),
}


class ScraperStopped(Exception):
    """Raised at a checkpoint when staff stopped the scraper: finish nothing more, exit quietly."""


def log(level: str, source: str, message: str, *, run: ScrapeRun | None = None, **context: Any) -> None:
    """One SystemLog row (and the same line in the process log)."""
    logger.log(logging.getLevelName(level.upper()), "%s: %s", source, message)
    SystemLog.objects.create(level=level, source=source, message=message, context=context, scrape_run=run)


def get_scraper(name: str) -> Scraper:
    """The control row for one collector, created on first use from ``DEFAULT_SCRAPERS``."""
    upstream, description = DEFAULT_SCRAPERS.get(name, (name, ""))
    scraper, _ = Scraper.objects.get_or_create(name=name, defaults={"upstream": upstream, "description": description})
    return scraper


def set_enabled(name: str, enabled: bool) -> Scraper:
    """Start or stop a scraper (what the admin action and the API do, for the command line)."""
    scraper = get_scraper(name)
    status = Scraper.Status.IDLE if enabled else Scraper.Status.STOPPED
    Scraper.objects.filter(pk=scraper.pk).update(enabled=enabled, status=status, updated_at=timezone.now())
    log("info", f"scraping.{name}", f"scraper {name} {'started' if enabled else 'stopped'} from the command line")
    scraper.refresh_from_db()
    return scraper


def begin(scraper: Scraper, run: ScrapeRun) -> None:
    """Mark the scraper running this run; raises ``ScraperStopped`` if it is switched off."""
    now = timezone.now()
    updated = Scraper.objects.filter(pk=scraper.pk, enabled=True).update(
        status=Scraper.Status.RUNNING, heartbeat_at=now, current_run=run, updated_at=now
    )
    if not updated:
        raise ScraperStopped(scraper.name)


def checkpoint(scraper: Scraper) -> None:
    """Beat the heartbeat if still enabled, else raise ``ScraperStopped`` (one query either way)."""
    now = timezone.now()
    if not Scraper.objects.filter(pk=scraper.pk, enabled=True).update(heartbeat_at=now, status=Scraper.Status.RUNNING):
        raise ScraperStopped(scraper.name)


def finish(scraper: Scraper) -> None:
    """Back to idle (or leave 'stopped' as staff set it)."""
    now = timezone.now()
    Scraper.objects.filter(pk=scraper.pk, enabled=True).update(
        status=Scraper.Status.IDLE, heartbeat_at=now, current_run=None, updated_at=now
    )
    Scraper.objects.filter(pk=scraper.pk, enabled=False).update(current_run=None, updated_at=now)


def watchdog(now=None) -> list[str]:
    """Mark running scrapers stalled when their heartbeat is older than ``MONITORING_HEARTBEAT_STALE_SECONDS``.

    The same threshold the monitor alerts on, so the alert and the stalled state agree.
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.MONITORING_HEARTBEAT_STALE_SECONDS)
    stalled = []
    for scraper in Scraper.objects.filter(status=Scraper.Status.RUNNING, heartbeat_at__lt=stale_before):
        with transaction.atomic():
            # Conditional: a heartbeat that arrived meanwhile wins.
            if not Scraper.objects.filter(pk=scraper.pk, heartbeat_at__lt=stale_before).update(
                status=Scraper.Status.STALLED, updated_at=now
            ):
                continue
            if scraper.current_run_id:
                ScrapeRun.objects.filter(pk=scraper.current_run_id, status=ScrapeRun.Status.RUNNING).update(
                    status=ScrapeRun.Status.FAILED, finished_at=now, error_message="worker stalled: no heartbeat"
                )
            log(
                "warning",
                f"scraping.{scraper.name}",
                f"scraper {scraper.name} stalled: last heartbeat {scraper.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC",
                heartbeat_at=scraper.heartbeat_at.isoformat(),
            )
        stalled.append(scraper.name)
    return stalled


def prune_logs(days: int) -> int:
    """Delete SystemLog lines older than ``days`` days; returns how many rows were deleted one by one.

    On PostgreSQL the table is partitioned by month (``config.partitions``): months that ended before
    the cutoff are dropped whole, which takes a moment however many lines they hold, and only the
    lines of the month the cutoff falls in (and any in the default partition) are deleted in batches
    (``config.retention``). On SQLite every old line is deleted in batches."""
    dropped = drop_partitions_before(SystemLog, timezone.now() - timedelta(days=days))
    if dropped:
        logger.info("system logs: dropped partitions %s", ", ".join(dropped))
    return delete_older_than(SystemLog.objects.all(), "created_at", days)
