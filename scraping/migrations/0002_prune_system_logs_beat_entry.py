"""SystemLog retention moved from monitoring to scraping: carry the stored beat entry across.

The beat scheduler only creates entries that are missing (``config.beat``), so without this the
old row would keep sending ``monitoring.tasks.prune_system_logs``, a task that no longer exists,
and a second row would be created for the new name. Staff edits to the row (interval, enabled) stay.
"""

from django.db import migrations
from django.utils import timezone

OLD = ("monitoring-prune-system-logs", "monitoring.tasks.prune_system_logs")
NEW = ("scraping-prune-system-logs", "scraping.tasks.prune_system_logs")


def _rename(apps, source: tuple[str, str], target: tuple[str, str]) -> None:
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    (name, _), (to_name, to_task) = source, target
    if periodic_task.objects.filter(name=to_name).exists():
        return
    if periodic_task.objects.filter(name=name).update(name=to_name, task=to_task):
        # A running beat re-reads its entries when this stamp moves (what the model's save signal does).
        apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
            ident=1, defaults={"last_update": timezone.now()}
        )


def forward(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backward(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("scraping", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
