"""The `make run` path: every migration and the demo data work on the embedded SQLite default.

Tests otherwise run on PostgreSQL, so a PostgreSQL-only migration would only break newcomers.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_and_demo_run_on_sqlite(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CREATORSCOPE_VAR_DIR": str(tmp_path / "var")}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    migrate = manage("migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    demo = manage("demo", "--instagram", "3", "--reddit", "2", "--json")
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert '"profiles": 5' in demo.stdout.strip().splitlines()[-1]
    assert (tmp_path / "var" / "creatorscope.sqlite3").exists()


CONCURRENT_WRITERS = """
import threading, django
django.setup()
from django.core.management import call_command
from django.db import connections, transaction
from scraping.models import SystemLog
call_command("migrate", verbosity=0)
errors = []
def work():
    try:
        for i in range(40):
            with transaction.atomic():
                SystemLog.objects.filter(source="x").count()  # read, then write: the lock upgrade
                SystemLog.objects.create(source="x", message=str(i))
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()
threads = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print(len(errors), SystemLog.objects.count(), errors[:1])
"""


def test_worker_threads_share_sqlite_without_database_is_locked(tmp_path):
    # The make-run worker runs tasks in threads beside the web process; a deferred SQLite transaction
    # that reads and then writes failed at once with "database is locked" before IMMEDIATE mode.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "CREATORSCOPE_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", CONCURRENT_WRITERS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[:2] == ["0", "160"], result.stdout
