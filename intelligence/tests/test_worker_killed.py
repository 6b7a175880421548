"""A real worker killed with SIGKILL mid-batch: the reaper closes its batch and releases its posts,
and the next worker finishes the backlog with no post lost and none analysed twice."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from intelligence.models import AnalysisBatch
from intelligence.pipeline import reap_orphans
from posts.models import AIStatus, Post
from tests.factories import PostFactory, ProfileFactory
from tests.workers import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# One post per chunk, so the batch takes long enough to be killed in the middle of it.
WORKER_ENV = {"AI_BACKEND": "rules", "AI_BATCH_SIZE": "1", "AI_PIPELINE_BATCH": "300", "AI_CLAIM_TIMEOUT": "60"}


def test_killed_worker_batch_is_reaped_and_the_backlog_finishes_once(settings):
    settings.AI_CLAIM_TIMEOUT = 60
    author = ProfileFactory()
    ids = [p.pk for p in PostFactory.create_batch(300, author=author, caption="sunny beach day #travel")]
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("ai")

    # Given a worker in the middle of a batch
    with celery_worker("ai", WORKER_ENV) as worker:
        app.send_task("intelligence.tasks.analyze_pending")
        assert wait_for(lambda: Post.objects.filter(pk__in=ids, ai_status=AIStatus.DONE).count() >= 10, 120)
        # When it is killed without warning
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    done_before = set(Post.objects.filter(pk__in=ids, ai_status=AIStatus.DONE).values_list("pk", flat=True))
    stuck = Post.objects.filter(pk__in=ids, ai_status=AIStatus.PROCESSING).count()
    batch = AnalysisBatch.objects.get(kind="posts")
    assert batch.status == "running" and stuck > 0
    # A live batch is left alone: its heartbeat is fresh
    assert reap_orphans() == ([], 0)

    # Then, once AI_CLAIM_TIMEOUT has passed without a heartbeat, the reaper closes it and frees its posts
    closed, released = reap_orphans(now=timezone.now() + timedelta(seconds=61))
    assert closed == [batch.pk]
    assert released == stuck
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.finished_at and "worker lost" in batch.errors[-1]["error"]

    # And a new worker finishes the rest: every post done, those done before the kill not redone
    analysed_at = dict(Post.objects.filter(pk__in=done_before).values_list("pk", "ai_analyzed_at"))
    with celery_worker("ai", WORKER_ENV | {"AI_BATCH_SIZE": "32"}):
        app.send_task("intelligence.tasks.analyze_pending")
        assert wait_for(lambda: not Post.objects.filter(pk__in=ids).exclude(ai_status=AIStatus.DONE).exists(), 120)
    assert dict(Post.objects.filter(pk__in=done_before).values_list("pk", "ai_analyzed_at")) == analysed_at
    redone = sum(AnalysisBatch.objects.exclude(pk=batch.pk).values_list("processed", flat=True))
    assert redone == len(ids) - len(done_before)
