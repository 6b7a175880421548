"""Through a real Celery worker on the real broker: the task re-queues itself until the backlog is empty."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import override_settings

from config.celery import app
from intelligence import tasks
from intelligence.models import AnalysisBatch
from posts.models import Post
from tests.factories import PostFactory


@pytest.mark.django_db(transaction=True)
@override_settings(AI_BACKEND="rules", AI_PIPELINE_BATCH=2)
def test_analyze_posts_requeues_itself_on_the_ai_queue_until_done():
    posts = PostFactory.create_batch(5, caption="loving this beach #travel")
    ids = [p.pk for p in posts]
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("ai")
    with start_worker(app, pool="solo", perform_ping_check=False, queues=["ai"], shutdown_timeout=30):
        tasks.analyze_posts.delay(ids)  # routed to the "ai" queue by CELERY_TASK_ROUTES
        deadline = time.monotonic() + 120
        while Post.objects.filter(pk__in=ids).exclude(ai_status="done").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
    assert not Post.objects.filter(pk__in=ids).exclude(ai_status="done").exists()
    # Three bounded batches (2 + 2 + 1): the first task re-queued itself twice.
    assert sorted(AnalysisBatch.objects.values_list("processed", flat=True)) == [1, 2, 2]
