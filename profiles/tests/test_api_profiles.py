"""Creator search, the creator report, similar creators, auth, favorites, saved searches, access."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from rest_framework.test import APIClient

from accounts.models import ApiToken
from profiles.models import Favorite, Profile, ProfileAccess, RelatedProfile, SearchHistory
from profiles.querysets import PROFILE_VERSION_FIELDS as VERSION_FIELDS
from tests.factories import ProfileFactory, TagFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

SEARCH = "/api/v1/profiles/"


def report(profile, suffix=""):
    return f"/api/v1/profiles/{profile.platform}/{profile.handle}/{suffix}"


def handles(response):
    return [row["handle"] for row in response.json()["results"]]


# --- auth ---


def test_anonymous_caller_gets_401_with_a_token_challenge(api_client):
    response = api_client.get(SEARCH)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_endpoint_exchanges_password_for_a_token_that_signs_in(alice):
    client = APIClient()
    bad = client.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert "non_field_errors" in bad.json()
    good = client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct horse battery staple"}, format="json"
    )
    assert good.status_code == 200
    token = good.json()["token"]
    stored = ApiToken.objects.get(user=alice)
    assert (stored.name, stored.expiry.isoformat().replace("+00:00", "Z")) == (
        "Password sign-in",
        good.json()["expiry"],
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/auth/me/")
    assert me.json() == {"id": alice.pk, "username": "alice", "is_staff": False}


def test_token_endpoint_requires_both_fields(api_client):
    response = api_client.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


# --- search ---


def test_search_matches_handle_name_and_bio_words(alice, client_for):
    ProfileFactory(handle="lisbon.eats", full_name="Ana", bio="street food")
    ProfileFactory(handle="ana_travels", full_name="Ana Lisboa", bio="hiking")
    ProfileFactory(handle="gym.rat", full_name="Bo", bio="Lisbon based coach")
    ProfileFactory(handle="unrelated", full_name="Cy", bio="cats")
    client = client_for(alice)
    assert sorted(handles(client.get(SEARCH, {"q": "lisbo"}))) == ["ana_travels", "lisbon.eats"]
    # Whole words in the bio match on full text; "@" is ignored as users type handles with it.
    assert sorted(handles(client.get(SEARCH, {"q": "lisbon"}))) == ["gym.rat", "lisbon.eats"]
    assert handles(client.get(SEARCH, {"q": "@GYM.RAT"})) == ["gym.rat"]


def test_search_filters_combine(alice, client_for):
    tag = TagFactory(slug="vegan")
    match = ProfileFactory(
        handle="match",
        followers_count=50_000,
        engagement_rate=4.0,
        follower_growth_30d=3.0,
        is_verified=True,
        ai_primary_content_type="food",
        ai_primary_language="pt",
        sponsored_share=0.2,
    )
    match.tags.add(tag)
    ProfileFactory(handle="too_small", followers_count=500, engagement_rate=4.0, ai_primary_content_type="food")
    ProfileFactory(handle="other_niche", followers_count=50_000, engagement_rate=4.0, ai_primary_content_type="tech")
    ProfileFactory(handle="redditor", platform="reddit", followers_count=None)
    response = client_for(alice).get(
        SEARCH,
        {
            "platform": "instagram",
            "followers_min": 10_000,
            "followers_max": 100_000,
            "engagement_min": 1,
            "growth_min": 1,
            "category": "food",
            "language": "PT",
            "verified": "true",
            "business": "false",
            "sponsored_max": 0.5,
            "tags": "vegan",
            "review_status": "unreviewed",
        },
    )
    assert response.status_code == 200, response.json()
    assert handles(response) == ["match"]


def test_search_with_two_tags_lists_each_creator_once(alice, client_for):
    first, second = TagFactory(slug="a-tag"), TagFactory(slug="b-tag")
    both = ProfileFactory(handle="both")
    both.tags.add(first, second)
    response = client_for(alice).get(SEARCH, {"tags": ["a-tag", "b-tag"]})
    assert handles(response) == ["both"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"platform": "tiktok"}, "platform"),
        ({"category": "astrology"}, "category"),
        ({"verified": "maybe"}, "verified"),
        ({"followers_min": "lots"}, "followers_min"),
        ({"followers_min": 1000, "followers_max": 10}, "followers_max"),
        ({"engagement_min": 5, "engagement_max": 1}, "engagement_max"),
        ({"sponsored_max": 2}, "sponsored_max"),
        ({"language": "english"}, "language"),
        ({"tags": "no-such-tag"}, "tags"),
        ({"review_status": "great"}, "review_status"),
        ({"ordering": "-handle"}, "ordering"),
        ({"last_scraped_after": "yesterday"}, "last_scraped_after"),
        ({"page_size": 1000}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
    ],
)
def test_search_rejects_bad_input_with_field_messages(alice, client_for, params, field):
    response = client_for(alice).get(SEARCH, params)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not SearchHistory.objects.exists()  # nothing half-written


def test_search_orders_by_engagement_with_unknown_values_last(alice, client_for):
    ProfileFactory(handle="unknown", engagement_rate=None)
    ProfileFactory(handle="low", engagement_rate=1.0)
    ProfileFactory(handle="high", engagement_rate=9.0)
    client = client_for(alice)
    assert handles(client.get(SEARCH, {"ordering": "-engagement"})) == ["high", "low", "unknown"]
    assert handles(client.get(SEARCH, {"ordering": "engagement"})) == ["low", "high", "unknown"]


def test_each_search_is_recorded_once_in_the_users_history(alice, bob, client_for):
    ProfileFactory.create_batch(3, bio="food")
    client = client_for(alice)
    client.get(SEARCH, {"q": "food", "platform": "instagram", "page_size": 2})
    client.get(SEARCH, {"q": "food", "platform": "instagram", "page_size": 2, "page": 2})
    # The same search again (a reload, a prefetch) is the same one entry: GET stays idempotent.
    client.get(SEARCH, {"q": "food", "platform": "instagram", "page_size": 2})
    history = SearchHistory.objects.get()
    assert (history.user, history.query, history.filters, history.result_count) == (
        alice,
        "food",
        {"platform": "instagram"},
        3,
    )
    assert client_for(bob).get("/api/v1/search-history/").json()["count"] == 0


def test_cached_search_sees_a_rescrape_at_once(alice, client_for):
    """A bulk upsert (no save(), no signals) changes last_scraped_at: the next search is fresh."""
    profile = ProfileFactory(handle="growing", followers_count=9_000)
    client = client_for(alice)
    assert handles(client.get(SEARCH, {"followers_min": 10_000})) == []
    Profile.objects.filter(pk=profile.pk).update(followers_count=12_000, last_scraped_at=timezone.now())
    assert handles(client.get(SEARCH, {"followers_min": 10_000})) == ["growing"]


def test_search_query_count_does_not_grow_with_results(alice, client_for, django_assert_max_num_queries):
    ProfileFactory.create_batch(30)
    client = client_for(alice)
    # generation, count, page, current team (for the history), history lookup + insert (one entry per
    # distinct search, so repeating it is idempotent); the cache then skips count and page.
    with django_assert_max_num_queries(6):
        response = client.get(SEARCH, {"page_size": 30, "ordering": "-followers"})
    assert len(response.json()["results"]) == 30


# --- the report ---


def test_report_shows_metrics_and_opens_access_on_first_view(alice, client_for):
    profile = ProfileFactory(handle="natgeo", engagement_rate=2.5, followers_count=100)
    response = client_for(alice).get(report(profile))
    assert response.status_code == 200
    body = response.json()
    assert (body["handle"], body["engagement_rate"], body["followers_count"]) == ("natgeo", 2.5, 100)
    access = ProfileAccess.objects.get(user=alice, profile=profile)
    assert access.expires_at - access.granted_at == timedelta(days=30)
    assert body["viewer"]["access_expires_at"] == access.expires_at.isoformat()


def test_report_lookup_is_case_insensitive(alice, client_for):
    ProfileFactory(handle="NatGeo")
    assert client_for(alice).get("/api/v1/profiles/instagram/natgeo/").json()["handle"] == "NatGeo"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/profiles/tiktok/someone/", "platform"),
        ("/api/v1/profiles/instagram/bad%20handle/", "handle"),
        ("/api/v1/profiles/instagram/" + "x" * 31 + "/", "handle"),
        ("/api/v1/profiles/reddit/ab/", "handle"),
        ("/api/v1/profiles/reddit/dots.are.bad/", "handle"),
    ],
)
def test_report_rejects_malformed_paths(alice, client_for, path, field):
    response = client_for(alice).get(path)
    assert response.status_code == 400
    assert field in response.json()


def test_report_of_an_unknown_creator_is_404(alice, client_for):
    response = client_for(alice).get("/api/v1/profiles/instagram/nobody_here/")
    assert response.status_code == 404
    assert "nobody_here" in response.json()["detail"]


def test_report_is_not_stale_after_an_ingest(alice, client_for):
    profile = ProfileFactory(followers_count=1_000)
    client = client_for(alice)
    assert client.get(report(profile)).json()["followers_count"] == 1_000
    # What an ingest does: a bulk upsert sets the counts and last_scraped_at, not updated_at.
    Profile.objects.filter(pk=profile.pk).update(followers_count=2_000, last_scraped_at=timezone.now())
    assert client.get(report(profile)).json()["followers_count"] == 2_000
    # And a re-analysis (the intelligence worker writes ai_* fields and ai_analyzed_at).
    Profile.objects.filter(pk=profile.pk).update(ai_primary_language="fr", ai_analyzed_at=timezone.now())
    assert client.get(report(profile)).json()["ai_primary_language"] == "fr"


def test_report_is_served_from_the_cache_while_unchanged(alice, client_for):
    profile = ProfileFactory(followers_count=1_000)
    client = client_for(alice)
    client.get(report(profile))
    # A change that bypasses every version stamp is invisible: proof the second answer is cached.
    Profile.objects.filter(pk=profile.pk).update(followers_count=5)
    assert client.get(report(profile)).json()["followers_count"] == 1_000


def test_report_from_the_cache_is_the_same_document_as_a_fresh_one(alice, client_for):
    profile = ProfileFactory(bio="café ☕ in Lisbon", followers_count=1_234)
    profile.tags.add(TagFactory())
    client = client_for(alice)
    fresh = client.get(report(profile))
    cached = client.get(report(profile))
    # The cache holds rendered JSON and splices the viewer block in: it must stay valid JSON, UTF-8.
    assert cached["Content-Type"] == "application/json"
    assert cached.json() == fresh.json()
    assert cached.json()["bio"] == "café ☕ in Lisbon"
    assert set(cached.json()["viewer"]) == {"is_favorite", "access_expires_at"}


def test_report_lookup_reads_each_column_into_its_own_field(alice):
    now = timezone.now()
    profile = ProfileFactory(followers_count=321, ai_primary_language="pt")
    Profile.objects.filter(pk=profile.pk).update(
        last_scraped_at=now - timedelta(hours=1),
        ai_analyzed_at=now - timedelta(hours=2),
        metrics_computed_at=None,
        links=["https://example.com/a"],
    )
    stored = Profile.objects.get(pk=profile.pk)
    light = Profile.objects.for_report(alice, profile.platform, profile.handle.upper(), only=VERSION_FIELDS)
    full = Profile.objects.for_report(alice, profile.platform, profile.handle)
    for field in VERSION_FIELDS:
        assert getattr(light, field) == getattr(stored, field), field
    assert light.get_deferred_fields() >= {"followers_count", "bio"}
    assert (full.followers_count, full.ai_primary_language, full.links) == (321, "pt", ["https://example.com/a"])
    assert (full.viewer_access_expires_at, full.viewer_is_favorite) == (None, False)


def test_cached_report_with_a_token_costs_three_queries_and_equals_the_session_answer(
    alice, client_for, django_assert_max_num_queries
):
    profile = ProfileFactory()
    _, plain = ApiToken.objects.issue(alice, "test")
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    first = by_token.get(report(profile))
    assert first.status_code == 200
    # knox's lookup of the token with its user, the viewer's teams (the current team: favorites are a
    # team's), then the report lookup with the viewer's state (the hand-written statement that read
    # token and report in one round trip is gone: one stock authentication path)
    with django_assert_max_num_queries(3):
        cached = by_token.get(report(profile))
    assert cached.status_code == 200
    assert cached.json() == first.json() == client_for(alice).get(report(profile)).json()


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token " + "0" * 40, "Invalid token."),
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
    ],
)
def test_report_refuses_bad_tokens_as_every_other_endpoint_does(header, detail):
    profile = ProfileFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    for path in (report(profile), "/api/v1/auth/me/"):
        response = client.get(path)
        assert (response.status_code, response.json()) == (401, {"detail": detail}), path


def test_report_refuses_the_token_of_an_inactive_user_and_still_validates_the_path(alice):
    _, plain = ApiToken.objects.issue(alice, "test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert client.get("/api/v1/profiles/instagram/no.such.creator/").status_code == 404
    assert client.get("/api/v1/profiles/instagram/bad%20handle!/").status_code == 400
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    profile = ProfileFactory()
    for path in (report(profile), "/api/v1/auth/me/"):
        response = client.get(path)
        assert (response.status_code, response.json()) == (401, {"detail": "User inactive or deleted."}), path


def test_cached_report_renders_in_the_browsable_api_too(alice, client_for):
    profile = ProfileFactory(handle="browsable.one")
    client = client_for(alice)
    client.get(report(profile))  # fills the cache
    page = client.get(report(profile), HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "browsable.one" in page.content.decode()


def test_report_is_also_kept_in_process_memory(alice, client_for, settings):
    profile = ProfileFactory(followers_count=1_000)
    client = client_for(alice)
    client.get(report(profile))
    Profile.objects.filter(pk=profile.pk).update(followers_count=5)  # bypasses every version stamp
    cache.delete_pattern("*")  # Redis forgets; this process still holds the same version
    assert client.get(report(profile)).json()["followers_count"] == 1_000
    settings.API_LOCAL_CACHE_ENTRIES = 0  # Redis only: the flushed entry is rebuilt
    assert client.get(report(profile)).json()["followers_count"] == 5


def test_report_answers_304_to_matching_validators(alice, client_for):
    profile = ProfileFactory()
    client = client_for(alice)
    first = client.get(report(profile))
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(report(profile), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(report(profile), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    Profile.objects.filter(pk=profile.pk).update(last_scraped_at=timezone.now() + timedelta(seconds=5))
    assert client.get(report(profile), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_report_answers_304_to_any_if_modified_since_at_or_after_its_last_change(alice, client_for):
    profile = ProfileFactory()
    client = client_for(alice)
    last_modified = parse_http_date(client.get(report(profile))["Last-Modified"])
    later, earlier = http_date(last_modified + 86_400), http_date(last_modified - 86_400)
    not_modified = client.get(report(profile), HTTP_IF_MODIFIED_SINCE=later)
    assert not_modified.status_code == 304
    assert not_modified["Last-Modified"] == http_date(last_modified) and not_modified["ETag"]
    assert client.get(report(profile), HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_report_viewer_block_is_per_user_even_from_the_cache(alice, agency, bob, client_for):
    profile = ProfileFactory()
    Favorite.objects.create(team=agency, user=alice, profile=profile)
    assert client_for(alice).get(report(profile)).json()["viewer"]["is_favorite"] is True
    assert client_for(bob).get(report(profile)).json()["viewer"]["is_favorite"] is False


def test_monthly_access_limit_answers_403_but_keeps_opened_reports(alice, bob, client_for, settings):
    settings.PROFILE_ACCESS_MONTHLY_LIMIT = 1
    first, second = ProfileFactory(), ProfileFactory()
    client = client_for(alice)
    assert client.post(report(first)).status_code == 200
    refused = client.post(report(second))
    assert refused.status_code == 403
    assert "monthly limit" in refused.json()["detail"]
    assert "monthly limit" in client.get(report(second)).json()["detail"]
    assert not ProfileAccess.objects.filter(user=alice, profile=second).exists()
    assert client.get(report(first)).status_code == 200
    assert client_for(bob).get(report(second)).status_code == 200  # staff are not limited


def test_with_a_quota_a_get_never_spends_it_a_post_does(alice, client_for, settings):
    """Issue 16: a prefetch or link preview (a GET) must not open a quota-counted report."""
    settings.PROFILE_ACCESS_MONTHLY_LIMIT = 2
    profile = ProfileFactory()
    client = client_for(alice)
    for suffix in ("", "posts/", "analytics/", "ai-insights/", "similar/"):
        refused = client.get(report(profile, suffix))
        assert refused.status_code == 403, suffix
        assert "POST to the report URL" in refused.json()["detail"]
    assert not ProfileAccess.objects.exists()

    opened = client.post(report(profile))
    assert opened.status_code == 200 and opened.json()["handle"] == profile.handle
    assert client.post(report(profile)).status_code == 200  # idempotent while open
    assert client.get(report(profile, "posts/")).status_code == 200
    assert ProfileAccess.objects.filter(user=alice, profile=profile).count() == 1


def test_without_a_quota_the_first_get_opens_access_once(alice, client_for):
    profile = ProfileFactory()
    client = client_for(alice)
    for _ in range(3):
        assert client.get(report(profile)).status_code == 200
    assert ProfileAccess.objects.filter(user=alice, profile=profile).count() == 1


def test_expired_access_is_renewed_on_the_next_view(alice, client_for):
    profile = ProfileFactory()
    old = timezone.now() - timedelta(days=40)
    ProfileAccess.objects.create(user=alice, profile=profile, granted_at=old, expires_at=old + timedelta(days=30))
    client_for(alice).get(report(profile))
    assert ProfileAccess.objects.get(user=alice, profile=profile).expires_at > timezone.now()


def test_report_query_count(alice, client_for, django_assert_max_num_queries):
    profile = ProfileFactory()
    profile.tags.add(*TagFactory.create_batch(5))
    client = client_for(alice)
    # the viewer's teams, lookup, access grant, the rest of the row, tags, audience (newest
    # demographics of each source in one query, the creator-connect status), contacts,
    # confirmed identity links
    with django_assert_max_num_queries(12):
        client.get(report(profile))
    with django_assert_max_num_queries(2):  # cached: the viewer's teams, one lookup of a few columns
        assert client.get(report(profile)).status_code == 200


# --- similar ---


def test_similar_lists_lookalikes_first(alice, client_for):
    profile = ProfileFactory()
    provider, lookalike = ProfileFactory(handle="provider_pick"), ProfileFactory(handle="lookalike_pick")
    RelatedProfile.objects.create(profile=profile, related=provider, source="provider", score=0.9)
    RelatedProfile.objects.create(profile=profile, related=lookalike, source="lookalike", score=0.5)
    body = client_for(alice).get(report(profile, "similar/")).json()
    assert body["basis"] == "related"
    assert [r["profile"]["handle"] for r in body["results"]] == ["lookalike_pick", "provider_pick"]


def test_similar_falls_back_to_same_category_and_size(alice, client_for):
    profile = ProfileFactory(ai_primary_content_type="food", followers_count=10_000)
    ProfileFactory(handle="peer", ai_primary_content_type="food", followers_count=15_000, engagement_rate=3)
    ProfileFactory(handle="giant", ai_primary_content_type="food", followers_count=900_000, engagement_rate=3)
    ProfileFactory(handle="techie", ai_primary_content_type="tech", followers_count=10_000, engagement_rate=3)
    body = client_for(alice).get(report(profile, "similar/")).json()
    assert body["basis"] == "category"
    assert [r["profile"]["handle"] for r in body["results"]] == ["peer"]


# --- favorites, saved searches, access grants: each user's own ---


def test_favorites_belong_to_their_owner(alice, bob, charlie, client_for):
    profile = ProfileFactory()
    owner = client_for(alice)
    created = owner.post("/api/v1/favorites/", {"profile": profile.pk, "note": "pitch in Q1"}, format="json")
    assert created.status_code == 201
    url = f"/api/v1/favorites/{created.json()['id']}/"
    assert owner.get(url).json()["creator"]["handle"] == profile.handle
    for other in (bob, charlie):
        client = client_for(other)
        assert client.get(url).status_code == 404
        assert client.patch(url, {"note": "mine"}, format="json").status_code == 404
        assert client.delete(url).status_code == 404
        assert client.get("/api/v1/favorites/").json()["count"] == 0
    assert owner.patch(url, {"note": "pitch in Q2"}, format="json").json()["note"] == "pitch in Q2"
    assert owner.delete(url).status_code == 204
    assert not Favorite.objects.exists()


def test_favorite_twice_is_a_400(alice, client_for):
    profile = ProfileFactory()
    client = client_for(alice)
    client.post("/api/v1/favorites/", {"profile": profile.pk}, format="json")
    again = client.post("/api/v1/favorites/", {"profile": profile.pk}, format="json")
    assert again.status_code == 400
    assert "already" in again.json()["profile"][0]
    missing = client.post("/api/v1/favorites/", {"profile": 999_999}, format="json")
    assert missing.status_code == 400


def test_saved_searches_belong_to_their_owner_and_are_validated(alice, bob, charlie, client_for):
    owner = client_for(alice)
    bad = owner.post(
        "/api/v1/search-history/", {"query": "x", "filters": {"followers_min": 10, "followers_max": 1}}, format="json"
    )
    assert bad.status_code == 400
    assert "followers_max" in bad.json()["filters"]
    unknown = owner.post("/api/v1/search-history/", {"filters": {"colour": "red"}}, format="json")
    assert unknown.status_code == 400
    created = owner.post(
        "/api/v1/search-history/", {"query": "vegan", "filters": {"platform": "instagram"}}, format="json"
    )
    assert created.status_code == 201
    url = f"/api/v1/search-history/{created.json()['id']}/"
    for other in (bob, charlie):
        assert client_for(other).get(url).status_code == 404
        assert client_for(other).delete(url).status_code == 404
    assert owner.delete(url).status_code == 204


def test_access_grants_are_listed_only_to_their_owner(alice, bob, charlie, client_for):
    profile = ProfileFactory()
    client_for(alice).get(report(profile))
    grant = ProfileAccess.objects.get()
    assert client_for(alice).get("/api/v1/profile-access/").json()["results"][0]["creator"]["id"] == profile.pk
    for other in (bob, charlie):
        assert client_for(other).get(f"/api/v1/profile-access/{grant.pk}/").status_code == 404
        assert client_for(other).get("/api/v1/profile-access/").json()["count"] == 0


# --- throttling ---


def test_throttled_user_gets_429_with_retry_after(alice, client_for, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "2/min", "anon": "1/min"}}
    client = client_for(alice)
    assert client.get("/api/v1/auth/me/").status_code == 200
    assert client.get("/api/v1/auth/me/").status_code == 200
    throttled = client.get("/api/v1/auth/me/")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    anonymous = APIClient()
    anonymous.post("/api/v1/auth/token/", {}, format="json")
    assert anonymous.post("/api/v1/auth/token/", {}, format="json").status_code == 429


def test_search_pages_carry_the_total_and_past_the_end_is_404(alice, client_for):
    for n in range(5):
        ProfileFactory(handle=f"paged{n}", followers_count=1_000 * (n + 1))
    client = client_for(alice)
    first = client.get(SEARCH, {"page_size": 2}).json()
    last = client.get(SEARCH, {"page_size": 2, "page": 3}).json()
    assert (first["count"], last["count"]) == (5, 5)
    assert handles(client.get(SEARCH, {"page_size": 2})) == ["paged4", "paged3"]
    assert last["next"] is None and first["previous"] is None
    assert handles(client.get(SEARCH, {"page_size": 2, "page": 3})) == ["paged0"]
    assert client.get(SEARCH, {"page": 4, "page_size": 2}).status_code == 404
    # A page number that cannot be one is the client's mistake (400 naming the field, issue 16).
    for bad in ("first", "0", "-1"):
        refused = client.get(SEARCH, {"page": bad})
        assert refused.status_code == 400 and "page" in refused.json(), bad
    assert client.get(SEARCH, {"q": "nothing-matches"}).json() == {
        "count": 0,
        "count_is_exact": True,
        "next": None,
        "previous": None,
        "results": [],
    }
