"""Background tasks of the profiles app (thin: ids in, call a function, return quietly if gone)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="profiles.tasks.bulk_edit", ignore_result=True)
def bulk_edit(job_id: str, ids: list[int]) -> None:
    """Apply an analyst's bulk edit on a large selection (profiles/bulk.py describes the job)."""
    from profiles.bulk import execute_job

    execute_job(job_id, ids)


@shared_task(name="profiles.tasks.run_import", ignore_result=True)
def run_import(job_id: int) -> None:
    """Check and write an admin spreadsheet import (profiles/imports.py describes the job)."""
    from profiles.imports import run

    run(job_id)


# --- Media (routed to the "media" queue by CELERY_TASK_ROUTES) ---


@shared_task(name="profiles.tasks.download_avatar", ignore_result=True)
def download_avatar(profile_id: int) -> None:
    """Store the profile picture behind ``avatar_url`` (returns quietly if the profile is gone)."""
    fetch_avatar(profile_id)


def fetch_avatar(profile_id: int, *, force: bool = False) -> bool | None:
    """Fetch and attach one avatar; None when there is nothing to fetch, else whether it worked."""
    from media.pipeline import fetch
    from profiles.models import Profile

    profile = Profile.objects.filter(pk=profile_id).only("pk", "avatar_url", "avatar_asset").first()
    if profile is None or not profile.avatar_url:
        return None
    result = fetch(profile.avatar_url, purpose="profile", force=force)
    if result.ok and profile.avatar_asset_id != result.asset.pk:
        # update(), not save(): a scrape may be writing the same row's other fields right now.
        Profile.objects.filter(pk=profile.pk).update(avatar_asset=result.asset)
    return result.ok


def backfill_avatars(*, limit: int, include_permanent: bool) -> dict[str, int]:
    """`manage.py media backfill` handler: profiles with an avatar URL but no stored picture."""
    from profiles.models import Profile

    counts = {"checked": 0, "fetched": 0, "failed": 0}
    ids = Profile.objects.exclude(avatar_url="").filter(avatar_asset__isnull=True).order_by("pk")
    for profile_id in ids.values_list("pk", flat=True)[:limit]:
        counts["checked"] += 1
        ok = fetch_avatar(profile_id, force=include_permanent)
        counts["fetched" if ok else "failed"] += 1
    return counts


@shared_task(name="profiles.tasks.compute_benchmarks", ignore_result=True)
def compute_benchmarks() -> None:
    """Nightly: every creator's percentiles among peers (platform × follower tier × category)."""
    from profiles.benchmarks import compute_benchmarks as compute

    compute()


@shared_task(name="profiles.tasks.roll_up_snapshots", ignore_result=True)
def roll_up_snapshots() -> None:
    """Beat: thin snapshots older than SNAPSHOT_ROLLUP_AFTER_DAYS to one per ISO week, re-queueing
    while old partitions remain (profiles/history.py)."""
    from config.celery import enqueue_on_commit
    from profiles.history import roll_up

    if roll_up().more:
        enqueue_on_commit(roll_up_snapshots.name)
