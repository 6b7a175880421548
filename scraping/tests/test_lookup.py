"""On-demand lookups over loopback HTTP: the API, single flight, quota, stale copies, failures, access."""

from __future__ import annotations

import io
import json
import threading
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from profiles.models import Community, Profile, ProfileAccess
from scraping import collect, http, lookup
from scraping.models import Lookup, ScrapeRun
from scraping.tasks import run_scrape
from scraping.tests.conftest import serve_subreddit
from scraping.tests.fake_upstream import serve_any_instagram_creator
from tests.factories import MembershipFactory, ProfileFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
PROFILE_INFO = "/api/v1/users/web_profile_info/"


def post_lookup(client, platform: str, handle: str, **extra):
    return client.post("/api/v1/lookups/", {"platform": platform, "handle": handle, **extra}, format="json")


def finish(response) -> dict:
    """Run the queued lookup the way the ``lookups`` worker does, then read its status URL."""
    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["status_url"]
    lookup.run(response.json()["id"])
    return response.json()


@pytest.fixture
def lookups_broker():
    yield
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        # Committed lookups queue real messages; leave the broker as it was found.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("lookups", "media", "ai")


def test_lookup_of_an_uncollected_instagram_creator(scrape_settings, fake_upstream, client_for, alice):
    serve_any_instagram_creator(fake_upstream)
    client = client_for(alice)

    started = finish(post_lookup(client, "instagram", "https://www.instagram.com/NewCreator_1/"))
    body = client.get(started["status_url"]).json()

    assert started["status"] == "queued" and started["handle"] == "newcreator_1"
    assert body["status"] == "ready" and body["stale"] is False and body["error"] is None
    assert [step["name"] for step in body["steps"]] == ["queued", "profile", "posts", "analysing", "ready"]
    assert all(step["seconds"] is not None for step in body["steps"][:-1])
    assert body["api_calls"] == 3 and float(body["estimated_cost"]) > 0  # profile, feed, reels
    assert body["report"]["handle"] == "newcreator_1" and body["report"]["engagement_rate"] is not None
    assert body["report_url"] == "/api/v1/profiles/instagram/newcreator_1/"
    assert set(body["pending"]) >= {"ai_analysis", "media"}  # they follow on their own queues
    creator = Profile.objects.get(handle="newcreator_1")
    assert creator.review_status == "unreviewed" and creator.discovered_via == "lookup"
    assert creator.next_scrape_at > timezone.now() and creator.posts.count() == 13
    assert ProfileAccess.objects.filter(user=alice, profile=creator).exists()
    assert client.get(body["report_url"]).status_code == 200


def test_lookup_of_a_reddit_user_and_a_subreddit(scrape_settings, fake_upstream, client_for, alice):
    fake_upstream.serve("/user/Lil_SpazBot/about", "reddit/user_about__Lil_SpazBot_2025.json")
    fake_upstream.serve("/user/Lil_SpazBot/submitted", "reddit/user_submitted__spez_new.json")
    serve_subreddit(fake_upstream, "announcements")
    client = client_for(alice)

    user = finish(post_lookup(client, "reddit", "u/Lil_SpazBot"))
    community = finish(post_lookup(client, "reddit", "https://old.reddit.com/r/announcements/"))

    user, community = client.get(user["status_url"]).json(), client.get(community["status_url"]).json()
    assert user["platform"] == "reddit-user" and user["status"] == "ready"
    assert user["report"]["handle"] == "Lil_SpazBot" and user["report"]["total_karma"] == 1
    assert community["platform"] == "subreddit" and community["status"] == "ready"
    assert community["report"]["name"] == "announcements"
    assert community["report_url"] == "/api/v1/communities/announcements/"
    assert Community.objects.get(name="announcements").posts.count() > 0


