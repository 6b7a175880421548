"""Page views with side effects (issue 16, low): a GET never spends a quota; a search is remembered once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from profiles.models import ProfileAccess, SearchHistory
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_with_a_quota_the_report_page_asks_before_opening(settings, alice, client):
    settings.PROFILE_ACCESS_MONTHLY_LIMIT = 3
    profile = ProfileFactory()
    url = reverse("profiles:profile", args=[profile.pk])
    client.force_login(alice)

    page = client.get(url)

    assert page.status_code == 200
    body = page.content.decode()
    assert "data-open-access" in body and 'method="post"' in body and "one of your 3 report accesses" in body
    assert not ProfileAccess.objects.exists()

    opened = client.post(url)
    assert opened.status_code == 302 and opened["Location"] == url
    assert ProfileAccess.objects.filter(user=alice, profile=profile).count() == 1
    report = client.get(url)
    assert report.status_code == 200 and "data-open-access" not in report.content.decode()
    client.post(url)
    assert ProfileAccess.objects.filter(user=alice, profile=profile).count() == 1  # idempotent


def test_with_the_quota_used_up_the_page_says_so_before_any_button(settings, alice, client):
    settings.PROFILE_ACCESS_MONTHLY_LIMIT = 1
    first, second = ProfileFactory(), ProfileFactory()
    client.force_login(alice)
    client.post(reverse("profiles:profile", args=[first.pk]))

    page = client.get(reverse("profiles:profile", args=[second.pk]))

    assert page.status_code == 403 and "data-open-access" not in page.content.decode()
    assert client.post(reverse("profiles:profile", args=[second.pk])).status_code == 403
    assert not ProfileAccess.objects.filter(profile=second).exists()


def test_repeating_a_page_search_keeps_one_history_entry(alice, client):
    ProfileFactory.create_batch(2, bio="vegan")
    client.force_login(alice)
    for _ in range(3):
        assert client.get(reverse("profiles:search"), {"q": "vegan", "platform": "instagram"}).status_code == 200
    entry = SearchHistory.objects.get()
    assert (entry.query, entry.filters, entry.result_count) == ("vegan", {"platform": "instagram"}, 2)
    client.get(reverse("profiles:search"), {"q": "vegan"})
    assert SearchHistory.objects.count() == 2  # a different search is a new entry
