"""The beat scheduler: the schedule in code seeds the database, and the database (admin) wins after.

django-celery-beat's ``DatabaseScheduler.setup_schedule()`` calls ``update_from_dict(beat_schedule)``
on every beat start, which ``update_or_create``s each entry from code and so silently reverts every
change staff made in admin (a longer interval, a disabled job) whenever beat restarts. Staff must be
able to trust that what admin shows is what runs, so here code only *creates* entries that are missing
and never rewrites one that exists. Two things still follow the code on every start, because staff do
not edit them and a stale value would break the job: the task name (a renamed task) and, when staff left
it empty, the description. An entry removed from code is left in the database for staff to delete.

Two gaps between a Celery-style entry and django-celery-beat's table are closed here as well:
``options={"expires": seconds}`` (how config/schedule.py writes it) is stored as the row's
``expire_seconds`` (django-celery-beat would silently drop it), and an entry without a
``description`` gets the first paragraph of its task's docstring, so admin says what a job does.
"""

from __future__ import annotations

import logging

from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)


class CodeSeededDatabaseScheduler(DatabaseScheduler):
    """A DatabaseScheduler that creates missing code-defined entries but keeps staff edits."""

    def update_from_dict(self, mapping: dict[str, dict]) -> None:
        existing = {task.name: task for task in PeriodicTask.objects.filter(name__in=list(mapping))}
        missing = {name: entry for name, entry in mapping.items() if name not in existing}
        for name, task in existing.items():
            entry = mapping[name]
            changed = []
            if entry.get("task") and task.task != entry["task"]:
                task.task = entry["task"]
                changed.append("task")
            description = entry.get("description") or task_summary(self.app, task.task)
            if description and not task.description:
                task.description = description
                changed.append("description")
            if changed:
                task.save(update_fields=changed)
                logger.info("beat entry %r: updated %s from code", name, ", ".join(changed))
        if missing:
            logger.info("beat: creating %d entries from code: %s", len(missing), ", ".join(sorted(missing)))
        super().update_from_dict({name: self._for_table(entry) for name, entry in missing.items()})
        for task in PeriodicTask.objects.filter(name__in=list(missing), interval__period="seconds"):
            readable = readable_interval(task.interval)
            if readable.pk != task.interval_id:
                task.interval = readable
                task.save(update_fields=["interval"])

    def _for_table(self, entry: dict) -> dict:
        entry = dict(entry)
        options = dict(entry.get("options") or {})
        expires = options.pop("expires", None)
        if isinstance(expires, int | float) and "expire_seconds" not in options:
            options["expire_seconds"] = int(expires)
        entry["options"] = options
        if not entry.get("description"):
            entry["description"] = task_summary(self.app, entry.get("task", ""))
        return entry


def readable_interval(interval: IntervalSchedule) -> IntervalSchedule:
    """900 seconds → every 15 minutes: the same interval in the largest whole unit, for staff to read."""
    for period, seconds in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if interval.every % seconds == 0:
            return IntervalSchedule.objects.get_or_create(every=interval.every // seconds, period=period)[0]
    return interval


def task_summary(app, name: str) -> str:
    """The first paragraph of a registered task's docstring ("" when the task is not known here)."""
    app.loader.import_default_modules()
    task = app.tasks.get(name)
    # ``run`` is the decorated function: its own docstring, not the generic one of celery's Task.
    doc = (getattr(getattr(task, "run", None), "__doc__", None) or "").strip()
    if not doc:
        return ""
    return " ".join(doc.split("\n\n")[0].split())[:200]
