"""Start-up and request output: one line per request, nothing called a warning that is not one."""

import logging

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/no-such-page/", "/creators/"])
def test_each_request_is_logged_once(client, caplog, path):
    caplog.set_level(logging.DEBUG)
    client.get(path)
    lines = [r for r in caplog.records if path in r.getMessage()]
    assert len(lines) == 1, [f"{r.name}: {r.getMessage()}" for r in lines]
    assert lines[0].name == "creatorscope.access"


def test_what_tasks_print_is_info_not_warning():
    # A progress bar a library prints inside a task is captured by Celery; it is not a warning.
    assert settings.CELERY_WORKER_REDIRECT_STDOUTS_LEVEL == "INFO"
