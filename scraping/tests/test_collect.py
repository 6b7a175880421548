"""Whole scrapes over loopback HTTP: the command, runs and logs, control, discovery, providers."""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from posts.models import Post
from profiles.models import Community, CommunitySnapshot, Profile, ProfileSnapshot
from scraping import collect, control
from scraping.models import Scraper, ScrapeRun, SystemLog
from scraping.tests.conftest import serve_subreddit

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_scrape_subreddit_command_twice(scrape_settings, fake_upstream):
    serve_subreddit(fake_upstream)

    first = run_command("scrape", "subreddit", "r/announcements")
    second = run_command("scrape", "subreddit", "announcements")

    assert first["status"] == "succeeded" and first["api_calls"] == 4  # about, rules, post requirements, hot
    assert first["created"] == 101 and first["updated"] == 0 and first["snapshots"] == 1
    assert second["created"] == 0 and second["updated"] == 101 and second["snapshots"] == 1
    community = Community.objects.get(name="announcements")
    assert community.snapshots.count() == 2 and community.metrics_computed_at is not None
    assert community.next_scrape_at > timezone.now()
    runs = ScrapeRun.objects.filter(kind="subreddit").order_by("id")
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert runs[0].api_calls == 4 and runs[0].duration_seconds > 0
    assert SystemLog.objects.filter(scrape_run=runs[0]).count() == 2  # started, finished


def test_scrape_reddit_user_command(scrape_settings, fake_upstream):
    fake_upstream.serve("/user/Lil_SpazBot/about", "reddit/user_about__Lil_SpazBot_2025.json")
    fake_upstream.serve("/user/Lil_SpazBot/submitted", "reddit/user_submitted__spez_new.json")

    summary = run_command("scrape", "reddit-user", "u/Lil_SpazBot")

    assert summary["status"] == "succeeded" and summary["snapshots"] == 1 and summary["posts"] == 100
    user = Profile.objects.get(platform="reddit", handle="Lil_SpazBot")
    assert user.total_karma == 1 and user.posts.count() == 100
    assert summary["discovered_communities"] == Community.objects.count() > 0


def test_scrape_instagram_web_provider_through_an_envelope(scrape_settings, fake_upstream):
    # A Decodo-style provider wraps Instagram's JSON in {"results": [{"content": ..., "status_code": 200}]}.
    scrape_settings.INSTAGRAM_RESPONSE_ENVELOPE = "results.0.content"
    scrape_settings.INSTAGRAM_PROVIDER_HEADERS = {"X-Provider-Key": "k1"}

    def wrap(body):
        return {"results": [{"content": body, "status_code": 200}]}

    fake_upstream.serve(
        "/api/v1/users/web_profile_info/",
        "instagram/web/web_profile_info__robertdowneyjr.json",
        query={"username": "robertdowneyjr"},
        transform=wrap,
    )
    fake_upstream.serve("/api/v1/feed/user/1518284433/", "instagram/web/media_detail__a1_carousel.json", transform=wrap)
    fake_upstream.serve("/api/v1/clips/user/", "instagram/web/clips_user__reels.json", method="POST", transform=wrap)

    summary = run_command("scrape", "instagram", "@robertdowneyjr")

    assert summary["status"] == "succeeded" and summary["api_calls"] == 3
    creator = Profile.objects.get(platform="instagram", handle="robertdowneyjr")
    assert creator.followers_count == 52979346 and creator.posts.count() == 13  # 1 feed post + 12 reels
    assert creator.engagement_rate is not None and creator.metrics_computed_at is not None
    assert all(hit.headers.get("X-Provider-Key") == "k1" for hit in fake_upstream.hits)
    reels_call = next(hit for hit in fake_upstream.hits if hit.path == "/api/v1/clips/user/")
    assert b"target_user_id=1518284433" in reels_call.body


def test_wrapped_not_found_is_permanent(scrape_settings, fake_upstream):
    scrape_settings.INSTAGRAM_RESPONSE_ENVELOPE = "results.0.content"
    fake_upstream.serve_json(
        "/api/v1/users/web_profile_info/", {"results": [{"content": {"message": "Not Found"}, "status_code": 404}]}
    )

    with pytest.raises(CommandError, match="not_found"):
        run_command("scrape", "instagram", "nobody_here")

    assert fake_upstream.count() == 1


def test_scrape_instagram_graph_provider(scrape_settings, fake_upstream):
    scrape_settings.INSTAGRAM_PROVIDER = "graph"
    scrape_settings.INSTAGRAM_GRAPH_ACCESS_TOKEN = "token-1"
    scrape_settings.INSTAGRAM_GRAPH_USER_ID = "17841405309211844"
    fake_upstream.serve("/graph/17841405309211844", "instagram/graph_api/business_discovery__meta_docs_sample.json")

    summary = run_command("scrape", "instagram", "bluebottle")

    assert summary["status"] == "succeeded"
    creator = Profile.objects.get(platform="instagram", handle="bluebottle")
    assert creator.followers_count == 267788 and creator.posts_count == 1205 and creator.is_business
    hit = fake_upstream.hits[0]
    assert hit.query["access_token"] == "token-1"
    assert hit.query["fields"].startswith("business_discovery.username(bluebottle){")


