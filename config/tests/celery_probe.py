"""A task that says which worker ran it: imported by test workers (``--include``), never by the app."""

import os

from config.celery import app


@app.task(name="config.tests.celery_probe.where", ignore_result=False)
def where(label: str) -> list:
    return [label, where.request.hostname, os.getpid()]
