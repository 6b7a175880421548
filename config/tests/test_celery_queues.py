"""Workers per queue, as on several machines: two real worker processes, each consuming only its queue.

The production layout (deploy/Procfile.production, deploy/systemd/creatorscope-worker@.service) runs
one worker per queue; moving a queue to another machine is starting its worker there. Here the two
workers run the queues that CELERY_TASK_ROUTES gives a media download and an alert evaluation, under
names of this run so no other test run's worker takes the tasks.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from config.celery import app
from tests.workers import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PROBE = "config.tests.celery_probe.where"


def routed_queue(task_name: str) -> str:
    """The queue the app's own router picks for ``task_name`` (CELERY_TASK_ROUTES, else the default)."""
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_tasks_routed_to_two_queues_run_on_the_two_workers():
    assert settings.CELERY_TASK_ROUTES  # the real routing table
    real = {"posts.tasks.download_post_media": "media", "monitoring.tasks.evaluate_alerts": "default"}
    assert {name: routed_queue(name) for name in real} == real
    run = uuid.uuid4().hex[:8]
    queues = {queue: f"{queue}-{run}" for queue in real.values()}
    with (
        celery_worker(queues["media"], wait_ready=True, include="config.tests.celery_probe") as media_worker,
        celery_worker(queues["default"], wait_ready=True, include="config.tests.celery_probe") as default_worker,
    ):
        results = [
            app.send_task(PROBE, args=[name], queue=queues[routed_queue(name)], ignore_result=False)
            for name in real
            for _ in range(3)
        ]
        ran = [result.get(timeout=90) for result in results]
    by_task = {}
    for label, hostname, pid in ran:
        by_task.setdefault(label, set()).add((hostname.split("-")[0], pid))
    assert by_task == {
        "posts.tasks.download_post_media": {("media", media_worker.pid)},
        "monitoring.tasks.evaluate_alerts": {("default", default_worker.pid)},
    }
