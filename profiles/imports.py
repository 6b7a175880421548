"""Admin spreadsheet imports: refused early when too big, then checked and written by the worker.

``start`` (called by the admin's import view) reads nothing but the upload's size and row count,
stores the text on an ``ImportJob`` and queues ``profiles.tasks.run_import``; the request answers at
once with the job's page. ``run`` (the task) makes two passes over the rows in batches of
``IMPORT_BATCH_ROWS``: a check that writes nothing, then, only when every row passed, the writes, one
transaction per batch. A file with a bad row therefore changes nothing, and the job says which rows.
"""

from __future__ import annotations

import csv
import io
import logging

import tablib
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from config.celery import enqueue_on_commit
from profiles.models import ImportJob

logger = logging.getLogger(__name__)

RUN_TASK = "profiles.tasks.run_import"


class ImportRefused(ValueError):
    """The upload breaks a limit or is not a CSV; the message says which, in one line."""


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused("The file is not UTF-8 text; save it as CSV (UTF-8).") from exc


def count_rows(text: str) -> int:
    """Data rows of a CSV (header excluded), blank lines not counted."""
    try:
        return max(0, sum(1 for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)) - 1)
    except csv.Error as exc:
        raise ImportRefused(f"Not a readable CSV: {exc}.") from exc


def start(*, user, resource_class: type, model_label: str, uploaded) -> ImportJob:
    """Check the upload's size and rows against the limits, store it, queue the worker."""
    limit = settings.IMPORT_MAX_BYTES
    if uploaded.size > limit:
        raise ImportRefused(f"The file is {uploaded.size:,} bytes; imports take at most {limit:,} bytes.")
    text = _decode(uploaded.read(limit + 1))
    if "\x00" in text:
        raise ImportRefused("The file contains NUL characters; it is not a CSV.")
    rows = count_rows(text)
    if rows == 0:
        raise ImportRefused("The file has a header but no rows.")
    if rows > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(f"The file has {rows:,} rows; imports take at most {settings.IMPORT_MAX_ROWS:,}.")
    job = ImportJob.objects.create(
        user=user if getattr(user, "pk", None) else None,
        resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
        model_label=model_label,
        file_name=(getattr(uploaded, "name", "") or "")[:255],
        data=text,
        rows_total=rows,
    )
    enqueue_on_commit(RUN_TASK, args=[job.pk])
    return job


def _batches(dataset: tablib.Dataset, size: int):
    for first in range(0, len(dataset), size):
        yield first, tablib.Dataset(*dataset[first : first + size], headers=dataset.headers)


def _row_errors(result, first: int) -> list[dict]:
    """Row errors of one batch, numbered as in the file (the header is line 1)."""
    errors = [{"row": first + number + 1, "message": str(errs[0].error)} for number, errs in result.row_errors()]
    for invalid in result.invalid_rows:
        messages = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in invalid.error_dict.items())
        errors.append({"row": first + invalid.number + 1, "message": messages})
    return sorted(errors, key=lambda e: e["row"])


def _finish(job: ImportJob, status: str, errors: list[dict] | None = None) -> None:
    job.status = status
    job.finished_at = timezone.now()
    fields = ["status", "finished_at"]
    if errors is not None:
        job.errors = errors[: ImportJob.MAX_ERRORS]
        fields.append("errors")
    job.save(update_fields=fields)


def run(job_id: int) -> None:
    """Check every row, then write them all, in batches; the job row shows progress and outcome."""
    # Claimed by a conditional UPDATE: a redelivered task finds it taken and returns.
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    ):
        return
    job = ImportJob.objects.get(pk=job_id)
    try:
        resource = import_string(job.resource)()
        dataset = tablib.Dataset().load(job.data, format="csv")
    except Exception as exc:  # an unreadable file or a resource that is gone: say so on the job
        logger.warning("import %s could not start: %s", job_id, exc)
        _finish(job, ImportJob.Status.FAILED, [{"row": 0, "message": str(exc)}])
        return
    size = settings.IMPORT_BATCH_ROWS

    errors: list[dict] = []
    for first, batch in _batches(dataset, size):
        result = resource.import_data(batch, dry_run=True, raise_errors=False, use_transactions=True)
        if result.base_errors:
            _finish(job, ImportJob.Status.FAILED, [{"row": 0, "message": str(result.base_errors[0].error)}])
            return
        errors += _row_errors(result, first)
        ImportJob.objects.filter(pk=job.pk).update(rows_checked=F("rows_checked") + len(batch))
    if errors:
        job.failed = len(errors)
        job.save(update_fields=["failed"])
        _finish(job, ImportJob.Status.FAILED, errors)
        return

    for _first, batch in _batches(dataset, size):
        result = resource.import_data(
            batch, dry_run=False, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
        )
        totals = result.totals
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=F("rows_done") + len(batch),
            created=F("created") + totals["new"],
            updated=F("updated") + totals["update"],
            skipped=F("skipped") + totals["skip"],
            failed=F("failed") + totals["error"] + totals["invalid"],
        )
        if result.has_errors() or result.has_validation_errors():
            # A row that passed the check failed on write (a concurrent change): this batch rolled
            # back, the ones before it stay; the job says so instead of claiming success.
            job.refresh_from_db()
            _finish(job, ImportJob.Status.FAILED, _row_errors(result, _first))
            return
    job.refresh_from_db()
    _finish(job, ImportJob.Status.DONE)
