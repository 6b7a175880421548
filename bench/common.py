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


def migrated_database(database_url: str) -> None:
    """Production settings on ``database_url``: the database is created when missing, then migrated."""
    import psycopg

    production_environment(DATABASE_URL=database_url)
    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def add_use_existing(parser) -> None:
    """``--use-existing`` (also ``--no-load``, ``--skip-load``): bench the data already in the database."""
    parser.add_argument(
        "--skip-load",
        "--use-existing",
        "--no-load",
        dest="skip_load",
        action="store_true",
        help="Use the data already in the database (e.g. loaded by manage.py demo_scale --size full).",
    )
