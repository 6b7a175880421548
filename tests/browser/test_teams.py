"""Playwright in headless Chromium: joining a team by an e-mailed invitation (sign up, verify the
address from the outbox), the links that no longer work, and switching teams in the navigation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Invitation, Membership, Team
from tests.browser.conftest import PASSWORD, sign_in, signable_user
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def acme(transactional_db):
    cache.clear()  # allauth's rate limits live in Redis, which outlives each test's database
    owner = signable_user("olivia")
    team = Team.objects.create(name="Acme Agency", slug="acme")
    Membership.objects.create(team=team, user=owner, role=Membership.Role.OWNER)
    yield team
    cache.clear()


def _submit(page, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        page.fill(f"main input[name={name}]", value)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _link(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_sign_up_by_invitation_and_verify_the_address(acme, browser_page, live_server, screenshot):
    page, base = browser_page, live_server.url
    mail.outbox = []

    # Given an owner who invites a new analyst from the members page
    sign_in(page, base, "olivia")
    page.goto(f"{base}/accounts/team/members/")
    page.fill("main input[name=email]", "nina@example.com")
    page.select_option("main select[name=role]", "analyst")
    page.click("main form button:has-text('Send invitation')")
    page.wait_for_load_state()
    invitation_link = _link(r"https?://\S+/accounts/invitations/\S+/")
    page.click("nav form button:has-text('Sign out')")
    page.wait_for_load_state()

    # When the invitee opens the link, signs up (sign-up is closed to anyone else) ...
    page.goto(invitation_link)
    assert "/accounts/signup/" in page.url and "Sign up or sign in to join Acme Agency" in page.content()
    page.fill("main input[name=email]", "nina@example.com")
    page.fill("main input[name=username]", "nina")
    page.fill("main input[name=password1]", PASSWORD)
    page.fill("main input[name=password2]", PASSWORD)
    screenshot(page, "accounts-invitation-signup")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/confirm-email/" in page.url  # "verify your address" before anything else
    assert not Membership.objects.filter(user__username="nina").exists()

    # ... and confirms the address from the e-mail
    page.goto(_link(r"https?://\S+/accounts/confirm-email/\S+/"))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    # Then she is signed in, a member with the invited role, working in that team
    membership = Membership.objects.get(user__username="nina")
    assert (membership.team, membership.role) == (acme, Membership.Role.ANALYST)
    assert "You joined Acme Agency as Analyst" in page.content()
    assert page.locator("#cs-team option[selected]").inner_text() == "Acme Agency"

    # And the link worked once: opened again it says so, and changes nothing
    page.goto(invitation_link)
    assert "This invitation has already been used." in page.content()
    assert Membership.objects.filter(user__username="nina").count() == 1


def test_an_expired_invitation_link_says_so_and_lets_nobody_sign_up(acme, browser_page, live_server):
    page, base = browser_page, live_server.url
    invitation, key = Invitation.issue(acme, "late@example.com", "viewer", None)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    page.goto(f"{base}/accounts/invitations/{key}/")
    assert "This invitation has expired. Ask the team for a new one." in page.content()
    page.goto(f"{base}/accounts/signup/")
    assert page.locator("main input[name=password1]").count() == 0  # still closed: no form
    page.goto(f"{base}/accounts/invitations/not-a-key/")
    assert "This invitation link is not valid." in page.content()


def test_switching_teams_in_the_navigation_changes_what_lists_show(acme, browser_page, live_server, screenshot):
    page, base = browser_page, live_server.url
    olivia = Membership.objects.get(team=acme).user
    globex = Team.objects.create(name="Globex Brand Team", slug="globex")
    Membership.objects.create(team=globex, user=olivia, role=Membership.Role.ANALYST)
    CampaignFactory(owner=olivia, team=acme, name="Acme spring launch")
    CampaignFactory(owner=olivia, team=globex, name="Globex summer drop")

    sign_in(page, base, "olivia")
    page.goto(f"{base}/campaigns/")
    assert "Acme spring launch" in page.content() and "Globex summer drop" not in page.content()
    assert page.locator("nav a:has-text('Audit trail')").count() == 1  # an owner of Acme

    with page.expect_navigation():
        page.select_option("#cs-team", "globex")  # the switcher submits itself, back to this page
    page.wait_for_load_state()
    assert "Globex summer drop" in page.content() and "Acme spring launch" not in page.content()
    assert page.locator("nav a:has-text('Audit trail')").count() == 0  # an analyst of Globex
    screenshot(page, "accounts-team-switch")
