"""Creator search counts its matches up to ``SEARCH_COUNT_CAP``, then says "more than" (API and page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from profiles.models import SearchHistory
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

SEARCH = "/api/v1/profiles/"


@pytest.fixture
def five(settings):
    settings.SEARCH_COUNT_CAP = 3
    return [ProfileFactory(handle=f"c{n}", followers_count=1000 - n) for n in range(5)]


def test_a_search_under_the_cap_counts_exactly(alice, client_for, settings):
    settings.SEARCH_COUNT_CAP = 3
    ProfileFactory.create_batch(3)
    body = client_for(alice).get(SEARCH).json()
    assert (body["count"], body["count_is_exact"], body["next"]) == (3, True, None)
    assert list(body) == ["count", "count_is_exact", "next", "previous", "results"]


def test_a_search_over_the_cap_says_more_than_and_every_page_stays_reachable(alice, client_for, five):
    client = client_for(alice)
    first = client.get(SEARCH, {"page_size": 2}).json()
    # Counted up to the cap: "more than 3", and a next page.
    assert (first["count"], first["count_is_exact"], len(first["results"])) == (3, False, 2)
    assert first["next"]
    second = client.get(first["next"]).json()
    # Page 2 of 2 per page counts as deep as it reaches (4): still more, still a next page.
    assert (second["count"], second["count_is_exact"]) == (4, False)
    third = client.get(second["next"]).json()
    # Page 3 reaches past the last match: the count is exact and there is no page after it.
    assert (third["count"], third["count_is_exact"], third["next"]) == (5, True, None)
    seen = [row["handle"] for page in (first, second, third) for row in page["results"]]
    assert seen == ["c0", "c1", "c2", "c3", "c4"]
    # The history keeps what the first page knew.
    assert SearchHistory.objects.get().result_count == 3


def test_exact_count_and_the_last_page_count_everything(alice, client_for, five):
    client = client_for(alice)
    body = client.get(SEARCH, {"exact_count": "true"}).json()
    assert (body["count"], body["count_is_exact"]) == (5, True)
    last = client.get(SEARCH, {"page_size": 2, "page": "last"}).json()
    assert (last["count"], last["count_is_exact"], [row["handle"] for row in last["results"]]) == (5, True, ["c4"])


def test_a_cap_of_zero_always_counts_exactly(alice, client_for, five, settings):
    settings.SEARCH_COUNT_CAP = 0
    body = client_for(alice).get(SEARCH, {"page_size": 1}).json()
    assert (body["count"], body["count_is_exact"]) == (5, True)


def test_a_bad_exact_count_is_a_400_on_its_field(alice, client_for):
    response = client_for(alice).get(SEARCH, {"exact_count": "maybe"})
    assert response.status_code == 400
    assert "exact_count" in response.json()
    assert not SearchHistory.objects.exists()


def test_the_search_page_says_more_than_over_the_cap(alice, client, five, settings):
    settings.PAGES_PAGE_SIZE = 2
    client.force_login(alice)
    page = client.get(reverse("profiles:search")).content.decode()
    assert "More than 3 creators" in page
    assert 'data-count="3" data-count-exact="false"' in page
    assert "<span>Page 1</span>" in page  # no "of N" while the total is unknown
    assert 'rel="next"' in page
    last = client.get(reverse("profiles:search"), {"page": 3}).content.decode()
    assert '<p class="cs-summary" data-count="5">5 creators</p>' in last
    assert "<span>Page 3 of 3</span>" in last
    assert 'rel="next"' not in last


def test_the_search_page_counts_exactly_under_the_cap(alice, client, settings):
    settings.SEARCH_COUNT_CAP = 3
    ProfileFactory.create_batch(2)
    client.force_login(alice)
    page = client.get(reverse("profiles:search")).content.decode()
    assert '<p class="cs-summary" data-count="2">2 creators</p>' in page
    assert "More than" not in page