def test_a_fresh_copy_answers_200_without_an_upstream_call(scrape_settings, fake_upstream, client_for, alice):
    ProfileFactory(platform="instagram", handle="natgeo", last_scraped_at=timezone.now(), scrape_status="ok")

    response = post_lookup(client_for(alice), "instagram", "@NatGeo", max_age=600)

    assert response.status_code == 200
    assert response.json()["from_cache"] is True and response.json()["report"]["handle"] == "natgeo"
    assert fake_upstream.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_lookups_share_one_upstream_fetch(scrape_settings, fake_upstream, lookups_broker):
    serve_any_instagram_creator(fake_upstream)
    users = [UserFactory(username="first"), UserFactory(username="second")]
    team = TeamFactory()
    for user in users:
        MembershipFactory(team=team, user=user)
    barrier = threading.Barrier(2)
    answers: dict[str, dict] = {}

    def ask(user) -> None:
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        answers[user.username] = post_lookup(client, "instagram", "samehandle").json()
        connections.close_all()

    threads = [threading.Thread(target=ask, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    leader = Lookup.objects.get(leader__isnull=True)
    assert Lookup.objects.filter(leader=leader).count() == 1
    lookup.run(leader.pk)
    assert fake_upstream.count(PROFILE_INFO) == 1  # the upstream's request log: one fetch
    rows = Lookup.objects.order_by("id")
    assert [row.status for row in rows] == ["ready", "ready"]
    assert {row.profile_id for row in rows} == {Profile.objects.get(handle="samehandle").pk}
    assert [answers[u.username]["id"] for u in users] != [None, None]
    assert ProfileAccess.objects.filter(profile__handle="samehandle").count() == 2
    follower = Lookup.objects.get(leader=leader)
    assert follower.api_calls == 0 and leader.__class__.objects.get(pk=leader.pk).api_calls == 3


def test_quota_used_up_answers_403_before_any_upstream_call(scrape_settings, fake_upstream, client_for, alice):
    scrape_settings.PROFILE_ACCESS_MONTHLY_LIMIT = 1
    ProfileAccess.objects.create(
        user=alice, profile=ProfileFactory(), granted_at=timezone.now(), expires_at=timezone.now() + timedelta(days=30)
    )
    serve_any_instagram_creator(fake_upstream)

    response = post_lookup(client_for(alice), "instagram", "brandnew")

    assert response.status_code == 403
    assert response.json()["code"] == "quota_exceeded" and response.json()["resets_at"]
    assert "monthly limit" in response.json()["detail"]
    assert fake_upstream.count() == 0 and Lookup.objects.count() == 0


def test_with_the_team_scope_a_teammates_grants_use_up_the_teams_quota(
    scrape_settings, fake_upstream, client_for, alice, agency, member_of
):
    scrape_settings.PROFILE_ACCESS_MONTHLY_LIMIT = 1
    scrape_settings.PROFILE_ACCESS_SCOPE = "team"
    now = timezone.now()
    teammate = member_of("analyst")
    ProfileAccess.objects.create(
        user=teammate, team=agency, profile=ProfileFactory(), granted_at=now, expires_at=now + timedelta(days=30)
    )
    serve_any_instagram_creator(fake_upstream)

    response = post_lookup(client_for(alice), "instagram", "brandnew")

    assert response.status_code == 403 and response.json()["code"] == "quota_exceeded"
    assert fake_upstream.count() == 0 and Lookup.objects.count() == 0


def test_a_failed_lookup_costs_nothing(scrape_settings, fake_upstream, client_for, alice):
    fake_upstream.fault(PROFILE_INFO, "not_found")

    body = finish(post_lookup(client_for(alice), "instagram", "nobody_here"))

    row = Lookup.objects.get(pk=body["id"])
    assert row.status == "failed" and row.error_code == "not_found"
    assert ProfileAccess.objects.filter(user=alice).count() == 0


def test_upstream_5xx_serves_the_stored_copy_as_stale(scrape_settings, fake_upstream, client_for, alice):
    stored = ProfileFactory(
        platform="instagram", handle="oldcopy", last_scraped_at=timezone.now() - timedelta(hours=3), scrape_status="ok"
    )
    fake_upstream.fault(PROFILE_INFO, "bad_gateway", times=10)
    client = client_for(alice)

    body = client.get(finish(post_lookup(client, "instagram", "oldcopy"))["status_url"]).json()

    assert body["status"] == "ready" and body["stale"] is True
    assert 3 * 3600 - 60 < body["age_seconds"] < 3 * 3600 + 60
    assert body["error"]["code"] == "upstream_down" and "not answering" in body["error"]["message"]
    assert body["report"]["handle"] == "oldcopy" and body["report"]["id"] == stored.pk


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        ("private", "private", "@hidden_one is private on Instagram"),
        ("not_found", "not_found", "Instagram has no account @hidden_one"),
        ("banned", "banned", "@hidden_one is banned or suspended on Instagram"),
        ("challenge", "upstream_refused", "Instagram refused the request (challenge)"),
        ("server_error", "upstream_down", "Instagram is not answering right now (server_error)"),
    ],
)
def test_failures_without_a_copy_say_why(scrape_settings, fake_upstream, client_for, alice, fault, code, message):
    fake_upstream.fault(PROFILE_INFO, fault, times=10)
    client = client_for(alice)

    response = client.get(finish(post_lookup(client, "instagram", "hidden_one"))["status_url"])

    body = response.json()
    assert response.status_code == 200 and body["status"] == "failed" and body["report"] is None
    assert body["error"]["code"] == code and message in body["error"]["message"]


