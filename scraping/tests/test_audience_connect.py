"""Creator connect against a loopback Meta: OAuth, token refresh, insights, and what Meta's refusals do.

The fake upstream answers with the shapes Meta documents (``scraping/tests/fixtures/meta/``, each
with its source page); nothing of the client is patched.
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from profiles.models import (
    AudienceDemographics,
    AudienceShare,
    ConnectionStatus,
    DataDeletionRequest,
    InstagramConnection,
)
from scraping import audience, http
from scraping.instagram.meta import sign_request
from tests.factories import MembershipFactory, ProfileFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
IG_ID = "17841405822304914"
SECRET = "test-app-secret"


def body(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())["body"]


class Meta:
    """Routes the documented answers by path and query; ``insights_error`` replaces every insights answer."""

    def __init__(self, server):
        self.server = server
        self.insights_error: tuple[int, dict] | None = None
        self.country_transform = None
        server.serve_callable("/oauth/access_token", self.oauth, method="POST")
        server.serve_callable(
            "/access_token", lambda p, q, b: (200, json.dumps(body("long_lived_token.json")).encode())
        )
        server.serve_callable(
            "/refresh_access_token", lambda p, q, b: (200, json.dumps(body("refresh_access_token.json")).encode())
        )
        server.serve_callable("/v22.0/", self.insights)

    def oauth(self, path, query, raw):
        form = parse_qs(raw.decode())
        if form.get("code") != ["GOOD-CODE"] or form.get("client_secret") != [SECRET]:
            return 400, json.dumps(body("error_bad_request.json")).encode()
        return 200, json.dumps(body("oauth_access_token.json")).encode()

    def insights(self, path, query, raw):
        if self.insights_error is not None:
            status, payload = self.insights_error
            return status, json.dumps(payload).encode()
        if query["metric"] == "reach,profile_views":
            return 200, json.dumps(body("reach_profile_views.json")).encode()
        short = "follower" if query["metric"] == "follower_demographics" else "engaged"
        breakdown = query["breakdown"].replace(",", "_")
        payload = body(f"{short}_demographics_{breakdown}.json")
        if breakdown == "country" and self.country_transform:
            payload = self.country_transform(payload)
        return 200, json.dumps(payload).encode()

    def insights_calls(self) -> int:
        return sum(1 for hit in self.server.hits if hit.path.endswith("/insights"))


@pytest.fixture
def meta(scrape_settings, fake_upstream):
    scrape_settings.META_APP_ID = "97563852873"
    scrape_settings.META_APP_SECRET = SECRET
    scrape_settings.META_OAUTH_BASE_URL = fake_upstream.url
    scrape_settings.META_GRAPH_BASE_URL = fake_upstream.url
    scrape_settings.META_AUTHORIZE_URL = fake_upstream.url + "/oauth/authorize"
    scrape_settings.META_GRAPH_VERSION = "v22.0"
    scrape_settings.META_REQUESTS_PER_MINUTE = 60_000
    upstream = http.Upstream.from_settings("meta-graph", requests_per_minute=1)
    http.reset_state(upstream)
    yield Meta(fake_upstream)
    http.reset_state(upstream)


def connected(**overrides) -> InstagramConnection:
    values = {
        "profile": ProfileFactory(),
        "ig_user_id": IG_ID,
        "access_token": "lZAfb2dhVW90Y2lqOWlongLIVED",
        "token_expires_at": timezone.now() + timedelta(days=50),
        "connected_at": timezone.now() - timedelta(days=10),
        "next_sync_at": timezone.now(),
    }
    values.update(overrides)
    return InstagramConnection.objects.create(**values)


@pytest.mark.django_db
def test_connect_trades_the_code_for_a_long_lived_token_stored_encrypted(meta):
    profile = ProfileFactory()

    connection = audience.connect(profile, "GOOD-CODE", redirect_uri="https://app.example/cb")

    connection.refresh_from_db()
    assert connection.ig_user_id == IG_ID
    assert connection.access_token == "lZAfb2dhVW90Y2lqOWlongLIVED"
    assert connection.permissions == ["instagram_business_basic", "instagram_business_manage_insights"]
    assert timedelta(days=59) < connection.token_expires_at - timezone.now() < timedelta(days=61)
    stored = InstagramConnection.objects.annotate(raw=Cast("access_token", TextField())).get().raw
    assert "lZAfb2dhVW90" not in stored and stored.startswith("gAAAAA")  # a Fernet token, not the secret
    exchange = next(hit for hit in meta.server.hits if hit.path == "/oauth/access_token")
    form = parse_qs(exchange.body.decode())
    assert form["grant_type"] == ["authorization_code"] and form["redirect_uri"] == ["https://app.example/cb"]


@pytest.mark.django_db
def test_sync_stores_followers_and_engaged_audience_as_verified_shares(meta):
    connection = connected()

    outcome = audience.sync_connection(connection.pk)

    assert outcome.status == "synced", outcome.detail
    rows = {row.segment: row for row in AudienceDemographics.objects.filter(profile=connection.profile)}
    assert set(rows) == {"followers", "engaged"}
    followers = rows["followers"]
    assert followers.source == "graph_insights" and followers.captured_on == timezone.localdate()
    assert followers.countries["US"] == pytest.approx(4120 / 7600)
    assert sum(followers.countries.values()) == pytest.approx(1)
    assert followers.cities["London, England"] == pytest.approx(720 / 2080)
    assert followers.age_genders["25-34"]["F"] == pytest.approx(1790 / 6430)
    assert followers.genders["U"] == pytest.approx(90 / 6430)
    assert (followers.reach, followers.profile_views) == (48210, 3906)
    shares = dict(
        AudienceShare.objects.filter(profile=connection.profile, dimension="country").values_list("code", "share")
    )
    assert shares["US"] == pytest.approx(4120 / 7600)
    connection.refresh_from_db()
    assert connection.last_synced_at is not None and connection.next_sync_at > timezone.now() + timedelta(hours=23)


@pytest.mark.django_db
def test_sync_keeps_earlier_days_as_history(meta):
    connection = connected()
    AudienceDemographics.objects.create(
        profile=connection.profile, source="graph_insights", segment="followers", captured_on=date(2026, 1, 1)
    )

    audience.sync_connection(connection.pk)

    days = AudienceDemographics.objects.filter(profile=connection.profile, segment="followers")
    assert sorted(days.values_list("captured_on", flat=True)) == [date(2026, 1, 1), timezone.localdate()]


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["error_token_expired.json", "error_token_revoked.json"])
def test_a_refused_token_marks_the_connection_broken_once_and_keeps_history(meta, fixture):
    connection = connected()
    old = AudienceDemographics.objects.create(
        profile=connection.profile, source="graph_insights", segment="followers", countries={"US": 1.0}
    )
    meta.insights_error = (400, body(fixture))

    first = audience.sync_connection(connection.pk)
    second = audience.sync_connection(connection.pk)

    assert first.status == "broken" and "unauthorized" in first.detail
    assert second.status == "skipped"
    assert meta.insights_calls() == 1  # no retries, no storm: Meta was asked once
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.BROKEN and connection.next_sync_at is None
    assert "expired or invalid" in connection.status_reason
    assert AudienceDemographics.objects.filter(pk=old.pk).exists()
    assert InstagramConnection.objects.filter(pk=connection.pk).count() == 1
    assert audience.due_connections() == []


@pytest.mark.django_db
def test_a_token_past_its_expiry_breaks_the_connection_without_calling_meta(meta):
    connection = connected(token_expires_at=timezone.now() - timedelta(minutes=1))

    outcome = audience.sync_connection(connection.pk)

    assert outcome.status == "broken" and meta.server.count() == 0
    connection.refresh_from_db()
    assert connection.status_reason.startswith("expired")


@pytest.mark.django_db
def test_a_token_near_expiry_is_refreshed_before_reading(meta):
    connection = connected(token_expires_at=timezone.now() + timedelta(days=5))

    assert audience.sync_connection(connection.pk).status == "synced"

    connection.refresh_from_db()
    assert connection.access_token == "c3oxd2dhVW90Y2lqOWrEFRESHED"
    assert connection.token_expires_at > timezone.now() + timedelta(days=59)
    refresh = next(hit for hit in meta.server.hits if hit.path == "/refresh_access_token")
    assert refresh.query["grant_type"] == "ig_refresh_token"


@pytest.mark.django_db
def test_unknown_country_codes_are_refused_with_a_reason_and_nothing_is_written(meta, caplog):
    connection = connected()

    def bad(payload):
        payload["data"][0]["total_value"]["breakdowns"][0]["results"].append({"dimension_values": ["XQ"], "value": 10})
        return payload

    meta.country_transform = bad
    with caplog.at_level(logging.WARNING, logger="profiles.audience"):
        outcome = audience.sync_connection(connection.pk)

    assert outcome.status == "refused"
    assert "unknown country codes XQ" in caplog.text
    assert not AudienceDemographics.objects.filter(profile=connection.profile).exists()  # neither segment
    assert not AudienceShare.objects.filter(profile=connection.profile).exists()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE and "unknown country codes" in connection.status_reason


@pytest.mark.django_db
def test_meta_down_pushes_the_next_try_an_hour_away(meta):
    connection = connected()
    meta.insights_error = (500, {"error": {"message": "An unknown error occurred", "code": 1}})

    outcome = audience.sync_connection(connection.pk)

    assert outcome.status == "retry"
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert timedelta(minutes=55) < connection.next_sync_at - timezone.now() < timedelta(minutes=65)


# --- pages: start, callback, Meta's signed callbacks --------------------------------------------


@pytest.fixture
def writer(db):
    user = UserFactory(username="agent")
    MembershipFactory(user=user, team__name="Agency", role="analyst")
    return user


@pytest.mark.django_db
def test_start_and_callback_connect_the_creator(meta, client, writer):
    profile = ProfileFactory()
    client.force_login(writer)

    start = client.post(reverse("profiles:instagram_connect", args=[profile.pk]))

    assert start.status_code == 302
    target = urlsplit(start["Location"])
    query = parse_qs(target.query)
    assert target.path == "/oauth/authorize"
    assert query["scope"] == ["instagram_business_basic,instagram_business_manage_insights"]
    done = client.get(reverse("profiles:instagram_callback"), {"code": "GOOD-CODE", "state": query["state"][0]})
    assert done.status_code == 302 and done["Location"] == reverse("profiles:profile", args=[profile.pk])
    connection = InstagramConnection.objects.get(profile=profile)
    assert connection.status == ConnectionStatus.ACTIVE and connection.connected_by == writer
    # The state is single-use.
    again = client.get(reverse("profiles:instagram_callback"), {"code": "GOOD-CODE", "state": query["state"][0]})
    assert again.status_code == 400


@pytest.mark.django_db
def test_connect_is_hidden_without_an_app(client, writer, settings):
    settings.META_APP_ID = ""
    profile = ProfileFactory()
    client.force_login(writer)

    assert client.post(reverse("profiles:instagram_connect", args=[profile.pk])).status_code == 404
    page = client.get(reverse("profiles:profile", args=[profile.pk]))
    assert b"Connect Instagram insights" not in page.content


@pytest.mark.django_db
def test_deauthorize_callback_breaks_the_connection_and_keeps_history(meta, client):
    connection = connected()
    AudienceDemographics.objects.create(profile=connection.profile, source="graph_insights", segment="followers")

    refused = client.post(reverse("profiles:instagram_deauthorize"), {"signed_request": "bad.sig"})
    signed = sign_request({"algorithm": "HMAC-SHA256", "issued_at": 1765000000, "user_id": IG_ID}, SECRET)
    answer = client.post(reverse("profiles:instagram_deauthorize"), {"signed_request": signed})

    assert refused.status_code == 400 and answer.status_code == 200
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.BROKEN and connection.access_token == ""
    assert AudienceDemographics.objects.filter(profile=connection.profile).count() == 1


@pytest.mark.django_db
def test_data_deletion_callback_deletes_token_and_insights_and_answers_a_status_url(meta, client):
    connection = connected()
    AudienceDemographics.objects.create(profile=connection.profile, source="graph_insights", segment="followers")
    AudienceDemographics.objects.create(profile=connection.profile, source="comment_estimate", segment="commenters")
    forged = sign_request({"algorithm": "HMAC-SHA256", "user_id": IG_ID}, "not-our-secret")

    assert client.post(reverse("profiles:instagram_data_deletion"), {"signed_request": forged}).status_code == 400
    signed = sign_request({"algorithm": "HMAC-SHA256", "issued_at": 1765000000, "user_id": IG_ID}, SECRET)
    answer = client.post(reverse("profiles:instagram_data_deletion"), {"signed_request": signed}).json()

    deletion = DataDeletionRequest.objects.get(confirmation_code=answer["confirmation_code"])
    assert deletion.completed_at is not None and deletion.deleted_rows == 1
    assert answer["url"].endswith(reverse("profiles:instagram_deletion", args=[deletion.confirmation_code]))
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DELETED and connection.access_token == ""
    # Our own estimates from public comments are not Meta's data: they stay.
    assert list(AudienceDemographics.objects.values_list("source", flat=True)) == ["comment_estimate"]
    status = client.get(urlsplit(answer["url"]).path)
    assert status.status_code == 200 and b"Completed" in status.content


# --- a real worker: the beat task claims due connections and each sync runs on the scraping queue ---


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_beat_task_syncs_due_connections_in_a_real_worker(fake_upstream):
    from django.conf import settings

    from scraping.tasks import sync_due_audiences
    from tests.workers import celery_worker, wait_for

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    Meta(fake_upstream)
    due = connected()
    later = connected(profile=ProfileFactory(), ig_user_id="17841400000000009", next_sync_at=None)
    env = {
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "META_APP_ID": "97563852873",
        "META_APP_SECRET": SECRET,
        "META_GRAPH_BASE_URL": fake_upstream.url,
        "META_OAUTH_BASE_URL": fake_upstream.url,
        "META_REQUESTS_PER_MINUTE": "6000",
    }
    http.reset_state(http.Upstream(name="meta-graph", requests_per_minute=1, redis_url=settings.REDIS_URL))
    with celery_worker("scraping", env):
        sync_due_audiences.delay()
        assert wait_for(lambda: AudienceDemographics.objects.filter(profile=due.profile).count() == 2)

    assert not AudienceDemographics.objects.filter(profile=later.profile).exists()
    due.refresh_from_db()
    assert due.last_synced_at is not None and due.next_sync_at > timezone.now() + timedelta(hours=23)
