"""Creator connect through Facebook Login for Business: the Page-linked Instagram business account.

A loopback Meta answers with the shapes Meta documents (``scraping/tests/fixtures/meta/fb_*.json``
for the login and the Page list; the insights and error files are the same as Instagram Login's).
Nothing of the client is patched: the code exchange, the 60-day token, ``/me`` and ``/me/accounts``
and the insights reads all go over HTTP through the one transport.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from profiles.models import AudienceDemographics, ConnectionStatus, DataDeletionRequest, InstagramConnection
from scraping import audience, http
from scraping.instagram.meta import sign_request
from tests.factories import MembershipFactory, ProfileFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
IG_ID = "17841405822304914"
FB_USER = "10158236142113452"
SECRET = "fb-app-secret"
PAGE_TOKEN = "EAAJSfbPageTokenMaya"


def body(name: str) -> bytes:
    return json.dumps(json.loads((FIXTURES / name).read_text())["body"]).encode()


class FacebookMeta:
    """graph.facebook.com as documented: oauth/access_token (code, fb_exchange_token), /me, /me/accounts, insights."""

    def __init__(self, server):
        self.server = server
        self.accounts = "fb_me_accounts.json"
        self.insights_error: tuple[int, str] | None = None
        server.serve_callable("/v22.0/", self.insights)
        server.serve_callable("/v22.0/oauth/access_token", self.oauth)
        server.serve_callable("/v22.0/me", lambda p, q, b: (200, body("fb_me.json")))
        server.serve_callable("/v22.0/me/accounts", lambda p, q, b: (200, body(self.accounts)))

    def oauth(self, path, query, raw):
        if query.get("client_secret") != SECRET:
            return 400, body("error_bad_request.json")
        if query.get("grant_type") == "fb_exchange_token":
            return 200, body("fb_long_lived_token.json")
        if query.get("code") != "GOOD-CODE":
            return 400, body("error_bad_request.json")
        return 200, body("fb_oauth_access_token.json")

    def insights(self, path, query, raw):
        if self.insights_error is not None:
            status, fixture = self.insights_error
            return status, body(fixture)
        if query["metric"] == "reach,profile_views":
            return 200, body("reach_profile_views.json")
        short = "follower" if query["metric"] == "follower_demographics" else "engaged"
        return 200, body(f"{short}_demographics_{query['breakdown'].replace(',', '_')}.json")

    def hits(self, suffix: str) -> list:
        return [hit for hit in self.server.hits if hit.path.endswith(suffix)]


@pytest.fixture
def fb(scrape_settings, fake_upstream):
    scrape_settings.META_APP_ID = ""  # only the Facebook login is configured here
    scrape_settings.META_FACEBOOK_APP_ID = "1234567890123456"
    scrape_settings.META_FACEBOOK_APP_SECRET = SECRET
    scrape_settings.META_LOGIN_CONFIG_ID = "987654321098765"
    scrape_settings.META_FACEBOOK_DIALOG_URL = fake_upstream.url + "/v22.0/dialog/oauth"
    scrape_settings.META_FACEBOOK_GRAPH_URL = fake_upstream.url
    scrape_settings.META_GRAPH_VERSION = "v22.0"
    scrape_settings.META_REQUESTS_PER_MINUTE = 60_000
    upstream = http.Upstream.from_settings("meta-graph", requests_per_minute=1)
    http.reset_state(upstream)
    yield FacebookMeta(fake_upstream)
    http.reset_state(upstream)


@pytest.fixture
def writer(db):
    user = UserFactory(username="agent")
    MembershipFactory(user=user, team__name="Agency", role="analyst")
    return user


def start(client, profile) -> str:
    """Press "Connect through a Facebook Page"; the state Meta would echo back."""
    answer = client.post(reverse("profiles:facebook_connect", args=[profile.pk]))
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer["Location"]).query)["state"][0]


@pytest.mark.django_db
def test_the_dialog_asks_with_the_login_configuration_or_else_the_scopes(fb, client, writer, scrape_settings):
    profile = ProfileFactory(handle="maya.runs")
    client.force_login(writer)

    target = urlsplit(client.post(reverse("profiles:facebook_connect", args=[profile.pk]))["Location"])
    query = parse_qs(target.query)
    assert target.path == "/v22.0/dialog/oauth"
    assert query["config_id"] == ["987654321098765"] and "scope" not in query
    assert query["client_id"] == ["1234567890123456"] and query["response_type"] == ["code"]
    assert query["redirect_uri"][0].endswith(reverse("profiles:facebook_callback"))

    scrape_settings.META_LOGIN_CONFIG_ID = ""
    query = parse_qs(urlsplit(client.post(reverse("profiles:facebook_connect", args=[profile.pk]))["Location"]).query)
    assert query["scope"] == [
        "instagram_basic,instagram_manage_insights,pages_show_list,pages_read_engagement,business_management"
    ]


@pytest.mark.django_db
def test_happy_path_connects_the_page_linked_account_and_reads_insights_on_graph_facebook(fb, client, writer):
    profile = ProfileFactory(handle="maya.runs")
    client.force_login(writer)
    state = start(client, profile)

    done = client.get(reverse("profiles:facebook_callback"), {"code": "GOOD-CODE", "state": state})

    assert done.status_code == 302 and done["Location"] == reverse("profiles:profile", args=[profile.pk])
    connection = InstagramConnection.objects.get(profile=profile)
    assert (connection.login, connection.ig_user_id, connection.page_id) == ("facebook", IG_ID, "134895793791914")
    assert connection.meta_user_id == FB_USER and connection.connected_by == writer
    assert connection.access_token == PAGE_TOKEN and connection.token_expires_at is None  # a Page token never expires
    raw = InstagramConnection.objects.annotate(raw=Cast("access_token", TextField())).get().raw
    assert PAGE_TOKEN not in raw and raw.startswith("gAAAAA")
    exchange, extend = fb.hits("/oauth/access_token")
    assert exchange.query["code"] == "GOOD-CODE" and "grant_type" not in exchange.query
    assert extend.query["grant_type"] == "fb_exchange_token"
    assert extend.query["fb_exchange_token"] == "EAAJSfbShortLivedUserToken"
    (accounts,) = fb.hits("/me/accounts")
    assert accounts.query["access_token"] == "EAAJSfbLongLivedUserToken"
    assert "instagram_business_account" in accounts.query["fields"]

    outcome = audience.sync_connection(connection.pk)

    assert outcome.status == "synced", outcome.detail
    insights = fb.hits("/insights")
    assert len(insights) == 7 and all(hit.path == f"/v22.0/{IG_ID}/insights" for hit in insights)
    assert {hit.query["access_token"] for hit in insights} == {PAGE_TOKEN}
    rows = AudienceDemographics.objects.filter(profile=profile, source="graph_insights")
    assert sorted(rows.values_list("segment", flat=True)) == ["engaged", "followers"]
    assert rows.get(segment="followers").countries["US"] == pytest.approx(4120 / 7600)


@pytest.mark.django_db
def test_a_page_without_an_instagram_account_is_a_clear_message_and_nothing_is_stored(fb, client, writer):
    fb.accounts = "fb_me_accounts_no_instagram.json"
    profile = ProfileFactory(handle="maya.runs")
    client.force_login(writer)
    state = start(client, profile)

    done = client.get(reverse("profiles:facebook_callback"), {"code": "GOOD-CODE", "state": state}, follow=True)

    assert done.status_code == 200
    assert b"None of the Facebook Pages you granted has an Instagram business or creator account" in done.content
    assert not InstagramConnection.objects.exists()
    assert not any("EAAJSf" in session.session_data for session in Session.objects.all())


@pytest.mark.django_db
def test_several_pages_let_the_user_choose_and_the_grant_waits_encrypted(fb, client, writer):
    fb.accounts = "fb_me_accounts_several.json"
    profile = ProfileFactory(handle="maya.runs")
    client.force_login(writer)
    state = start(client, profile)

    choose = client.get(reverse("profiles:facebook_callback"), {"code": "GOOD-CODE", "state": state})

    assert choose.status_code == 200
    assert b"@studio.north" in choose.content and b"@studio.south" in choose.content
    assert not InstagramConnection.objects.exists()
    stored = client.session["facebook_connect_choice"]
    assert "EAAJSf" not in json.dumps(stored)  # tokens wait Fernet-encrypted, not in clear in the session
    done = client.post(reverse("profiles:facebook_choose"), {"page_id": "109876543210987"})
    assert done.status_code == 302
    connection = InstagramConnection.objects.get(profile=profile)
    assert (connection.ig_user_id, connection.access_token) == ("17841400000000777", "EAAJSfbPageTokenSouth")
    # The choice is single-use.
    assert client.post(reverse("profiles:facebook_choose"), {"page_id": "109876543210987"}).status_code == 400


def facebook_connection(**overrides) -> InstagramConnection:
    values = {
        "profile": ProfileFactory(),
        "ig_user_id": IG_ID,
        "login": "facebook",
        "page_id": "134895793791914",
        "meta_user_id": FB_USER,
        "access_token": PAGE_TOKEN,
        "token_expires_at": None,
        "connected_at": timezone.now() - timedelta(days=10),
        "next_sync_at": timezone.now(),
    }
    values.update(overrides)
    return InstagramConnection.objects.create(**values)


@pytest.mark.django_db
def test_a_revoked_page_token_breaks_the_connection_once_without_a_storm_and_keeps_history(fb):
    connection = facebook_connection()
    old = AudienceDemographics.objects.create(
        profile=connection.profile, source="graph_insights", segment="followers", countries={"US": 1.0}
    )
    fb.insights_error = (400, "error_token_revoked.json")

    first = audience.sync_connection(connection.pk)
    second = audience.sync_connection(connection.pk)

    assert first.status == "broken" and "unauthorized" in first.detail
    assert second.status == "skipped"
    assert len(fb.hits("/insights")) == 1  # Meta was asked once
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.BROKEN and connection.next_sync_at is None
    assert AudienceDemographics.objects.filter(pk=old.pk).exists()
    assert audience.due_connections() == []


@pytest.mark.django_db
def test_a_user_token_near_expiry_is_not_refreshed_and_breaks_at_expiry(fb):
    # Fallback when a Page came without its own token: the 60-day user token, which Facebook does not refresh.
    near = facebook_connection(token_expires_at=timezone.now() + timedelta(days=3))
    assert audience.sync_connection(near.pk).status == "synced"
    assert not fb.hits("refresh_access_token")
    past = facebook_connection(token_expires_at=timezone.now() - timedelta(minutes=1))
    assert audience.sync_connection(past.pk).status == "broken"
    past.refresh_from_db()
    assert past.status_reason.startswith("expired")


@pytest.mark.django_db
def test_facebook_deauthorize_and_data_deletion_callbacks_name_the_facebook_user(fb, client):
    connection = facebook_connection()
    other = facebook_connection(profile=ProfileFactory(), meta_user_id="10150000000000001")
    AudienceDemographics.objects.create(profile=connection.profile, source="graph_insights", segment="followers")
    instagram_signed = sign_request({"algorithm": "HMAC-SHA256", "user_id": FB_USER}, "instagram-secret")

    assert (
        client.post(reverse("profiles:facebook_deauthorize"), {"signed_request": instagram_signed}).status_code == 400
    )
    signed = sign_request({"algorithm": "HMAC-SHA256", "issued_at": 1765000000, "user_id": FB_USER}, SECRET)
    assert client.post(reverse("profiles:facebook_deauthorize"), {"signed_request": signed}).status_code == 200

    connection.refresh_from_db()
    other.refresh_from_db()
    assert connection.status == ConnectionStatus.BROKEN and connection.access_token == ""
    assert "Facebook" in connection.status_reason
    assert other.status == ConnectionStatus.ACTIVE
    assert AudienceDemographics.objects.filter(profile=connection.profile).count() == 1  # history kept

    answer = client.post(reverse("profiles:facebook_data_deletion"), {"signed_request": signed}).json()
    deletion = DataDeletionRequest.objects.get(confirmation_code=answer["confirmation_code"])
    assert deletion.deleted_rows == 1
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DELETED
    assert not AudienceDemographics.objects.filter(profile=connection.profile).exists()


@pytest.mark.django_db
def test_the_facebook_path_is_hidden_without_its_app(client, writer, settings):
    settings.META_APP_ID, settings.META_APP_SECRET = "97563852873", "instagram-secret"
    settings.META_FACEBOOK_APP_ID = ""
    profile = ProfileFactory()
    client.force_login(writer)

    assert client.post(reverse("profiles:facebook_connect", args=[profile.pk])).status_code == 404
    assert client.get(reverse("profiles:facebook_callback")).status_code == 404
    assert client.post(reverse("profiles:facebook_deauthorize")).status_code == 404
    page = client.get(reverse("profiles:profile", args=[profile.pk]))
    assert b"Connect Instagram insights" in page.content
    assert b"through a Facebook Page" not in page.content
