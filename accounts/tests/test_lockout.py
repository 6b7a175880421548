"""Password guessing: django-axes counts failures per account and per address on every door.

The tenth failure locks; the eleventh attempt is refused before any password is checked, even the
right one, with the wait time in the answer.
"""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.tests.conftest import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _fail_on_page(client, times, login="ana", **extra):
    return [sign_in(client, login, "wrong guess", **extra).status_code for _ in range(times)]


def test_eleventh_attempt_on_the_sign_in_page_is_refused_without_checking(client, ana):
    statuses = _fail_on_page(client, 10)
    assert statuses[:9] == [200] * 9 and statuses[9] == 429

    with mock.patch.object(get_user_model(), "check_password", autospec=True, return_value=True) as check:
        response = sign_in(client, "ana", PASSWORD)
    check.assert_not_called()
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"
    assert client.session.get("_auth_user_id") is None


def test_the_account_counter_covers_username_and_email(client, ana):
    for i in range(10):
        sign_in(client, "ana" if i % 2 else "ANA@example.com", "wrong guess", REMOTE_ADDR=f"10.0.0.{i}")
    response = sign_in(client, "ana@example.com", PASSWORD, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429


def test_eleventh_attempt_on_the_admin_door_is_refused(client, ana):
    UserFactory(username="sam", email="sam@example.com", is_staff=True, is_superuser=True)
    _fail_on_page(client, 10, login="sam")
    login_page = client.get("/admin/login/?next=/admin/", follow=True).redirect_chain[-1][0]
    assert login_page.startswith(reverse("account_login"))
    with mock.patch.object(get_user_model(), "check_password", autospec=True, return_value=True) as check:
        response = client.post(login_page, {"login": "sam", "password": PASSWORD})
    check.assert_not_called()
    assert response.status_code == 429


def test_eleventh_attempt_on_the_token_endpoint_is_refused_without_checking(api_client, ana):
    statuses = [
        api_client.post(TOKEN_URL, {"username": "ana", "password": "wrong"}, format="json").status_code
        for _ in range(10)
    ]
    assert statuses[:9] == [400] * 9 and statuses[9] == 429

    with mock.patch.object(get_user_model(), "check_password", autospec=True, return_value=True) as check:
        response = api_client.post(TOKEN_URL, {"username": "ana", "password": PASSWORD}, format="json")
    check.assert_not_called()
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.json()["detail"]
    assert response["Retry-After"] == "900"


def test_doors_share_one_counter(client, api_client, ana):
    for _ in range(5):
        api_client.post(TOKEN_URL, {"username": "ana", "password": "wrong"}, format="json")
    _fail_on_page(client, 5)
    assert api_client.post(TOKEN_URL, {"username": "ana", "password": PASSWORD}, format="json").status_code == 429


def test_one_address_guessing_many_accounts_is_locked(client, ana):
    for i in range(10):
        sign_in(client, f"someone{i}", "wrong guess")
    assert sign_in(client, "ana", PASSWORD).status_code == 429


def test_x_forwarded_for_is_ignored_by_default(client, ana):
    """A guesser cannot pose as a new address per attempt by sending X-Forwarded-For."""
    for i in range(10):
        sign_in(client, f"someone{i}", "wrong guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    response = sign_in(client, "ana", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_x_forwarded_for_counts_behind_declared_proxies(client, ana, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for i in range(10):
        sign_in(client, f"someone{i}", "wrong guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    response = sign_in(client, "ana", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_success_before_the_limit_resets_the_account_counter(client, ana):
    _fail_on_page(client, 9)
    assert sign_in(client, "ana", PASSWORD).status_code == 302
    client.logout()
    assert _fail_on_page(client, 9) == [200] * 9


def test_api_throttle_ignores_x_forwarded_for_by_default(settings):
    """The anonymous API rate counts per REMOTE_ADDR too, not per address a client claims."""
    from rest_framework.test import APIRequestFactory

    from config.api.throttling import AnonThrottle

    request = APIRequestFactory().post(TOKEN_URL, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="192.0.2.1")
    assert AnonThrottle().get_ident(request) == "192.0.2.1"


def test_a_post_of_credentials_to_the_admin_login_checks_no_password(client, ana):
    """The admin's own form is not a second door: it sends everyone to allauth's page, which axes guards."""
    with mock.patch.object(get_user_model(), "check_password", autospec=True, return_value=True) as check:
        response = client.post("/admin/login/", {"username": "ana", "password": PASSWORD})
    check.assert_not_called()
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.session.get("_auth_user_id") is None


def test_the_token_endpoint_ignores_x_forwarded_for_by_default(api_client, ana):
    """A guesser posing as a new address per attempt is still one address: the 11th is refused unchecked."""
    for i in range(10):
        api_client.post(
            TOKEN_URL,
            {"username": f"someone{i}", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    with mock.patch.object(get_user_model(), "check_password", autospec=True, return_value=True) as check:
        response = api_client.post(
            TOKEN_URL, {"username": "ana", "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
    check.assert_not_called()
    assert response.status_code == 429


def test_the_token_endpoint_counts_the_address_the_trusted_proxy_names(api_client, ana, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for i in range(10):
        api_client.post(
            TOKEN_URL,
            {"username": f"someone{i}", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    response = api_client.post(
        TOKEN_URL, {"username": "ana", "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 200 and "token" in response.json()


def test_the_api_throttle_counts_the_address_the_trusted_proxy_names(settings):
    from rest_framework.test import APIRequestFactory

    from config.api.throttling import AnonThrottle

    request = APIRequestFactory().post(TOKEN_URL, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="192.0.2.1")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # TRUSTED_PROXY_COUNT=1
    assert AnonThrottle().get_ident(request) == "203.0.113.9"
