"""Background tasks of the profiles app (thin: ids in, call a function, return quietly if gone)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="profiles.tasks.bulk_edit", ignore_result=True)
def bulk_edit(job_id: str, ids: list[int]) -> None:
    """Apply an analyst's bulk edit on a large selection (profiles/bulk.py describes the job)."""
    from profiles.bulk import execute_job

    execute_job(job_id, ids)