def test_private_subreddit_marks_the_target_and_exits_non_zero(scrape_settings, fake_upstream):
    Community.objects.create(name="secretclub", discovered_via="manual")
    fake_upstream.fault("/r/secretclub/about", "private")

    out = io.StringIO()
    with pytest.raises(CommandError, match="private"):
        call_command("scrape", "subreddit", "secretclub", "--json", stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["status"] == "failed" and summary["api_calls"] == 1
    community = Community.objects.get(name="secretclub")
    assert community.scrape_status == "private" and "private" in community.last_error
    assert community.next_scrape_at > timezone.now() + timedelta(days=6)
    assert SystemLog.objects.filter(level="warning", message__contains="secretclub").exists()


def test_bad_target_name_is_one_clear_line(scrape_settings):
    with pytest.raises(CommandError, match="not a valid subreddit name"):
        call_command("scrape", "subreddit", "no spaces allowed", stdout=io.StringIO())
    assert ScrapeRun.objects.count() == 0


def test_oauth_mode_fetches_a_token_and_renews_it_once_on_401(scrape_settings, fake_upstream):
    scrape_settings.REDDIT_CLIENT_ID, scrape_settings.REDDIT_CLIENT_SECRET = "id-1", "secret-1"
    from django.core.cache import cache

    cache.delete("scraping:reddit:token:id-1")
    fake_upstream.serve_json("/api/v1/access_token", {"access_token": "tok", "expires_in": 86400}, method="POST")
    serve_subreddit(fake_upstream)
    for path in ("/r/announcements/about", "/r/announcements/about/rules", "/r/announcements/hot"):
        fake_upstream.serve(
            "/oauth" + path,
            {
                "/r/announcements/about": "reddit/subreddit_about__announcements.json",
                "/r/announcements/about/rules": "reddit/subreddit_rules.json",
                "/r/announcements/hot": "reddit/subreddit_hot__popular_2026.json",
            }[path],
        )
    fake_upstream.serve_json("/oauth/r/announcements/about", {"message": "Unauthorized", "error": 401}, status=401)

    outcome = collect.scrape("subreddit", "announcements")

    # The about call was refused with 401 both times (token renewed in between): a clean failure.
    assert not outcome.ok and outcome.error.reason == "unauthorized"
    assert fake_upstream.count("/api/v1/access_token") == 2
    oauth_hits = [h for h in fake_upstream.hits if h.path.startswith("/oauth/")]
    assert oauth_hits and all(h.headers["Authorization"] == "bearer tok" for h in oauth_hits)
    cache.delete("scraping:reddit:token:id-1")


def test_discovered_targets_get_metadata_only_until_approved(scrape_settings, fake_upstream):
    serve_subreddit(fake_upstream)
    collect.scrape("subreddit", "announcements")
    author = Profile.objects.filter(platform="reddit").exclude(discovered_via="manual").first()
    posts_before = Post.objects.count()

    def as_author(body):
        body["data"]["name"] = author.handle
        return body

    fake_upstream.serve(f"/user/{author.handle}/about", "reddit/user_about__Lil_SpazBot_2025.json", transform=as_author)
    fake_upstream.serve(f"/user/{author.handle}/submitted", "reddit/user_submitted__spez_new.json")

    outcome = collect.scrape("reddit-user", author.handle, discovered_via=author.discovered_via)

    assert outcome.ok and fake_upstream.count(f"/user/{author.handle}/submitted") == 0
    assert Post.objects.count() == posts_before
    Profile.objects.filter(pk=author.pk).update(review_status="approved")
    assert collect.scrape("reddit-user", author.handle, discovered_via=author.discovered_via).ok
    assert fake_upstream.count(f"/user/{author.handle}/submitted") == 1


def test_discovery_fetches_subreddit_metadata_in_one_batch_call(scrape_settings, fake_upstream):
    names = ["reddit.com", "redditdev", "python", "learnpython"]
    for name in names:
        Community.objects.create(name=name, discovered_via="seen in r/popular")
    fake_upstream.serve("/api/info", "reddit/api_info__sr_names.json")

    found = collect.discover()

    assert found["communities"] >= 1 and fake_upstream.count("/api/info") == 1
    assert CommunitySnapshot.objects.count() == found["communities"]
    assert Post.objects.count() == 0
    assert set(Community.objects.values_list("review_status", flat=True)) == {"unreviewed"}


def test_watchdog_marks_a_silent_scraper_stalled(scrape_settings):
    scraper = control.get_scraper("reddit")
    run = ScrapeRun.objects.create(scraper=scraper, kind="refresh-communities", status="running")
    Scraper.objects.filter(pk=scraper.pk).update(
        status="running", current_run=run, heartbeat_at=timezone.now() - timedelta(minutes=30)
    )
    fresh = control.get_scraper("instagram")
    Scraper.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=timezone.now())

    assert control.watchdog() == ["reddit"]

    scraper.refresh_from_db()
    run.refresh_from_db()
    assert scraper.status == "stalled" and run.status == "failed"
    assert Scraper.objects.get(name="instagram").status == "running"


