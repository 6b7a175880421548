"""The Celery application: settings come from Django's (``CELERY_*``), tasks from every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("creatorscope")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _load_beat_schedule(sender: Celery, **kwargs) -> None:
    # Imported here, not at module top, so the schedule module may reference task names only.
    from config.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
