"""The monitoring page: staff only, rendered with the current numbers before any socket opens."""

from __future__ import annotations

import pytest

from scraping.models import Scraper, SystemLog

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/monitoring/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_status_without_the_staff_role_is_refused(client, alice):
    alice.is_staff = True  # enters admin for analyst work, runs no operations
    alice.save()
    client.force_login(alice)
    response = client.get("/monitoring/")
    assert response.status_code == 403 and "Staff role" in response.content.decode()


def test_staff_see_scrapers_and_the_log_tail_filtered_by_level_and_source(client, bob):
    Scraper.objects.create(name="reddit-hot", upstream="reddit")
    SystemLog.objects.create(level="error", source="scraping.reddit", message="HTTP 503 from r/python")
    SystemLog.objects.create(level="info", source="media", message="saved 12 kB")
    client.force_login(bob)

    page = client.get("/monitoring/").content.decode()
    assert "reddit-hot" in page and "HTTP 503 from r/python" in page and "saved 12 kB" in page

    filtered = client.get("/monitoring/", {"level": "error", "source": "scraping"}).content.decode()
    assert "HTTP 503 from r/python" in filtered and "saved 12 kB" not in filtered
