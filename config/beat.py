"""The beat scheduler: the schedule in code seeds the database, and the database (admin) wins after.

django-celery-beat's ``DatabaseScheduler.setup_schedule()`` calls ``update_from_dict(beat_schedule)``
on every beat start, which ``update_or_create``s each entry from code and so silently reverts every
change staff made in admin (a longer interval, a disabled job) whenever beat restarts. Staff must be
able to trust that what admin shows is what runs, so here code only *creates* entries that are missing
and never rewrites one that exists. Two things still follow the code on every start, because staff do
not edit them and a stale value would break the job: the task name (a renamed task) and, when staff left
it empty, the description. An entry removed from code is left in the database for staff to delete.
"""

from __future__ import annotations

import logging

from django_celery_beat.models import PeriodicTask
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
            if entry.get("description") and not task.description:
                task.description = entry["description"]
                changed.append("description")
            if changed:
                task.save(update_fields=changed)
                logger.info("beat entry %r: updated %s from code", name, ", ".join(changed))
        if missing:
            logger.info("beat: creating %d entries from code: %s", len(missing), ", ".join(sorted(missing)))
        super().update_from_dict(missing)
