"""Two-factor sign-in: TOTP set up on the page, the second step at sign-in, recovery codes."""

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from accounts.tests.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_enable_totp_then_sign_in_with_the_second_factor(client, ana):
    sign_in(client, "ana")
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    setup = client.post(setup.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    secret = setup.context["form"].secret

    response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=ana, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it.
    assert Authenticator.objects.filter(user=ana, type=Authenticator.Type.RECOVERY_CODES).exists()

    browser = Client()
    response = sign_in(browser, "ana")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_as(browser) is None
    response = browser.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_as(browser) == str(ana.pk)


def test_enabling_totp_with_a_wrong_code_changes_nothing(client, ana):
    sign_in(client, "ana")
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    client.post(setup.redirect_chain[-1][0], {"password": PASSWORD})
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=ana).exists()


def test_wrong_totp_code_is_refused(client, ana):
    secret = generate_totp_secret()
    TOTP.activate(ana, secret)
    sign_in(client, "ana")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    assert _signed_in_as(client) is None
    assert client.get(reverse("campaigns:list")).status_code == 302


def test_the_password_alone_signs_nobody_in_once_totp_is_on(client, ana):
    TOTP.activate(ana, generate_totp_secret())
    sign_in(client, "ana")
    assert client.get(reverse("campaigns:list")).status_code == 302


def test_a_recovery_code_works_once(ana):
    TOTP.activate(ana, generate_totp_secret())
    code = RecoveryCodes.activate(ana).get_unused_codes()[0]

    first = Client()
    sign_in(first, "ana")
    response = first.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and _signed_in_as(first) == str(ana.pk)

    second = Client()
    sign_in(second, "ana")
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200 and _signed_in_as(second) is None


def test_token_endpoint_asks_for_the_second_factor(api_client, ana):
    secret = generate_totp_secret()
    TOTP.activate(ana, secret)
    url = "/api/v1/auth/token/"

    response = api_client.post(url, {"username": "ana", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "two-factor" in response.json()["otp"][0]
    response = api_client.post(url, {"username": "ana", "password": PASSWORD, "otp": "000000"}, format="json")
    assert response.status_code == 400 and response.json()["otp"] == ["Incorrect code."]
    response = api_client.post(
        url, {"username": "ana", "password": PASSWORD, "otp": pyotp.TOTP(secret).now()}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]


def test_token_endpoint_without_two_factor_needs_no_code(api_client, ana):
    response = api_client.post("/api/v1/auth/token/", {"username": "ana", "password": PASSWORD}, format="json")
    assert response.status_code == 200
