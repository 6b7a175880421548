"""Run modes and bad configuration, checked in fresh interpreters with controlled environments."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRINT_MODE = """
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.conf import settings
from django.utils.module_loading import import_string
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "cache": [c.__module__ + "." + c.__name__ for c in import_string(settings.CACHES["default"]["BACKEND"]).__mro__],
    "broker": settings.CELERY_BROKER_URL,
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "storage": settings.STORAGES["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""


def _run(args, env, tmp_path):
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CREATORSCOPE_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run(args, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_no_environment_runs_on_the_embedded_default(tmp_path):
    result = _run([sys.executable, "-c", PRINT_MODE], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    mode = json.loads(result.stdout.strip().splitlines()[-1])
    # The cache backend may wrap Django's (monitoring counts hits); what matters is the storage class.
    assert "django.core.cache.backends.filebased.FileBasedCache" in mode.pop("cache")
    assert mode == {
        "db": "django.db.backends.sqlite3",
        "broker": "filesystem://",
        "channels": "channels.layers.InMemoryChannelLayer",
        "storage": "django.core.files.storage.FileSystemStorage",
        "debug": False,
    }


def test_service_urls_switch_to_postgres_redis_and_s3(tmp_path):
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/creatorscope",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "media",
    }
    result = _run([sys.executable, "-c", PRINT_MODE], env, tmp_path)
    assert result.returncode == 0, result.stderr
    mode = json.loads(result.stdout.strip().splitlines()[-1])
    assert mode["db"] == "django.db.backends.postgresql"
    assert "django_redis.cache.RedisCache" in mode["cache"]
    assert mode["broker"] == "redis://127.0.0.1:6379/0"
    assert mode["channels"] == "channels_redis.core.RedisChannelLayer"
    assert mode["storage"] == "storages.backends.s3.S3Storage"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_CONN_MAX_AGE", "soon", "DATABASE_CONN_MAX_AGE: expected an integer, got 'soon'"),
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG: expected a boolean"),
        ("MEDIA_STORAGE", "ftp", "MEDIA_STORAGE: expected one of local, s3, got 'ftp'"),
        ("REDDIT_REQUESTS_PER_MINUTE", "0", "REDDIT_REQUESTS_PER_MINUTE: must be at least 1, got 0"),
    ],
)
def test_malformed_setting_stops_startup_with_one_line_naming_it(tmp_path, variable, value, expected):
    result = _run([sys.executable, "manage.py", "check"], {variable: value}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_secret_may_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "x" * 60 + "\n")
    code = "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();from django.conf import settings;print(settings.SECRET_KEY)"
    result = _run([sys.executable, "-c", code], {"DJANGO_SECRET_KEY_FILE": str(secret)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "x" * 60


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "k" * 20 + "production-secret-with-enough-entropy-1234567890abcdef",
        "DJANGO_ALLOWED_HOSTS": "creatorscope.example.com",
        "DJANGO_SECURE_SSL_REDIRECT": "1",
        "DJANGO_HSTS_SECONDS": "31536000",
        "DJANGO_HSTS_PRELOAD": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/creatorscope",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_postgresql_prepares_a_query_a_connection_repeats():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL setting")
    with connection.cursor() as cursor:
        for _ in range(6):  # psycopg prepares on the fifth run (prepare_threshold)
            cursor.execute("SELECT id FROM auth_user WHERE username = %s", ["nobody-here"])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%auth_user WHERE username = $1"]
        )
        assert cursor.fetchone()[0] == 1


def test_prepared_statements_can_be_turned_off_for_pgbouncer(tmp_path):
    script = (
        "import django, json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
        "django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    database = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/creatorscope"}
    on = _run([sys.executable, "-c", script], database, tmp_path)
    off = _run([sys.executable, "-c", script], {**database, "DATABASE_PREPARED_STATEMENTS": "0"}, tmp_path)
    assert json.loads(on.stdout.splitlines()[-1]) == {"server_side_binding": True, "prepare_threshold": 5}
    assert json.loads(off.stdout.splitlines()[-1]) == {}


def test_the_wsgi_app_loads_its_urls_up_front_and_freezes_them_out_of_garbage_collection(tmp_path):
    code = (
        "import gc, sys; import config.wsgi;"
        "print(gc.get_freeze_count(), 'profiles.api.views' in sys.modules, 'posts.api.views' in sys.modules)"
    )
    result = _run([sys.executable, "-c", code], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    frozen, profile_views, post_views = result.stdout.split()[-3:]
    # The views are imported before the first request, and the start-up objects are frozen.
    assert profile_views == post_views == "True"
    assert int(frozen) > 50_000
