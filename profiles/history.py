"""How long snapshot history keeps every point: the roll-up policy (docs/partitioning.md).

Every scrape's snapshot is kept for ``SNAPSHOT_ROLLUP_AFTER_DAYS`` days (180 by default: growth
windows go up to 90 days and the spike baseline is 90 more). Older history keeps the last snapshot of
each ISO week per creator or subreddit, enough for year-over-year charts and growth over long windows
at a seventh of the rows. Runs on PostgreSQL, month partition by month partition
(``config.partitions.roll_up_weekly``); SQLite keeps every snapshot.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from config.partitions import RollUp, roll_up_weekly
from profiles.models import CommunitySnapshot, ProfileSnapshot


def roll_up(now: datetime | None = None, *, budget_seconds: float = 480.0) -> RollUp:
    """Thin profile and community snapshots older than the policy; ``more`` when time ran out first.
    The budget stays under the default queue's 10-minute soft limit."""
    total = RollUp()
    if settings.SNAPSHOT_ROLLUP_AFTER_DAYS <= 0:
        return total
    before = (now or timezone.now()) - timedelta(days=settings.SNAPSHOT_ROLLUP_AFTER_DAYS)
    started = time.monotonic()
    for model, group_by in ((ProfileSnapshot, "profile_id"), (CommunitySnapshot, "community_id")):
        left = budget_seconds - (time.monotonic() - started)
        done = roll_up_weekly(model, group_by, before, budget_seconds=left)
        total.deleted += done.deleted
        total.partitions += done.partitions
        if done.more:
            total.more = True
            break
    return total