def test_throttled_upstream_says_how_long_to_wait(scrape_settings, fake_upstream, client_for, alice):
    fake_upstream.fault(PROFILE_INFO, "429", retry_after="120", times=10)
    client = client_for(alice)

    response = client.get(finish(post_lookup(client, "instagram", "busy_one"))["status_url"])

    assert response.json()["error"]["code"] == "rate_limited"
    assert (
        response.json()["error"]["retry_after"] == 120 and "Try again in 120 s" in response.json()["error"]["message"]
    )
    assert response["Retry-After"] == "120"


def test_a_lookup_that_outlives_its_timeout_ends_as_failed(scrape_settings, fake_upstream, client_for, alice):
    client = client_for(alice)
    started = post_lookup(client, "instagram", "slow_one").json()
    Lookup.objects.filter(pk=started["id"]).update(created_at=timezone.now() - timedelta(seconds=61))

    body = client.get(started["status_url"]).json()

    assert body["status"] == "failed" and body["error"]["code"] == "timeout"
    assert "did not finish within 60 s" in body["error"]["message"]
    assert lookup.run(started["id"]) is None  # the worker that picks it up late does nothing
    assert fake_upstream.count() == 0


def test_a_slow_upstream_read_times_out_with_its_reason(scrape_settings, fake_upstream, client_for, alice):
    fake_upstream.fault(PROFILE_INFO, "timeout", delay=1.5, times=10)
    client = client_for(alice)

    body = client.get(finish(post_lookup(client, "instagram", "sleepy_one"))["status_url"]).json()

    assert body["status"] == "failed" and body["error"]["code"] == "upstream_down"
    assert "timeout" in body["error"]["message"]


def test_lookups_are_the_teams_and_404_to_other_teams(scrape_settings, client_for, alice, bob, charlie, member_of):
    mine = post_lookup(client_for(alice), "instagram", "someone").json()
    teammate, viewer = member_of("analyst"), member_of("viewer")

    assert Lookup.objects.get(pk=mine["id"]).team.slug == "agency"
    assert client_for(teammate).get(mine["status_url"]).status_code == 200
    assert client_for(teammate).get("/api/v1/lookups/").json()["count"] == 1
    assert client_for(charlie).get(mine["status_url"]).status_code == 404
    assert client_for(bob).get(mine["status_url"]).status_code == 404  # staff of no team, as in admin
    assert client_for(charlie).get("/api/v1/lookups/").json()["count"] == 0
    assert APIClient().get(mine["status_url"]).status_code in (401, 403)
    # Asking adds a row to the team: a viewer, or a user of no team, is refused before anything is stored
    assert post_lookup(client_for(viewer), "instagram", "another").status_code == 403
    assert post_lookup(client_for(bob), "instagram", "another").status_code == 403
    assert Lookup.objects.count() == 1


