"""What raises which event, the webhook's SSRF guard and retries, and whose watches and inbox are whose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from posts.models import Post
from profiles.models import Community, CommunitySnapshot, List, ListEntry, ProfileSnapshot
from scraping.tests.fake_upstream import FakeUpstream
from tests.factories import PostFactory, ProfileFactory, team_of
from watches import delivery, events
from watches.models import AlertSettings, Event, Watch
from watches.tasks import send_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def _watch(user, **fields) -> Watch:
    return Watch.objects.create(team=team_of(user), user=user, **fields)


def _snapshots(profile, *points):
    start = timezone.now() - timedelta(days=len(points))
    for i, (followers, rate) in enumerate(points):
        ProfileSnapshot.objects.create(
            profile=profile, captured_at=start + timedelta(days=i), followers_count=followers, engagement_rate=rate
        )


def test_drop_and_engagement_change_beyond_thresholds(alice):
    creator = ProfileFactory()
    _watch(alice, profile=creator, events=["follower_drop", "engagement_change"], engagement_threshold_pct=20)
    _snapshots(creator, (10_000, 2.0), (9_000, 1.5))

    raised = events.evaluate("profile", creator.pk)
    again = events.evaluate("profile", creator.pk)

    assert sorted(e.kind for e in raised) == ["engagement_change", "follower_drop"]
    assert again == [] and Event.objects.count() == 2


def test_small_changes_raise_nothing(alice):
    creator = ProfileFactory()
    _watch(alice, profile=creator, events=["follower_spike", "follower_drop", "engagement_change"])
    _snapshots(creator, (10_000, 2.0), (10_300, 2.2))

    assert events.evaluate("profile", creator.pk) == []


def test_sponsored_post_and_brand_mention_on_a_watched_list(alice):
    creator = ProfileFactory()
    shortlist = List.objects.create(team=team_of(alice), user=alice, name="Client A")
    ListEntry.objects.create(list=shortlist, profile=creator)
    _watch(alice, watched_list=shortlist, events=["sponsored_post", "brand_mention"], brand="@Rival")
    paid = PostFactory(author=creator, is_paid_partnership=True, mentions=["rival"])
    plain = PostFactory(author=creator, caption="coffee")
    old = PostFactory(author=creator, is_sponsored=True)
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))

    raised = events.evaluate("profile", creator.pk, [paid.pk, plain.pk, old.pk])

    assert sorted((e.kind, e.post_id) for e in raised) == [("brand_mention", paid.pk), ("sponsored_post", paid.pk)]


def test_subreddit_rule_change_after_a_first_look(alice):
    community = Community.objects.create(name="pics", rules=[{"short_name": "No spam"}])
    CommunitySnapshot.objects.create(community=community, subscribers=100)
    _watch(alice, community=community, events=["rule_change"])

    first = events.evaluate("community", community.pk)
    Community.objects.filter(pk=community.pk).update(rules=[{"short_name": "No spam"}, {"short_name": "OC only"}])
    changed = events.evaluate("community", community.pk)
    unchanged = events.evaluate("community", community.pk)

    assert first == [] and unchanged == []
    assert [e.kind for e in changed] == ["rule_change"] and changed[0].detail["rules"] == ["No spam", "OC only"]


def test_two_watches_on_one_creator_store_one_event(alice):
    creator = ProfileFactory()
    shortlist = List.objects.create(team=team_of(alice), user=alice, name="Client B")
    ListEntry.objects.create(list=shortlist, profile=creator)
    _watch(alice, profile=creator, events=["follower_spike"])
    _watch(alice, watched_list=shortlist, events=["follower_spike"])
    _snapshots(creator, (1000, None), (2000, None))

    events.evaluate("profile", creator.pk)

    assert Event.objects.count() == 1


def test_immediate_email_is_sent_once(alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    creator = ProfileFactory()
    _watch(alice, profile=creator, events=["follower_spike"])
    _snapshots(creator, (1000, None), (2000, None))
    events.evaluate("profile", creator.pk)

    assert delivery.deliver(alice.pk) == {"emailed": 1, "webhook": 0}
    assert delivery.deliver(alice.pk) == {"emailed": 0, "webhook": 0}
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "ftp://a/b",
    ],
)
def test_webhook_to_a_private_or_loopback_address_is_refused(alice, client_for, url):
    response = client_for(alice).patch("/api/v1/inbox/settings/", {"webhook_url": url}, format="json")

    assert response.status_code == 400 and "webhook_url" in response.json()
    assert AlertSettings.of(alice).webhook_url == ""


def test_failing_webhook_is_retried_then_marked_failed(alice, settings):
    settings.WATCHES_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WATCHES_WEBHOOK_ATTEMPTS = 3
    settings.WATCHES_WEBHOOK_BACKOFF = 0
    server = FakeUpstream().start()
    try:
        server.fault("/hook", "server_error", times=10)
        AlertSettings.objects.create(user=alice, webhook_url=f"{server.url}/hook")
        event = Event.objects.create(user=alice, kind="follower_spike", key="k", title="t", webhook_status="sending")

        send_webhook.apply(args=[alice.pk, [event.pk]])

        event.refresh_from_db()
        assert server.count("/hook") == 3
    finally:
        server.stop()
    assert event.webhook_status == "failed" and event.webhook_attempts == 3 and "500" in event.webhook_error


def test_watches_and_inbox_of_others_are_not_found(alice, charlie, client_for):
    creator = ProfileFactory()
    watch = _watch(alice, profile=creator, events=["follower_spike"])
    event = Event.objects.create(user=alice, kind="follower_spike", key="k", title="spike")
    their_list = List.objects.create(team=team_of(charlie), user=charlie, name="Theirs")
    client = client_for(charlie)

    assert client.get(f"/api/v1/watches/{watch.pk}/").status_code == 404
    assert client.get(f"/api/v1/inbox/{event.pk}/").status_code == 404
    assert client.get("/api/v1/inbox/").json()["count"] == 0
    mine = client_for(alice).post(
        "/api/v1/watches/", {"watched_list": their_list.pk, "events": ["sponsored_post"]}, format="json"
    )
    assert mine.status_code == 400 and "watched_list" in mine.json()


def test_watch_validation_messages(alice, client_for):
    creator, community = ProfileFactory(), Community.objects.create(name="pics")
    client = client_for(alice)

    no_target = client.post("/api/v1/watches/", {"events": ["follower_spike"]}, format="json")
    wrong_kind = client.post(
        "/api/v1/watches/", {"community": community.pk, "events": ["sponsored_post"]}, format="json"
    )
    no_brand = client.post("/api/v1/watches/", {"profile": creator.pk, "events": ["brand_mention"]}, format="json")
    bad_threshold = client.post(
        "/api/v1/watches/",
        {"profile": creator.pk, "events": ["follower_spike"], "follower_threshold_pct": 0},
        format="json",
    )

    assert no_target.status_code == 400 and "profile" in no_target.json()
    assert wrong_kind.status_code == 400 and "events" in wrong_kind.json()
    assert no_brand.status_code == 400 and "brand" in no_brand.json()
    assert bad_threshold.status_code == 400 and "follower_threshold_pct" in bad_threshold.json()


def test_inbox_marks_read(alice, client_for):
    event = Event.objects.create(user=alice, kind="follower_spike", key="k", title="spike")
    Event.objects.create(user=alice, kind="follower_drop", key="k2", title="drop")
    client = client_for(alice)

    assert client.get("/api/v1/inbox/count/").json() == {"unread": 2}
    assert client.patch(f"/api/v1/inbox/{event.pk}/", {"read": True}, format="json").json()["read"] is True
    assert client.get("/api/v1/inbox/?unread=true").json()["count"] == 1
    assert client.post("/api/v1/inbox/read-all/").json() == {"unread": 0}


def test_digest_waits_for_its_period(alice):
    AlertSettings.objects.create(user=alice, frequency="daily", last_digest_at=timezone.now() - timedelta(hours=2))
    Event.objects.create(user=alice, kind="follower_spike", key="k", title="spike")

    assert delivery.due_digests() == []
    assert delivery.due_digests(now=datetime.now(UTC) + timedelta(days=1)) == [alice.pk]
