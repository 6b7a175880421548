"""The API's caches never serve a stale answer after a real ingest (the bulk upsert the scrapers use)."""

import pytest
from django.utils import timezone

from scraping.ingest import ingest_profile
from scraping.schemas import PostData, ProfileData

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

REPORT = "/api/v1/profiles/instagram/lisbon.eats/"


def test_report_analytics_and_search_follow_each_ingest(alice, client_for):
    ingest_profile(ProfileData(platform="instagram", handle="lisbon.eats", followers_count=1_000))
    client = client_for(alice)
    assert client.get(REPORT).json()["followers_count"] == 1_000
    assert len(client.get(f"{REPORT}analytics/").json()["followers_series"]) == 1
    assert client.get("/api/v1/profiles/", {"followers_min": 5_000}).json()["count"] == 0
    etag = client.get(REPORT)["ETag"]

    ingest_profile(ProfileData(platform="instagram", handle="lisbon.eats", followers_count=9_000))

    assert client.get(REPORT, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(REPORT).json()["followers_count"] == 9_000
    assert len(client.get(f"{REPORT}analytics/").json()["followers_series"]) == 2
    found = client.get("/api/v1/profiles/", {"followers_min": 5_000}).json()
    assert [row["handle"] for row in found["results"]] == ["lisbon.eats"]


def test_posts_from_an_ingest_appear_in_the_feed(alice, client_for):
    ingest_profile(ProfileData(platform="instagram", handle="lisbon.eats", followers_count=1_000))
    client = client_for(alice)
    assert client.get(f"{REPORT}posts/").json()["results"] == []
    post = PostData(platform="instagram", external_id="p1", posted_at=timezone.now(), caption="pastel de nata")
    ingest_profile(ProfileData(platform="instagram", handle="lisbon.eats", followers_count=1_000), [post])
    assert [p["caption"] for p in client.get(f"{REPORT}posts/").json()["results"]] == ["pastel de nata"]
