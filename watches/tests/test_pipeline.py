"""The alert pipeline end to end with a real Celery worker: a scrape that shows a follower spike →
one event → one e-mail (locmem outbox) → one webhook POST to a loopback receiver; a second scrape
of the same numbers → nothing new."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from profiles.models import Profile, ProfileSnapshot
from scraping import collect
from scraping.tests.fake_upstream import FakeUpstream
from tests.factories import team_of
from tests.workers import celery_worker, wait_for
from watches import delivery
from watches.models import AlertSettings, Event, Watch

FOLLOWERS = 52_979_346  # web_profile_info__robertdowneyjr.json


@pytest.fixture
def receiver():
    """The user's webhook: a loopback HTTP server that records every POST."""
    server = FakeUpstream().start()
    server.serve_json("/hook", {"ok": True}, method="POST")
    yield server
    server.stop()


def _serve_rdj(fake_upstream: FakeUpstream) -> None:
    fake_upstream.serve(
        "/api/v1/users/web_profile_info/",
        "instagram/web/web_profile_info__robertdowneyjr.json",
        query={"username": "robertdowneyjr"},
    )
    fake_upstream.serve("/api/v1/feed/user/1518284433/", "instagram/web/media_detail__a1_carousel.json")
    fake_upstream.serve("/api/v1/clips/user/", "instagram/web/clips_user__reels.json", method="POST")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_spike_raises_one_event_one_email_one_webhook_and_no_duplicate(
    scrape_settings, fake_upstream, receiver, alice, client_for
):
    if not django_settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    scrape_settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    scrape_settings.WATCHES_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    _serve_rdj(fake_upstream)
    # Given: yesterday's snapshot 10 % lower, a watch on spikes, and an hourly digest by e-mail and webhook.
    creator = Profile.objects.create(platform="instagram", handle="robertdowneyjr", discovered_via="manual")
    ProfileSnapshot.objects.create(
        profile=creator, captured_at=timezone.now() - timedelta(days=1), followers_count=int(FOLLOWERS / 1.1)
    )
    client = client_for(alice)
    team_of(alice)
    watch = client.post(
        "/api/v1/watches/", {"profile": creator.pk, "events": ["follower_spike", "follower_drop"]}, format="json"
    )
    prefs = client.patch(
        "/api/v1/inbox/settings/", {"frequency": "hourly", "webhook_url": f"{receiver.url}/hook"}, format="json"
    )
    assert watch.status_code == 201, watch.json()
    assert prefs.status_code == 200, prefs.json()

    env = {
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "WATCHES_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    with celery_worker("default", env):
        # When: the creator is scraped (the on-commit hand-off queues the evaluation for the worker).
        assert collect.scrape("instagram", "robertdowneyjr").ok
        assert wait_for(lambda: Event.objects.exists())
        # The hourly digest (what beat's watches.tasks.send_digests runs): the e-mail from here, the
        # webhook POST queued for the worker.
        assert delivery.send_digests() == 1
        assert wait_for(lambda: receiver.count("/hook") == 1 and Event.objects.filter(webhook_status="sent").exists())

        # A second scrape of the same numbers, and the digest asked again: nothing new goes out.
        assert collect.scrape("instagram", "robertdowneyjr").ok
        assert wait_for(lambda: ProfileSnapshot.objects.filter(profile=creator).count() == 3)
        AlertSettings.objects.filter(user=alice).update(last_digest_at=None)
        delivery.send_digests()
        wait_for(lambda: receiver.count("/hook") > 1, timeout=5)

    event = Event.objects.get()
    assert event.kind == "follower_spike" and event.user == alice and event.watch_id == watch.json()["id"]
    assert event.detail["after"] == FOLLOWERS and event.emailed_at is not None
    assert len(mail.outbox) == 1 and "followers +10.0%" in mail.outbox[0].body
    assert mail.outbox[0].to == [alice.email]
    assert receiver.count("/hook") == 1
    hit = receiver.hits[0]
    assert b"follower_spike" in hit.body
    assert client.get("/api/v1/inbox/count/").json() == {"unread": 1}
    assert Watch.objects.count() == 1
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete("default", "media", "ai")
