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