@pytest.mark.parametrize(
    ("platform", "handle", "field", "message"),
    [
        ("instagram", "way.too.long.handle.for.instagram.x", "handle", "1-30 letters"),
        ("instagram", "bad handle!", "handle", "1-30 letters"),
        ("instagram", "https://www.tiktok.com/@someone", "handle", "not a link to instagram.com"),
        ("instagram", "https://instagram.com/p/Cx1/", "handle", "not a profile"),
        ("reddit", "ab", "handle", "3-20 letters"),
        ("subreddit", "r/ab", "handle", "3-21 letters"),
        ("reddit", "https://example.com/r/python", "handle", "not a link to reddit.com"),
        ("tiktok", "someone", "platform", "Unknown platform"),
        ("instagram", "", "handle", ""),
    ],
)
def test_bad_input_answers_400_and_stores_nothing(scrape_settings, client_for, alice, platform, handle, field, message):
    response = post_lookup(client_for(alice), platform, handle)

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert Lookup.objects.count() == 0


@pytest.mark.parametrize(
    ("platform", "text", "expected"),
    [
        ("instagram", "@NatGeo", ("instagram", "natgeo")),
        ("instagram", "instagram.com/nat.geo_1", ("instagram", "nat.geo_1")),
        ("instagram", "https://www.instagram.com/natgeo/?hl=en", ("instagram", "natgeo")),
        ("reddit", "spez", ("reddit-user", "spez")),
        ("reddit", "/u/spez", ("reddit-user", "spez")),
        ("reddit", "https://www.reddit.com/user/spez/submitted/", ("reddit-user", "spez")),
        ("reddit", "r/Python", ("subreddit", "Python")),
        ("subreddit", "https://old.reddit.com/r/AskReddit/", ("subreddit", "AskReddit")),
        ("Subreddit", "python", ("subreddit", "python")),
    ],
)
def test_handles_and_urls_are_normalised(platform, text, expected):
    assert lookup.parse_target(platform, text) == expected


