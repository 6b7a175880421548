"""What every bench that runs Django in its own process sets first."""

from __future__ import annotations

import os


def production_environment(**extra: str) -> None:
    """Production settings (no debug), quiet logs, the loopback host; ``extra`` adds bench-specific variables.

    Call it before ``django.setup()``: settings read the environment once.
    """
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        LOG_LEVEL="warning",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        **extra,
    )
