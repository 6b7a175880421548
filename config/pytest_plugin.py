"""Loaded by pytest before Django (``-p config.pytest_plugin``): tests talk to the real services.

PostgreSQL and Redis run on every machine (127.0.0.1, trust auth). An engineer may point a run at
other databases by exporting the variables; otherwise these defaults apply.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/creatorscope")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
