"""Signing in with allauth: username or e-mail, verification, password reset, SSO buttons, MFA_REQUIRED."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.tests.conftest import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("login", ["ana", "ana@example.com", "ANA@example.com"])
def test_sign_in_by_username_or_email(client, ana, login):
    response = sign_in(client, login)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_as(client) == str(ana.pk)


def test_wrong_password_is_refused_with_a_message(client, ana):
    response = sign_in(client, "ana", "not the password")
    assert response.status_code == 200 and _signed_in_as(client) is None
    assert "not correct" in response.content.decode()


def test_unverified_address_gets_a_confirmation_mail_instead_of_a_session(client, mailoutbox):
    user = UserFactory(username="newbie", email="newbie@example.com")
    response = sign_in(client, "newbie")
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert _signed_in_as(client) is None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    client.post(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert EmailAddress.objects.get(user=user).verified


def test_password_reset_by_email(client, ana, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "ana@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    path = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mailoutbox[0].body).group(1)

    form = client.get(path, follow=True)
    set_password_url = form.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_from_key_done")

    assert sign_in(client, "ana", "a brand new passphrase")["Location"] == "/"
    # The link worked once: a second use is refused with a clear message.
    client.logout()
    reused = client.get(path, follow=True)
    assert "bad token" in reused.content.decode().lower() or "invalid" in reused.content.decode().lower()


def test_password_reset_mails_are_rate_limited(client, ana, mailoutbox, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "20/h/ip,2/h/key"}
    for _ in range(3):
        response = client.post(reverse("account_reset_password"), {"email": "ana@example.com"})
    assert len(mailoutbox) == 2
    assert response.status_code == 429


def test_password_reset_for_an_unknown_address_sends_nothing_revealing(client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert all("/password/reset/key/" not in mail.body for mail in mailoutbox)


def test_sso_button_hidden_without_environment(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "/accounts/oidc/" not in page and "google" not in page.lower()


def test_sso_button_shown_with_oidc_environment(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "oidc",
                    "name": "Acme SSO",
                    "client_id": "creatorscope",
                    "secret": "s3cret",
                    "settings": {"server_url": "https://sso.example.com/realms/acme"},
                }
            ]
        }
    }
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Acme SSO" in page and "/accounts/oidc/oidc/login/" in page


def test_sso_provider_comes_from_settings_not_database_rows(client):
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.create(provider="google", name="Rogue Google", client_id="x", secret="y")
    page = client.get(reverse("account_login")).content.decode()
    assert "Rogue Google" not in page and "/accounts/google/login/" not in page


def test_oidc_settings_come_from_environment(monkeypatch):
    """config/settings.py builds the provider from OIDC_* variables (nothing in the database)."""
    import importlib

    import config.settings as settings_module

    monkeypatch.setenv("OIDC_SERVER_URL", "https://sso.example.com")
    monkeypatch.setenv("OIDC_CLIENT_ID", "cs")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s")
    try:
        reloaded = importlib.reload(settings_module)
        app = reloaded.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]
        assert app["client_id"] == "cs" and app["settings"]["server_url"] == "https://sso.example.com"
    finally:
        monkeypatch.delenv("OIDC_SERVER_URL")
        importlib.reload(settings_module)
    assert "openid_connect" not in settings_module.SOCIALACCOUNT_PROVIDERS


def test_mfa_required_sends_users_without_totp_to_setup(client, ana, settings):
    settings.MFA_REQUIRED = True
    sign_in(client, "ana")
    for page in ["/", reverse("campaigns:list"), reverse("account_email")]:
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # Setting up a second factor asks for the password again (allauth's reauthentication), a page
    # the requirement lets through.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    setup = client.post(setup.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert setup.status_code == 200 and setup.context["form"].secret


def test_mfa_required_lets_users_with_totp_through(client, ana, settings):
    settings.MFA_REQUIRED = True
    TOTP.activate(ana, generate_totp_secret())
    client.force_login(ana)
    assert client.get(reverse("campaigns:list")).status_code == 200


def test_mfa_required_accepts_a_security_key_instead_of_totp(client, ana, settings):
    settings.MFA_REQUIRED = True
    Authenticator.objects.create(user=ana, type=Authenticator.Type.WEBAUTHN, data={})
    client.force_login(ana)
    assert client.get(reverse("campaigns:list")).status_code == 200


def test_mfa_required_keeps_the_last_authenticator(ana, settings):
    from allauth.mfa.adapter import get_adapter

    settings.MFA_REQUIRED = True
    totp = TOTP.activate(ana, generate_totp_secret())
    assert not get_adapter().can_delete_authenticator(totp.instance)
    key = Authenticator.objects.create(user=ana, type=Authenticator.Type.WEBAUTHN, data={})
    assert get_adapter().can_delete_authenticator(totp.instance)
    key.delete()
    settings.MFA_REQUIRED = False
    assert get_adapter().can_delete_authenticator(totp.instance)


def test_admin_login_goes_through_allauth(client, ana):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    # The admin's own password form is gone: posting to it signs nobody in.
    staff = UserFactory(username="sam", is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": "sam", "password": PASSWORD})
    assert _signed_in_as(client) is None
    assert staff.pk


def test_sign_out_ends_the_session(client, ana):
    sign_in(client, "ana")
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and _signed_in_as(client) is None


def test_password_change_ends_other_sessions(client, ana):
    from django.test import Client

    other = Client()
    sign_in(other, "ana")
    sign_in(client, "ana")
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another long passphrase", "password2": "another long passphrase"},
    )
    assert response.status_code == 302
    assert client.get(reverse("campaigns:list")).status_code == 200
    assert other.get(reverse("campaigns:list")).status_code == 302


def test_sessions_page_signs_out_other_sessions(client, ana):
    from django.test import Client

    other = Client()
    sign_in(other, "ana")
    sign_in(client, "ana")
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    client.post(reverse("usersessions_list"))
    assert client.get(reverse("campaigns:list")).status_code == 200
    assert other.get(reverse("campaigns:list")).status_code == 302


def test_ensure_local_admin_gives_a_working_admin_sign_in(client, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("ensure_local_admin")
    call_command("ensure_local_admin")
    admin = get_user_model().objects.get(username="admin")
    assert EmailAddress.objects.get(user=admin).verified
    assert sign_in(client, "admin", "admin")["Location"] == "/"
    assert client.get("/admin/").status_code == 200
    assert not Authenticator.objects.filter(user=admin).exists()
