"""Playwright in headless Chromium: two-factor sign-in set up and used, and a password reset by e-mail."""

from __future__ import annotations

import re

import pyotp
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache

from tests.browser.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def member(transactional_db):
    cache.clear()  # allauth's rate limits and used-code markers live in Redis
    user = UserFactory(username="ana", email="ana@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    yield user
    cache.clear()


def _submit(page, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        page.fill(f"main input[name={name}]", value)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _sign_out_and_in_with_the_password(page, base: str, login: str) -> None:
    """Sign out, sign in again with the password, and land on the second step."""
    page.click("nav form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/accounts/login/")
    _submit(page, {"login": login, "password": PASSWORD})
    assert "/accounts/2fa/authenticate/" in page.url


def test_enable_totp_and_sign_in_with_the_second_factor(member, browser_page, live_server, screenshot):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    _submit(page, {"login": "ana", "password": PASSWORD})
    assert page.url == f"{base}/creators/"

    # Two-factor page -> set up TOTP; allauth asks for the password again first.
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    _submit(page, {"password": PASSWORD})
    secret = page.input_value("#authenticator_secret")
    screenshot(page, "totp-setup")
    _submit(page, {"code": pyotp.TOTP(secret).now()})
    assert Authenticator.objects.filter(user=member, type="totp").exists()

    _sign_out_and_in_with_the_password(page, base, "ana@example.com")

    _submit(page, {"code": "000000"})
    assert "Incorrect code" in page.content() and "/accounts/2fa/authenticate/" in page.url

    page.fill("main input[name=code]", pyotp.TOTP(secret).now())
    screenshot(page, "accounts-sign-in-2fa")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/creators/"
    assert page.locator("nav").inner_text().count("ana") == 1


def test_reset_a_forgotten_password_by_email(member, browser_page, live_server, screenshot):
    page, base = browser_page, live_server.url
    mail.outbox = []
    page.goto(f"{base}/accounts/login/")
    page.click("a[href='/accounts/password/reset/']")
    _submit(page, {"email": "ana@example.com"})
    assert "/accounts/password/reset/done/" in page.url

    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    _submit(page, {"password1": "a fresh long passphrase", "password2": "a fresh long passphrase"})
    assert "/accounts/password/reset/key/done/" in page.url
    screenshot(page, "password-reset-done")

    page.goto(f"{base}/accounts/login/")
    _submit(page, {"login": "ana", "password": "a fresh long passphrase"})
    assert page.url == f"{base}/creators/"

    # The link served once: opening it again says so.
    page.goto(link)
    assert "invalid" in page.content().lower()


def test_add_a_security_key_and_sign_in_with_it(member, browser_page, live_server, screenshot):
    """WebAuthn with Chromium's virtual authenticator (DevTools), so no hardware is needed.

    Browsers allow WebAuthn on https and on http://localhost, not on an IP address.
    """
    page, base = browser_page, live_server.url.replace("127.0.0.1", "localhost")
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto(f"{base}/accounts/login/")
    _submit(page, {"login": "ana", "password": PASSWORD})
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    _submit(page, {"password": PASSWORD})
    page.fill("main input[name=name]", "Laptop key")
    page.click("#mfa_webauthn_add")
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert Authenticator.objects.filter(user=member, type="webauthn").exists()

    _sign_out_and_in_with_the_password(page, base, "ana")
    screenshot(page, "sign-in-security-key")
    page.click("main button:has-text('security key')")
    page.wait_for_url(f"{base}/creators/")
