"""Contacts: parsed from every recorded Instagram shape that carries them, kept per source, never
overwriting an analyst's entry, filterable ("has e-mail") and validated when an analyst types one."""

from __future__ import annotations

import copy

import pytest

from profiles import contacts
from profiles.models import Contact, Profile
from scraping import ingest
from scraping.instagram.parse import parse_apify_profile, parse_graph_profile, parse_mobile_user, parse_web_profile
from scraping.tests.fake_upstream import load_fixture
from tests.factories import ProfileFactory

WEB = "instagram/web/web_profile_info__robertdowneyjr.json"
MOBILE = "instagram/web/api_v1_users_id_info__robertdowneyjr.json"


def _found(profile) -> set[tuple[str, str, str]]:
    return {(c.kind, c.value, c.source) for c in profile.contacts}


def test_recorded_web_profile_has_empty_business_fields_and_no_contact():
    # web_profile_info carries business_email / business_phone_number, null for this account, and no link.
    profile = parse_web_profile(load_fixture(WEB)["data"]["user"])

    assert profile.contacts == []


def test_recorded_mobile_user_gives_its_external_url_as_a_contact_link():
    # public_email, contact_phone_number and public_phone_number are "" in the recording.
    profile = parse_mobile_user(load_fixture(MOBILE)["user"])

    assert _found(profile) == {("link", "http://www.swau.com/RDJ", "link")}


def test_web_business_fields_and_bio_each_keep_their_source():
    user = copy.deepcopy(load_fixture(WEB)["data"]["user"])
    user.update(
        business_email="Press@Example.com",
        business_phone_number="+44 20 7946 0958",
        biography="Bookings: mgmt@example.org · call +1 415-555-2671 · press@example.com",
        external_url="https://linktr.ee/rdj",
        bio_links=[{"url": "mailto:team@example.net"}, {"url": "https://wa.me/14155552672"}],
    )

    profile = parse_web_profile(user)

    assert _found(profile) == {
        ("email", "press@example.com", "business_email"),  # also in the bio: the platform's field wins
        ("phone", "+442079460958", "business_phone_number"),
        ("email", "mgmt@example.org", "bio"),
        ("phone", "+14155552671", "bio"),
        ("link", "https://linktr.ee/rdj", "link"),
        ("email", "team@example.net", "link"),
        ("phone", "+14155552672", "link"),
    }


def test_mobile_public_fields_use_the_country_code_given_beside_the_number():
    user = copy.deepcopy(load_fixture(MOBILE)["user"])
    user.update(
        public_email="rdj@example.com",
        public_phone_country_code="44",
        public_phone_number="20 7946 0958",
        contact_phone_number="not a phone",
    )

    profile = parse_mobile_user(user)

    assert ("email", "rdj@example.com", "public_email") in _found(profile)
    assert ("phone", "+442079460958", "public_phone_number") in _found(profile)
    assert not any(c.source == "contact_phone_number" for c in profile.contacts)


def test_graph_and_apify_shapes_read_contacts_from_bio_and_website():
    graph = copy.deepcopy(load_fixture("instagram/graph_api/business_discovery__meta_docs_sample.json"))
    business = graph["business_discovery"]
    business.update(username="bluebottle", biography="hello@bluebottle.example", website="https://blue.example")
    apify = copy.deepcopy(load_fixture("instagram/apify_instagram_scraper_readme_profile_example_2019.json"))
    apify["businessEmail"] = "avengers@example.com"

    graph_profile = parse_graph_profile(business)
    apify_profile, _posts = parse_apify_profile(apify)

    assert _found(graph_profile) == {
        ("email", "hello@bluebottle.example", "bio"),
        ("link", "https://blue.example", "link"),
    }
    assert ("email", "avengers@example.com", "business_email") in _found(apify_profile)


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [("email", " Ana@Example.COM ", "ana@example.com"), ("phone", "+1 (415) 555-2671", "+14155552671")],
)
def test_normalise_accepts_and_normalises(kind, value, stored):
    assert contacts.normalise(kind, value) == stored


