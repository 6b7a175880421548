"""Request and task ids on every log line.

``RequestMonitorMiddleware`` sets the request id for the duration of a request; the Celery signal
handlers in ``monitoring.signals`` set the task id for the duration of a task. Context variables
follow the code across threads started by ``sync_to_async`` and across awaits, so a line logged
anywhere while serving the request carries its id.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
task_id_var: ContextVar[str] = ContextVar("task_id", default="")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` to every record (empty strings outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "task_id"):
            record.task_id = task_id_var.get()
        return True
