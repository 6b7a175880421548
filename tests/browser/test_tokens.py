"""Playwright in Debian's headless Chromium: create an API token on the page, use it, revoke it."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, Membership, Team
from tests.browser.conftest import sign_in, signable_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_token_made_on_the_page_works_until_it_is_revoked(transactional_db, browser_page, live_server, screenshot):
    # Given an analyst of one team
    user = signable_user("ana")
    team = Team.objects.create(name="Acme Agency", slug="acme")
    Membership.objects.create(team=team, user=user, role=Membership.Role.ANALYST)
    ApiToken.objects.issue(user, "laptop script")
    page, base = browser_page, live_server.url
    sign_in(page, base, "ana")

    # When she creates a token bound to her team
    page.goto(f"{base}/accounts/tokens/")
    page.fill("form.cs-token-form input[name=name]", "nightly export")
    page.select_option("form.cs-token-form select[name=team]", str(team.pk))
    page.click("form.cs-token-form button[type=submit]")
    value = page.locator(".cs-token-value").input_value()
    screenshot(page, "accounts-tokens")

    # Then the value is shown once, signs in to the API, and is listed by its prefix only
    assert value.startswith(ApiToken.objects.get(name="nightly export").prefix)
    api = page.context.request
    me = api.get(f"{base}/api/v1/auth/me/", headers={"Authorization": f"Token {value}"})
    assert (me.status, me.json()["username"]) == (200, "ana")
    page.goto(f"{base}/accounts/tokens/")
    assert page.locator(".cs-token-value").count() == 0
    assert value not in page.content()

    # And once revoked, the API refuses it
    page.locator("tr", has_text="nightly export").locator("button", has_text="Revoke").click()
    page.wait_for_selector("text=revoked")
    refused = api.get(f"{base}/api/v1/auth/me/", headers={"Authorization": f"Token {value}"})
    assert (refused.status, refused.json()) == (401, {"detail": "Invalid token."})
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["laptop script"]
