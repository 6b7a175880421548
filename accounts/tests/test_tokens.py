"""API tokens (django-rest-knox): created, listed and revoked through the API and the page; expiry,
revocation, team scope, hashing at rest, and the password exchange."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership, Team
from accounts.signals import token_created, token_revoked
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/auth/tokens/"
ME = "/api/v1/auth/me/"


@pytest.fixture
def acme(alice):
    team = Team.objects.create(name="Acme", slug="acme")
    Membership.objects.create(team=team, user=alice, role=Membership.Role.ANALYST)
    return team


@pytest.fixture
def globex(alice):
    team = Team.objects.create(name="Globex", slug="globex")
    Membership.objects.create(team=team, user=alice, role=Membership.Role.VIEWER)
    return team


def with_token(plain: str, **headers) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}", **headers)
    return client


@pytest.fixture
def signals():
    sent = []

    def listen(signal):
        def receiver(sender, **kwargs):
            sent.append((signal, kwargs["token"].name, kwargs["actor"]))

        return receiver

    receivers = {token_created: listen("created"), token_revoked: listen("revoked")}
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield sent
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


def test_api_creates_a_token_whose_value_is_shown_once_then_lists_it_without_the_value(
    alice, acme, client_for, signals
):
    client = client_for(alice)
    created = client.post(TOKENS, {"name": "nightly export", "team": "acme"}, format="json")
    assert created.status_code == 201
    body = created.json()
    plain = body["token"]
    assert (body["name"], body["team"], body["prefix"], body["last_used"]) == (
        "nightly export",
        "acme",
        plain[:15],
        None,
    )
    assert timedelta(days=89) < ApiToken.objects.get().expiry - timezone.now() <= timedelta(days=90)
    listed = client.get(TOKENS).json()
    assert [(t["id"], t["name"], t["prefix"], t["expired"]) for t in listed] == [
        (body["id"], "nightly export", plain[:15], False)
    ]
    assert plain not in client.get(TOKENS).content.decode()
    assert signals == [("created", "nightly export", alice)]


def test_token_is_stored_as_a_digest_never_as_its_value(alice):
    token, plain = ApiToken.objects.issue(alice, "script")
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert plain not in {str(value) for value in stored.values()}
    assert stored["digest"] == hashlib.sha512(plain.encode()).hexdigest()
    assert stored["token_key"] == plain[:15]


def test_token_signs_in_and_records_its_last_use_at_most_every_few_minutes(alice, django_assert_num_queries):
    token, plain = ApiToken.objects.issue(alice, "script")
    client = with_token(plain)
    assert client.get(ME).json()["username"] == "alice"
    first = ApiToken.objects.get(pk=token.pk).last_used
    assert first is not None
    with django_assert_num_queries(1):  # the token with its user; no write inside the resolution
        assert client.get(ME).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used == first
    ApiToken.objects.filter(pk=token.pk).update(last_used=first - ApiToken.LAST_USED_RESOLUTION)
    client.get(ME)
    assert ApiToken.objects.get(pk=token.pk).last_used > first


def test_revoked_token_gets_401_through_the_api(alice, client_for, signals):
    token, plain = ApiToken.objects.issue(alice, "laptop")
    other, _ = ApiToken.objects.issue(alice, "server")
    client = with_token(plain)
    assert client.get(ME).status_code == 200
    assert client_for(alice).delete(f"{TOKENS}{token.pk}/").status_code == 204
    refused = client.get(ME)
    assert (refused.status_code, refused.json()) == (401, {"detail": "Invalid token."})
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["server"]
    assert signals[-1] == ("revoked", "laptop", alice)


def test_a_user_cannot_see_or_revoke_another_users_token(alice, charlie, client_for):
    token, _ = ApiToken.objects.issue(charlie, "theirs")
    client = client_for(alice)
    assert client.get(TOKENS).json() == []
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_expired_token_gets_401_saying_so_and_stays_listed(alice, client_for):
    token, plain = ApiToken.objects.issue(alice, "old")
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(days=1))
    refused = with_token(plain).get(ME)
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("Token expired on ")
    assert [t["expired"] for t in client_for(alice).get(TOKENS).json()] == [True]


def test_token_lifetime_follows_the_setting(alice, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=7)}
    token, _ = ApiToken.objects.issue(alice, "short")
    assert timedelta(days=6) < token.expiry - timezone.now() <= timedelta(days=7)


def test_token_of_one_team_used_for_another_team_gets_403(alice, acme, globex):
    token, plain = ApiToken.objects.issue(alice, "acme only", team=acme)
    assert with_token(plain, HTTP_X_TEAM="acme").get(ME).status_code == 200
    refused = with_token(plain, HTTP_X_TEAM="globex").get(ME)
    assert refused.status_code == 403
    assert "acme" in refused.json()["detail"]


def test_request_auth_carries_the_tokens_team(alice, acme, rf):
    from accounts.authentication import TokenAuthentication

    _, plain = ApiToken.objects.issue(alice, "scoped", team=acme)
    user, auth = TokenAuthentication().authenticate(rf.get(ME, HTTP_AUTHORIZATION=f"Token {plain}"))
    assert (user, getattr(auth, "team", None)) == (alice, acme)


def test_token_cannot_be_bound_to_a_team_the_user_is_not_in(alice, client_for):
    Team.objects.create(name="Other", slug="other")
    refused = client_for(alice).post(TOKENS, {"name": "x", "team": "other"}, format="json")
    assert refused.status_code == 400
    assert "team" in refused.json()
    assert not ApiToken.objects.exists()


def test_leaving_a_team_revokes_the_tokens_bound_to_it(alice, acme):
    scoped, plain = ApiToken.objects.issue(alice, "acme", team=acme)
    unscoped, _ = ApiToken.objects.issue(alice, "any")
    Membership.objects.filter(team=acme, user=alice).delete()
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["any"]
    assert with_token(plain).get(ME).status_code == 401


def test_password_exchange_answers_a_token_and_its_expiry(alice):
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct horse battery staple"}, format="json"
    )
    assert answer.status_code == 200
    assert set(answer.json()) == {"token", "expiry"}
    assert with_token(answer.json()["token"]).get(ME).json()["username"] == "alice"


def test_password_exchange_goes_through_authenticate_with_the_request(alice, monkeypatch):
    seen = []
    from accounts.api import serializers

    real = serializers.authenticate

    def spy(request=None, **credentials):
        seen.append(request)
        return real(request=request, **credentials)

    monkeypatch.setattr(serializers, "authenticate", spy)
    APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    assert len(seen) == 1 and seen[0] is not None


# --- the page ---


def test_page_creates_a_token_and_shows_its_value_once(alice, acme, client):
    client.force_login(alice)
    created = client.post("/accounts/tokens/", {"name": "from the page", "team": acme.pk})
    assert created.status_code == 200
    token = ApiToken.objects.get()
    plain = created.context["plain"]
    assert plain.startswith(token.prefix) and plain in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    again = client.get("/accounts/tokens/").content.decode()
    assert plain not in again and token.prefix in again and "from the page" in again
    assert with_token(plain).get(ME).status_code == 200


def test_page_revokes_a_token_and_the_api_then_refuses_it(alice, client):
    token, plain = ApiToken.objects.issue(alice, "to revoke")
    client.force_login(alice)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "revoked" in response.content.decode()
    assert with_token(plain).get(ME).status_code == 401


def test_page_offers_only_the_users_teams_and_refuses_others(alice, acme, client):
    other = Team.objects.create(name="Other", slug="other")
    client.force_login(alice)
    page = client.get("/accounts/tokens/").content.decode()
    assert "Acme" in page and "Other" not in page
    refused = client.post("/accounts/tokens/", {"name": "x", "team": other.pk})
    assert refused.status_code == 200 and refused.context["plain"] is None
    assert not ApiToken.objects.exists()


def test_page_needs_a_signed_in_user_and_revoking_someone_elses_token_is_404(alice, charlie, client):
    assert client.get("/accounts/tokens/").status_code == 302
    token, _ = ApiToken.objects.issue(charlie, "theirs")
    client.force_login(alice)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404


def test_admin_lists_tokens_without_their_digest_and_revokes_through_the_model(alice, client, signals):
    token, _ = ApiToken.objects.issue(alice, "in admin")
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200 and "in admin" in listing.content.decode()
    assert token.digest not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert not ApiToken.objects.exists()
    assert signals[-1] == ("revoked", "in admin", admin_user)