@pytest.mark.parametrize(
    ("kind", "value"), [("email", "ana@"), ("phone", "12"), ("phone", "+1 555"), ("link", "ftp://x")]
)
def test_normalise_refuses_bad_values(kind, value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        contacts.normalise(kind, value)


@pytest.mark.django_db
def test_rescrape_replaces_scraped_contacts_and_keeps_the_analysts():
    user = copy.deepcopy(load_fixture(WEB)["data"]["user"])
    user.update(business_email="old@example.com", biography="")
    ingest.ingest_profile(parse_web_profile(user))
    profile = Profile.objects.get(handle="robertdowneyjr")
    Contact.objects.create(profile=profile, kind="email", value="agent@example.com", source="analyst")
    Contact.objects.create(profile=profile, kind="email", value="new@example.com", source="analyst")

    user.update(business_email="new@example.com")
    ingest.ingest_profile(parse_web_profile(user))

    rows = set(profile.contacts.values_list("value", "source"))
    # old@ went with the scrape that no longer shows it; new@ stays the analyst's, not re-labelled.
    assert rows == {("agent@example.com", "analyst"), ("new@example.com", "analyst")}


@pytest.mark.django_db
def test_has_email_filter_on_the_creator_search(alice, client_for):
    with_email, without = ProfileFactory(handle="reachable"), ProfileFactory(handle="silent")
    Contact.objects.create(profile=with_email, kind="email", value="hi@example.com", source="bio")
    Contact.objects.create(profile=without, kind="phone", value="+14155552671", source="bio")
    client = client_for(alice)

    yes = client.get("/api/v1/profiles/?has_email=true").json()["results"]
    no = client.get("/api/v1/profiles/?has_email=false").json()["results"]
    bad = client.get("/api/v1/profiles/?has_email=maybe")

    assert [p["handle"] for p in yes] == ["reachable"]
    assert "reachable" not in [p["handle"] for p in no] and "silent" in [p["handle"] for p in no]
    assert bad.status_code == 400 and "has_email" in bad.json()


@pytest.mark.django_db
def test_analyst_adds_and_corrects_contacts_with_field_messages(alice, client_for):
    profile = ProfileFactory(handle="ana")
    scraped = Contact.objects.create(profile=profile, kind="email", value="ana@exmaple.com", source="bio")
    url = "/api/v1/profiles/instagram/ana/contacts/"
    client = client_for(alice)

    bad_email = client.post(url, {"kind": "email", "value": "ana@"}, format="json")
    bad_phone = client.post(url, {"kind": "phone", "value": "12345"}, format="json")
    added = client.post(url, {"kind": "phone", "value": "+44 20 7946 0958", "label": "agent"}, format="json")
    corrected = client.patch(f"{url}{scraped.pk}/", {"value": "ana@example.com"}, format="json")

    assert bad_email.status_code == 400 and "value" in bad_email.json()
    assert bad_phone.status_code == 400 and "value" in bad_phone.json()
    assert added.status_code == 201 and added.json()["value"] == "+442079460958"
    assert added.json()["source"] == "analyst"
    assert corrected.status_code == 200 and corrected.json()["source"] == "analyst"
    assert sorted(c["value"] for c in client.get(url).json()) == ["+442079460958", "ana@example.com"]


@pytest.mark.django_db
def test_creator_report_and_export_carry_the_contacts(alice, client_for, empty_cache):
    from profiles.admin.resources import ProfileExportResource

    profile = ProfileFactory(handle="ana")
    Contact.objects.create(profile=profile, kind="phone", value="+14155552671", source="business_phone_number")
    client = client_for(alice)
    first = client.get("/api/v1/profiles/instagram/ana/").json()["contacts"]
    client.post(
        "/api/v1/profiles/instagram/ana/contacts/", {"kind": "email", "value": "ana@example.com"}, format="json"
    )

    again = client.get("/api/v1/profiles/instagram/ana/").json()["contacts"]
    row = ProfileExportResource().export(Profile.objects.filter(pk=profile.pk)).dict[0]

    assert first == [{"kind": "phone", "value": "+14155552671", "label": "", "source": "business_phone_number"}]
    assert {c["value"] for c in again} == {"+14155552671", "ana@example.com"}  # the cached report moved on
    assert row["emails"] == "ana@example.com" and row["phones"] == "+14155552671"