def test_scrapers_command_start_stop_status():
    out = io.StringIO()
    call_command("scrapers", "stop", "reddit", "--json", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1]) == [
        {"name": "reddit", "enabled": False, "status": "stopped", "heartbeat_at": None, "current_run": None}
    ]
    out = io.StringIO()
    call_command("scrapers", "start", "--json", stdout=out)
    rows = json.loads(out.getvalue().splitlines()[-1])
    assert [(r["name"], r["enabled"], r["status"]) for r in rows] == [
        ("instagram", True, "idle"),
        ("reddit", True, "idle"),
    ]


def test_a_stopped_scraper_does_not_start(scrape_settings, fake_upstream):
    serve_subreddit(fake_upstream, "one")
    rows = [Community.objects.create(name="one", discovered_via="manual")]
    control.set_enabled("reddit", False)

    batch = collect.run_targets("reddit", "subreddit", rows, batch_kind="refresh-communities")

    assert batch.status == "cancelled" and fake_upstream.count() == 0


@pytest.mark.django_db(transaction=True)
def test_stopping_a_running_scraper_takes_effect_before_the_next_target(scrape_settings, fake_upstream):
    names = ["one", "two", "three", "four"]
    # Each rules call answers after 1.5 s (within the read timeout), so the batch is still on its
    # next target when staff press stop, even on a loaded machine.
    scrape_settings.SCRAPING_TIMEOUTS = (1.0, 5.0)
    for name in names:
        serve_subreddit(fake_upstream, name)
        fake_upstream.fault(f"/r/{name}/about/rules", "timeout", delay=1.5)
        Community.objects.create(name=name, discovered_via="manual")
    rows = list(Community.objects.due_for_scrape())
    assert len(rows) == 4

    def batch() -> None:
        try:
            collect.run_targets("reddit", "subreddit", rows, batch_kind="refresh-communities")
        finally:
            connections.close_all()  # the worker thread's own connection

    worker = threading.Thread(target=batch)
    worker.start()
    deadline = time.monotonic() + 20
    while not ScrapeRun.objects.filter(kind="subreddit", status="succeeded").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    call_command("scrapers", "stop", "reddit", stdout=io.StringIO())
    stopped_at = timezone.now()
    worker.join(20)

    assert not worker.is_alive()
    runs = ScrapeRun.objects.filter(kind="subreddit")
    # At most the target already in flight finishes; nothing starts after the stop.
    assert 1 <= runs.count() <= 2 and not runs.filter(started_at__gt=stopped_at).exists()
    batch_run = ScrapeRun.objects.get(kind="refresh-communities")
    assert batch_run.status == "cancelled" and "stopped by staff" in batch_run.error_message
    not_reached = Community.objects.exclude(name__in=list(runs.values_list("target", flat=True)))
    assert not_reached.count() >= 2
    assert all(c.next_scrape_at <= timezone.now() for c in not_reached)  # due again when restarted
    assert Scraper.objects.get(name="reddit").status == "stopped"


def test_open_breaker_ends_a_batch_early(scrape_settings, fake_upstream):
    scrape_settings.SCRAPING_BREAKER_FAIL_MAX = 2
    scrape_settings.SCRAPING_MAX_ATTEMPTS = 1
    names = ["one", "two", "three", "four"]
    rows = [Community.objects.create(name=name, discovered_via="manual") for name in names]
    for name in names:
        fake_upstream.fault(f"/r/{name}/about", "server_error", times=5)

    batch = collect.run_targets("reddit", "subreddit", rows, batch_kind="refresh-communities")

    # one: 500, two: 500 trips the breaker, three: refused without a request → batch ends.
    assert fake_upstream.count() == 2
    assert batch.status == "failed" and "circuit open" in batch.error_message
    assert Community.objects.get(name="four").next_scrape_at <= timezone.now()
    assert ProfileSnapshot.objects.count() == 0


def test_refresh_due_scrapes_due_targets_once(scrape_settings, fake_upstream):
    serve_subreddit(fake_upstream, "one")
    serve_subreddit(fake_upstream, "two")
    Community.objects.create(name="one", discovered_via="manual")
    Community.objects.create(name="two", discovered_via="manual", next_scrape_at=timezone.now() + timedelta(hours=1))

    batch = collect.refresh_due_communities()

    assert batch.status == "succeeded" and batch.targets_total == 1 and batch.snapshots == 1
    assert Community.objects.get(name="one").next_scrape_at > timezone.now() + timedelta(hours=5)
    assert fake_upstream.count("/r/two/about") == 0
    assert collect.refresh_due_communities() is None  # nothing due: no run row
    assert ScrapeRun.objects.filter(kind="refresh-communities").count() == 1
    assert Scraper.objects.get(name="reddit").status == "idle"