def test_lookup_command_prints_a_json_line(scrape_settings, fake_upstream):
    serve_any_instagram_creator(fake_upstream)
    out = io.StringIO()

    call_command("lookup", "instagram", "@cli_creator", "--json", stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["status"] == "ready" and summary["handle"] == "cli_creator" and summary["api_calls"] == 3
    assert [s["name"] for s in summary["steps"]][-1] == "ready"


def test_lookup_command_fails_with_the_reason(scrape_settings, fake_upstream):
    fake_upstream.fault(PROFILE_INFO, "private")

    with pytest.raises(CommandError, match="private"):
        call_command("lookup", "instagram", "hidden", "--json", stdout=io.StringIO())


def test_staff_start_scrapes_from_the_api(scrape_settings, fake_upstream, client_for, alice, bob):
    serve_any_instagram_creator(fake_upstream)
    targets = {"targets": [{"kind": "instagram", "target": "@ops_one"}, {"kind": "instagram", "target": "ops_two"}]}

    refused = client_for(alice).post("/api/v1/ops/scrapes/", targets, format="json")
    bad = client_for(bob).post("/api/v1/ops/scrapes/", {"targets": [{"kind": "tiktok", "target": "x"}]}, format="json")
    response = client_for(bob).post("/api/v1/ops/scrapes/", targets, format="json")

    assert refused.status_code == 403 and bad.status_code == 400
    assert response.status_code == 202
    runs = response.json()["runs"]
    assert [(r["target"], r["status"]) for r in runs] == [("ops_one", "queued"), ("ops_two", "queued")]
    run_scrape.apply(args=[runs[0]["id"]])
    assert ScrapeRun.objects.get(pk=runs[0]["id"]).status == "succeeded"
    assert client_for(bob).get(runs[0]["status_url"]).json()["status"] == "succeeded"


def _spend_budget(settings, tokens: float) -> None:
    """Leave Instagram's shared bucket at ``tokens`` (negative: requests already promised to others)."""
    upstream = collect.upstream_of("instagram")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.hset(http.rate_limit_key(upstream), mapping={"tokens": tokens, "ts": client.time()[0]})


def test_a_lookup_that_must_wait_for_the_budget_says_how_long(scrape_settings, fake_upstream, client_for, alice):
    scrape_settings.INSTAGRAM_REQUESTS_PER_MINUTE = 60  # one a second
    serve_any_instagram_creator(fake_upstream)
    _spend_budget(scrape_settings, -1)
    client = client_for(alice)

    body = client.get(finish(post_lookup(client, "instagram", "patient_one"))["status_url"]).json()

    assert body["status"] == "ready"
    assert 1 <= body["steps"][1]["wait_seconds"] <= 2.5  # "fetching profile" waited, and said so


def test_a_wait_longer_than_the_timeout_fails_at_once_with_the_wait(scrape_settings, fake_upstream, client_for, alice):
    scrape_settings.INSTAGRAM_REQUESTS_PER_MINUTE = 60
    _spend_budget(scrape_settings, -100)  # scheduled scrapes have the next 100 s
    client = client_for(alice)

    response = client.get(finish(post_lookup(client, "instagram", "impatient_one"))["status_url"])

    error = response.json()["error"]
    assert error["code"] == "rate_limited" and 95 <= error["retry_after"] <= 102
    assert "Try again in 10" in error["message"] and int(response["Retry-After"]) >= 95
    assert fake_upstream.count() == 0


def test_lookup_pages_box_progress_and_isolation(scrape_settings, fake_upstream, client, alice, charlie):
    serve_any_instagram_creator(fake_upstream)
    client.force_login(alice)

    search = client.get("/creators/")
    bad = client.post("/lookups/start/", {"platform": "instagram", "handle": "no spaces allowed"})
    stored_after_bad = Lookup.objects.count()
    started = client.post("/lookups/start/", {"platform": "instagram", "handle": "@Page_Creator"})

    assert 'action="/lookups/start/"' in search.content.decode() and "Look up @handle" in search.content.decode()
    assert bad.status_code == 400 and "1-30 letters" in bad.content.decode() and stored_after_bad == 0
    row = Lookup.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/lookups/{row.pk}/"
    page = client.get(f"/lookups/{row.pk}/")
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.content.decode()
    assert 'data-status="queued"' in page.content.decode()
    lookup.run(row.pk)
    partial = client.get(f"/lookups/{row.pk}/progress/", HTTP_HX_REQUEST="true")
    creator = Profile.objects.get(handle="page_creator")
    assert partial["HX-Redirect"] == f"/creators/{creator.pk}/" and "hx-trigger" not in partial.content.decode()
    assert client.get(f"/lookups/{row.pk}/")["Location"] == f"/creators/{creator.pk}/"
    client.force_login(charlie)
    assert client.get(f"/lookups/{row.pk}/").status_code == 404
    assert client.get(f"/lookups/{row.pk}/progress/").status_code == 404


def test_a_failed_lookup_page_shows_the_reason_and_stops_polling(scrape_settings, fake_upstream, client, alice):
    fake_upstream.fault(PROFILE_INFO, "private")
    client.force_login(alice)
    client.post("/lookups/start/", {"platform": "instagram", "handle": "hidden_page"})
    row = Lookup.objects.get()

    lookup.run(row.pk)
    page = client.get(f"/lookups/{row.pk}/").content.decode()

    assert "@hidden_page is private on Instagram" in page and "hx-trigger" not in page
