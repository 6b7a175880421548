"""Audience data where users look: validated writes, the report block, search filters, benchmarks, export."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profiles.admin.resources import ProfileExportResource
from profiles.audience import Demographics, InvalidDemographics, store_demographics
from profiles.benchmarks import compute_benchmarks, tier
from profiles.models import AudienceDemographics, AudienceShare, InstagramConnection, Profile
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

TODAY = date(2026, 12, 1)


def verified(profile, countries, **extra) -> AudienceDemographics:
    return store_demographics(
        profile,
        Demographics(source="graph_insights", segment="followers", captured_on=TODAY, countries=countries, **extra),
    )


def estimated(profile, languages) -> AudienceDemographics:
    return store_demographics(
        profile,
        Demographics(
            source="comment_estimate", segment="commenters", captured_on=TODAY, languages=languages, sample_size=120
        ),
    )


@pytest.mark.parametrize(
    ("countries", "reason"),
    [
        ({"US": 0.5, "GB": 0.3}, "sum to 0.800, not 1"),
        ({"US": 0.7, "XX": 0.3}, "unknown country codes XX"),
        ({"US": 1.2, "GB": -0.2}, "between 0 and 1"),
    ],
)
def test_bad_shares_are_refused_with_a_logged_reason_and_nothing_written(countries, reason, caplog):
    profile = ProfileFactory()
    verified(profile, {"US": 1.0})
    before = list(AudienceShare.objects.filter(profile=profile).values_list("code", "share"))

    with caplog.at_level(logging.WARNING, logger="profiles.audience"), pytest.raises(InvalidDemographics):
        verified(profile, countries)

    assert reason in caplog.text
    assert AudienceDemographics.objects.get(profile=profile).countries == {"US": 1.0}
    assert list(AudienceShare.objects.filter(profile=profile).values_list("code", "share")) == before


def test_report_names_source_date_and_sample_size(alice, client_for):
    profile = ProfileFactory(handle="verified.one", audience_credibility=81.5)
    verified(profile, {"US": 0.6, "GB": 0.4}, genders={"F": 0.7, "M": 0.3}, reach=1200)
    estimated(profile, {"en": 0.9, "es": 0.1})
    Profile.objects.filter(pk=profile.pk).update(
        audience_credibility_parts={"formula": "credibility = …", "inputs": [{"key": "generic_share", "weight": 0.2}]},
        audience_estimated_at=timezone.now(),
    )

    block = client_for(alice).get(f"/api/v1/profiles/instagram/{profile.handle}/").json()["audience"]

    assert block["verified"]["source"] == "graph_insights" and block["verified"]["as_of"] == "2026-12-01"
    assert block["verified"]["followers"]["countries"] == {"US": 0.6, "GB": 0.4}
    assert block["verified"]["followers"]["reach"] == 1200
    assert block["estimates"]["source"] == "comment_estimate" and block["estimates"]["label"] == "estimate"
    assert block["estimates"]["sample_size"] == {"comments": 120}
    assert block["estimates"]["languages"] == {"en": 0.9, "es": 0.1}
    assert block["credibility"]["score"] == 81.5 and block["credibility"]["inputs"][0]["weight"] == 0.2
    assert block["connection"] is None


def test_report_without_any_audience_data_says_null(alice, client_for):
    profile = ProfileFactory(handle="nobody.knows")
    assert client_for(alice).get(f"/api/v1/profiles/instagram/{profile.handle}/").json()["audience"] is None


def test_a_new_audience_reading_refreshes_a_cached_report(alice, client_for):
    profile = ProfileFactory(handle="cached.one")
    client = client_for(alice)
    assert client.get(f"/api/v1/profiles/instagram/{profile.handle}/").json()["audience"] is None

    verified(profile, {"DE": 1.0})

    assert client.get(f"/api/v1/profiles/instagram/{profile.handle}/").json()["audience"]["verified"] is not None


@pytest.fixture
def audiences():
    us_heavy = ProfileFactory(handle="us_heavy", followers_count=90_000, audience_credibility=85)
    verified(us_heavy, {"US": 0.62, "CA": 0.38})
    estimated(us_heavy, {"en": 1.0})
    us_light = ProfileFactory(handle="us_light", followers_count=80_000, audience_credibility=40)
    verified(us_light, {"US": 0.12, "BR": 0.88})
    estimated(us_light, {"pt": 0.7, "en": 0.3})
    unconnected = ProfileFactory(handle="spanish_only", followers_count=70_000, audience_credibility=72)
    estimated(unconnected, {"es": 0.8, "en": 0.2})
    ProfileFactory(handle="no_audience", followers_count=60_000)
    return us_heavy, us_light, unconnected


def handles(response) -> list[str]:
    return [row["handle"] for row in response.json()["results"]]


def test_audience_filters_on_the_api(audiences, alice, client_for):
    client = client_for(alice)

    assert handles(client.get("/api/v1/profiles/", {"audience_country": "us", "audience_country_min": 30})) == [
        "us_heavy"
    ]
    assert handles(client.get("/api/v1/profiles/", {"audience_country": "US"})) == ["us_heavy", "us_light"]
    assert handles(client.get("/api/v1/profiles/", {"audience_language": "es", "audience_language_min": 50})) == [
        "spanish_only"
    ]
    assert handles(client.get("/api/v1/profiles/", {"credibility_min": 70})) == ["us_heavy", "spanish_only"]
    both = client.get("/api/v1/profiles/", {"audience_language": "en", "credibility_min": 50})
    assert handles(both) == ["us_heavy", "spanish_only"]  # us_light speaks English too, but scores 40


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"audience_country": "USA"}, "audience_country"),
        ({"audience_country_min": 30}, "audience_country"),
        ({"audience_country": "US", "audience_country_min": 130}, "audience_country_min"),
        ({"credibility_min": -1}, "credibility_min"),
        ({"audience_language": "e5"}, "audience_language"),
    ],
)
def test_bad_audience_filters_are_400_with_field_messages(audiences, alice, client_for, query, field):
    response = client_for(alice).get("/api/v1/profiles/", query)
    assert response.status_code == 400 and field in response.json()


def test_the_search_page_uses_the_same_audience_filters(audiences, alice, client):
    client.force_login(alice)

    page = client.get(reverse("profiles:search"), {"audience_country": "US", "audience_country_min": "30"})

    assert page.status_code == 200
    assert b"us_heavy" in page.content and b"us_light" not in page.content
    assert b"Audience country share, at least" in page.content
    assert client.get(reverse("profiles:search"), {"credibility_min": "101"}).status_code == 400


def test_profile_page_shows_verified_and_estimated_audience(audiences, alice, client):
    us_heavy, _, unconnected = audiences
    InstagramConnection.objects.create(profile=us_heavy, ig_user_id="1", access_token="t")
    client.force_login(alice)

    connected = client.get(reverse("profiles:profile", args=[us_heavy.pk])).content.decode()
    estimate_only = client.get(reverse("profiles:profile", args=[unconnected.pk])).content.decode()

    assert "verified · Instagram insights" in connected and "United States" in connected
    assert 'data-connection="active"' in connected
    assert "verified · Instagram insights" not in estimate_only
    assert "has not connected Instagram insights" in estimate_only and "Spanish" in estimate_only


def test_follower_tiers():
    assert [tier(n) for n in (None, 9_999, 10_000, 99_999, 499_999, 999_999, 1_000_000)] == [
        None,
        "nano",
        "micro",
        "micro",
        "mid",
        "macro",
        "mega",
    ]


def test_benchmarks_rank_each_creator_among_platform_tier_and_category_peers():
    micro_fitness = [
        ProfileFactory(followers_count=20_000 + n, ai_primary_content_type="fitness", engagement_rate=float(n))
        for n in range(1, 11)
    ]
    ProfileFactory(followers_count=20_000, ai_primary_content_type="food", engagement_rate=50.0)  # another category
    ProfileFactory(followers_count=900_000, ai_primary_content_type="fitness", engagement_rate=99.0)  # another tier
    unknown = ProfileFactory(followers_count=30_000, ai_primary_content_type="fitness", engagement_rate=None)

    compute_benchmarks()

    eighth = Profile.objects.get(pk=micro_fitness[7].pk).benchmarks
    assert eighth["peer_group"] == "micro fitness creators"
    assert eighth["engagement_rate"] == {"percentile": 78, "peers": 10, "label": "engagement rate"}
    assert Profile.objects.get(pk=micro_fitness[0].pk).benchmarks["engagement_rate"]["percentile"] == 0
    assert "engagement_rate" not in Profile.objects.get(pk=unknown.pk).benchmarks


def test_benchmark_queries_do_not_grow_with_the_creators_of_a_group():
    """One ranking query per (platform, category, tier, metric), however many creators share them."""

    def ranking_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            compute_benchmarks()
        return sum("PERCENT_RANK" in q["sql"] for q in queries.captured_queries)

    ProfileFactory.create_batch(3, platform="instagram", followers_count=20_000, ai_primary_content_type="fitness")
    few = ranking_queries()
    ProfileFactory.create_batch(12, platform="instagram", followers_count=30_000, ai_primary_content_type="fitness")
    assert ranking_queries() == few


def _export(handles: list[str]):
    with CaptureQueriesContext(connection) as queries:
        dataset = ProfileExportResource().export(queryset=Profile.objects.filter(handle__in=handles))
    return dataset, len(queries)


def test_export_carries_audience_columns_with_their_source(audiences):
    dataset, two = _export(["us_heavy", "spanish_only"])
    _, four = _export(["us_heavy", "us_light", "spanish_only", "no_audience"])

    assert two == four  # the shares come in one prefetch, not a query per creator
    rows = {row["handle"]: row for row in dataset.dict}

    assert rows["us_heavy"]["audience_countries (verified)"] == "US 62 %, CA 38 %"
    assert rows["us_heavy"]["audience_sources"] == "comment_estimate+graph_insights"
    assert rows["spanish_only"]["audience_languages (estimate)"] == "es 80 %, en 20 %"
    assert rows["spanish_only"]["audience_countries (verified)"] == ""
    assert float(rows["us_heavy"]["audience_credibility"]) == 85
