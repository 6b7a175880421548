"""PROFILE_ACCESS_SCOPE: grants and the monthly quota per user (default) or per team."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from profiles.models import ProfileAccess
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _open(client, profile):
    """The report page; with a quota, a new one opens by the confirmation page's POST (issue 16)."""
    url = reverse("profiles:profile", args=[profile.pk])
    page = client.get(url)
    if page.status_code == 200 and b"data-open-access" in page.content:
        opened = client.post(url)
        return client.get(url) if opened.status_code == 302 else opened
    return page


def test_user_scope_counts_each_user_alone(settings, alice, member_of, client):
    settings.PROFILE_ACCESS_MONTHLY_LIMIT = 1
    teammate = member_of(Membership.Role.ANALYST)
    first, second = ProfileFactory(), ProfileFactory()
    client.force_login(alice)
    assert _open(client, first).status_code == 200
    assert _open(client, second).status_code == 403
    client.force_login(teammate)
    assert _open(client, second).status_code == 200
    assert ProfileAccess.objects.filter(team__isnull=True).count() == 2


def test_team_scope_shares_grants_and_the_quota(settings, alice, agency, member_of, charlie, client):
    settings.PROFILE_ACCESS_SCOPE = "team"
    settings.PROFILE_ACCESS_MONTHLY_LIMIT = 1
    teammate = member_of(Membership.Role.VIEWER)
    first, second = ProfileFactory(), ProfileFactory()
    client.force_login(alice)
    assert _open(client, first).status_code == 200
    client.force_login(teammate)
    assert _open(client, first).status_code == 200  # alice's grant serves the team
    refused = _open(client, second)
    assert refused.status_code == 403 and "Your team has opened 1" in refused.content.decode()
    client.force_login(charlie)  # another team has its own quota
    assert _open(client, second).status_code == 200
    assert ProfileAccess.objects.filter(team=agency).count() == 1
    assert client.get("/api/v1/profile-access/").json()["count"] == 1
