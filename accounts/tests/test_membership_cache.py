"""The memberships every request asks for are read once, then kept until they change.

Each scoped query, the current team and the nav's switcher ask ``accounts.teams.user_memberships``;
a request reads them at most once, and the next requests take them from the cache, until a
membership or a team changes (bench/bench_request_path.py counts the reads per request).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.teams import user_memberships
from tests.factories import CampaignFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    """A session client: each request loads its user afresh, as in production (``force_authenticate``
    would hand every request the same user object)."""

    def make(user):
        client.force_login(user)
        return client

    return make


def _membership_reads(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, sum('"accounts_membership"' in q["sql"] for q in captured.captured_queries)


def test_a_second_request_reads_no_memberships(signed_in, alice):
    client = signed_in(alice)
    assert _membership_reads(client, "/api/v1/campaigns/") == (200, 1)
    assert _membership_reads(client, "/api/v1/campaigns/") == (200, 0)


def test_a_removed_member_loses_the_teams_rows_at_once(signed_in, alice, agency):
    campaign = CampaignFactory(owner=alice, team=agency)
    client = signed_in(alice)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200  # memberships now cached

    Membership.objects.get(user=alice, team=agency).delete()

    assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404


def test_a_demoted_member_loses_the_right_to_edit_at_once(signed_in, alice, agency):
    campaign = CampaignFactory(owner=alice, team=agency)
    client = signed_in(alice)
    assert (
        client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "A"}, content_type="application/json").status_code
        == 200
    )

    membership = Membership.objects.get(user=alice, team=agency)
    membership.role = Membership.Role.VIEWER
    membership.save()

    assert (
        client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "B"}, content_type="application/json").status_code
        == 403
    )


def test_a_renamed_team_reaches_its_members_cached_memberships(alice, agency, django_user_model):
    assert user_memberships(django_user_model.objects.get(pk=alice.pk))[0].team.name == "Agency"
    agency.name = "Agency & Co"
    agency.save()
    assert user_memberships(django_user_model.objects.get(pk=alice.pk))[0].team.name == "Agency & Co"


def test_joining_a_team_is_seen_by_the_same_user_object(alice):
    assert len(user_memberships(alice)) == 1
    MembershipFactory(team=TeamFactory(slug="second"), user=alice)
    assert [m.team.slug for m in user_memberships(alice)] == ["agency", "second"]
