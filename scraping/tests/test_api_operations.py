"""Operations endpoints: staff only (teammate bob), 403 for everyone else, figures that add up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scraping.models import Scraper, ScrapeRun, SystemLog
from tests.factories import PostFactory, ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

ENDPOINTS = ["/api/v1/ops/scrapers/", "/api/v1/ops/scrape-runs/", "/api/v1/ops/logs/", "/api/v1/ops/stats/"]


@pytest.fixture
def scraper():
    return Scraper.objects.create(name="reddit-subreddits", upstream="reddit", status="running")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_operations_are_for_staff_only(url, alice, bob, charlie, client_for, api_client):
    assert client_for(bob).get(url).status_code == 200
    for user in (alice, charlie):
        response = client_for(user).get(url)
        assert response.status_code == 403
        assert "staff" in response.json()["detail"]
    assert api_client.get(url).status_code == 401


def test_staff_stop_and_start_a_scraper_and_it_is_logged(scraper, alice, bob, client_for):
    url = f"/api/v1/ops/scrapers/{scraper.pk}/"
    assert client_for(alice).post(f"{url}stop/").status_code == 403
    scraper.refresh_from_db()
    assert scraper.enabled
    stopped = client_for(bob).post(f"{url}stop/")
    assert stopped.json()["enabled"] is False
    assert stopped.json()["status"] == "stopped"
    started = client_for(bob).post(f"{url}start/")
    assert (started.json()["enabled"], started.json()["status"]) == (True, "idle")
    lines = list(SystemLog.objects.order_by("id").values_list("source", "message"))
    assert lines == [
        ("scraping.reddit-subreddits", "bob stopped scraper reddit-subreddits"),
        ("scraping.reddit-subreddits", "bob started scraper reddit-subreddits"),
    ]


def test_running_scraper_without_heartbeat_is_reported_stalled(scraper, bob, client_for):
    scraper.heartbeat_at = timezone.now() - timedelta(hours=1)
    scraper.save()
    assert client_for(bob).get(f"/api/v1/ops/scrapers/{scraper.pk}/").json()["is_stalled"] is True


def test_scrape_runs_filter_by_status_and_window(scraper, bob, client_for):
    ScrapeRun.objects.create(scraper=scraper, kind="subreddit", target="python", status="succeeded")
    ScrapeRun.objects.create(scraper=scraper, kind="subreddit", target="django", status="failed")
    client = client_for(bob)
    failed = client.get("/api/v1/ops/scrape-runs/", {"status": "failed"}).json()
    assert [run["target"] for run in failed["results"]] == ["django"]
    assert client.get("/api/v1/ops/scrape-runs/", {"scraper": "reddit-subreddits"}).json()["count"] == 2
    bad = client.get("/api/v1/ops/scrape-runs/", {"status": "exploded"})
    assert bad.status_code == 400
    assert "status" in bad.json()
    window = client.get(
        "/api/v1/ops/scrape-runs/", {"created_after": "2026-02-01T00:00:00Z", "created_before": "2026-01-01T00:00:00Z"}
    )
    assert window.status_code == 400
    assert "created_before" in window.json()


def test_system_log_filters_by_minimum_level_source_and_text(bob, client_for):
    SystemLog.objects.create(level="info", source="scraping.reddit", message="fetched r/python")
    SystemLog.objects.create(level="warning", source="scraping.reddit", message="429, backing off")
    SystemLog.objects.create(level="error", source="intelligence", message="model missing")
    client = client_for(bob)
    serious = client.get("/api/v1/ops/logs/", {"min_level": "warning"}).json()
    assert [line["level"] for line in serious["results"]] == ["error", "warning"]
    assert client.get("/api/v1/ops/logs/", {"source": "scraping"}).json()["count"] == 2
    assert client.get("/api/v1/ops/logs/", {"q": "BACKING"}).json()["count"] == 1
    assert client.get("/api/v1/ops/logs/", {"min_level": "loud"}).status_code == 400


def test_dashboard_counts_coverage_and_success_rate(scraper, bob, client_for):
    author = ProfileFactory(platform="instagram")
    ProfileFactory(platform="reddit", handle="some_redditor")
    PostFactory(author=author, ai_status="done")
    PostFactory(author=author)
    ScrapeRun.objects.create(scraper=scraper, kind="subreddit", status="succeeded")
    ScrapeRun.objects.create(scraper=scraper, kind="subreddit", status="succeeded")
    ScrapeRun.objects.create(scraper=scraper, kind="subreddit", status="failed")
    ScrapeRun.objects.create(scraper=scraper, kind="subreddit", status="running")  # not finished: not counted
    body = client_for(bob).get("/api/v1/ops/stats/").json()
    assert body["counts"] == {
        "profiles": 2,
        "instagram_profiles": 1,
        "reddit_profiles": 1,
        "communities": 0,
        "posts": 2,
    }
    assert body["ai_coverage"]["posts_analysed_share"] == 0.5
    assert body["scraping"]["success_rate_24h"] == {"finished": 3, "succeeded": 2, "rate": 0.6667}
    assert body["growth_30d"]["posts_per_day"][0]["count"] == 2


def test_operations_list_query_counts(scraper, bob, client_for, django_assert_max_num_queries):
    for n in range(20):
        run = ScrapeRun.objects.create(scraper=scraper, kind="subreddit", target=f"sub{n}")
        SystemLog.objects.create(source="scraping", message=f"line {n}", scrape_run=run)
    scraper.current_run = run
    scraper.save()
    client = client_for(bob)
    for url in ENDPOINTS[:3]:
        with django_assert_max_num_queries(3):  # the rows, their count; the Staff role's permissions once
            assert client.get(url).status_code == 200
