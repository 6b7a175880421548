"""Real processes: a Celery worker that listens only on the `media` queue, and `manage.py media` as operators run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from media.models import RemoteSource
from media.pipeline import source_key
from media.tests import samples
from posts.models import PostMedia
from posts.tasks import download_post_media
from profiles.tasks import download_avatar
from tests.factories import PostFactory, ProfileFactory
from tests.workers import celery_worker, wait_for, worker_database_url


@pytest.fixture
def media_worker(tmp_path, cdn):
    """``celery worker -Q media`` against the test database, the same broker, and a temp media folder."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    # Messages other tests left in the queue (ingest enqueues downloads) would reach this worker
    # first and point at rows of another test; start from an empty queue.
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("media")
    env = {
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_STORAGE": "local",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MEDIA_ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_BUSY_RETRY_SECONDS": "1",
    }
    with celery_worker("media", env):
        yield tmp_path / "media"
    broker.delete("media")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_tasks_run_on_the_media_queue_worker(cdn, media_worker):
    photo = samples.jpeg_bytes(samples.photo(2400, 1600, detail=0.9))
    item = PostMedia.objects.create(post=PostFactory(), position=0, source_url=cdn.add("/w.jpg", body=photo))
    profile = ProfileFactory(avatar_url=cdn.add("/w-avatar.jpg", body=photo))

    # Routed by CELERY_TASK_ROUTES; the worker consumes nothing but the media queue.
    download_post_media.delay([item.pk])
    download_avatar.delay(profile.pk)

    assert wait_for(lambda: PostMedia.objects.filter(pk=item.pk, status="done").exists()), "post media not stored"
    assert wait_for(lambda: type(profile).objects.filter(pk=profile.pk, avatar_asset__isnull=False).exists())
    item.refresh_from_db()
    profile.refresh_from_db()
    # Same bytes behind both URLs: one asset, one file pair in the worker's media folder.
    assert item.asset_id == profile.avatar_asset_id
    assert (media_worker / item.asset.file.name).stat().st_size == item.asset.bytes_stored <= 300_000
    assert cdn.hits["/w.jpg"] == cdn.hits["/w-avatar.jpg"] == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_post_media_whose_url_another_worker_holds_is_requeued_and_stored(cdn, media_worker):
    url = cdn.add("/held.jpg", body=samples.jpeg_bytes(samples.photo(1200, 900)))
    # Another worker claimed this URL a moment ago (the same picture in a second post).
    RemoteSource.objects.create(url_key=source_key(url), url=url, claimed_until=timezone.now() + timedelta(seconds=3))
    item = PostMedia.objects.create(post=PostFactory(), position=0, source_url=url)

    download_post_media.delay([item.pk])

    # First run finds the URL busy and leaves the row pending; the re-queued run (1 s later, up to
    # five times) gets through once the claim has lapsed.
    assert wait_for(lambda: PostMedia.objects.filter(pk=item.pk, status="done").exists(), timeout=60)
    assert cdn.hits["/held.jpg"] == 1


@pytest.mark.django_db(transaction=True)
def test_fetch_command_as_a_process_prints_json_last_and_exits_1_on_failure(cdn, tmp_path):
    good = cdn.add("/cli.jpg", body=samples.jpeg_bytes(samples.photo(1600, 1200)))
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "MEDIA_STORAGE": "local",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MEDIA_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "warning",
    }
    command = [sys.executable, "manage.py", "media", "fetch", "--json"]
    ok = subprocess.run([*command, good], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.strip().splitlines()[-1])["created"] == 1

    bad = subprocess.run(
        [*command, good, "http://169.254.169.254/latest/meta-data/"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    summary = json.loads(bad.stdout.strip().splitlines()[-1])
    assert (summary["reused"], summary["failed"]) == (1, 1)
    assert bad.stderr.strip().splitlines()[-1] == "CommandError: 1 of 2 URLs failed; see the lines above"
