"""The current team: token scope, then X-Team, then the session (the nav's switcher), then the oldest membership."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Membership
from accounts.teams import current_team
from tests.factories import CampaignFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_team(alice):
    team = TeamFactory(name="Brand side", slug="brand-side")
    MembershipFactory(team=team, user=alice, role=Membership.Role.MANAGER)
    return team


def _request(user, headers=None, session=None, auth=None):
    request = RequestFactory().get("/", headers=headers or {})
    request.user, request.session, request.auth = user, session if session is not None else {}, auth
    return request


def test_order_is_token_then_header_then_session_then_oldest_membership(alice, agency, second_team):
    assert current_team(_request(alice)) == agency  # the oldest membership
    assert current_team(_request(alice, session={"team_id": second_team.pk})) == second_team
    assert current_team(_request(alice, {"X-Team": "agency"}, {"team_id": second_team.pk})) == agency
    token = SimpleNamespace(team=second_team)
    assert current_team(_request(alice, session={"team_id": agency.pk}, auth=token)) == second_team


def test_foreign_team_in_header_or_token_is_refused(alice, charlie, agency, second_team):
    with pytest.raises(PermissionDenied):
        current_team(_request(alice, {"X-Team": "rivals"}))
    with pytest.raises(PermissionDenied):
        current_team(_request(alice, auth=SimpleNamespace(team=charlie.memberships.get().team)))
    with pytest.raises(PermissionDenied):  # a token of one team with a header naming another
        current_team(_request(alice, {"X-Team": "agency"}, auth=SimpleNamespace(team=second_team)))


def test_a_session_team_the_user_left_falls_back_quietly(alice, agency):
    session = {"team_id": TeamFactory(name="Gone", slug="gone").pk}
    assert current_team(_request(alice, session=session)) == agency
    assert "team_id" not in session


def test_api_lists_follow_x_team_and_a_non_member_gets_403(alice, agency, second_team, client_for):
    CampaignFactory(owner=alice, team=agency, name="Agency work")
    CampaignFactory(owner=alice, team=second_team, name="Brand work")
    client = client_for(alice)
    names = lambda **headers: [c["name"] for c in client.get("/api/v1/campaigns/", headers=headers).json()["results"]]  # noqa: E731
    assert names() == ["Agency work"]
    assert names(**{"X-Team": "brand-side"}) == ["Brand work"]
    refused = client.get("/api/v1/campaigns/", headers={"X-Team": "rivals"})
    assert refused.status_code == 403 and "not a member" in refused.json()["detail"]
    created = client.post("/api/v1/campaigns/", {"name": "New"}, format="json", headers={"X-Team": "brand-side"})
    assert created.status_code == 201
    assert second_team.campaigns.filter(name="New").exists()


def test_pages_switch_with_the_nav_form_and_refuse_a_foreign_team(alice, agency, second_team, client):
    CampaignFactory(owner=alice, team=agency, name="Agency work")
    CampaignFactory(owner=alice, team=second_team, name="Brand work")
    client.force_login(alice)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "Agency work" in page and "Brand work" not in page
    assert 'name="team"' in page and "Brand side" in page  # the switcher in the nav
    response = client.post(reverse("accounts:teams"), {"team": "brand-side", "next": reverse("campaigns:list")})
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:list")
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "Brand work" in page and "Agency work" not in page
    assert client.post(reverse("accounts:teams"), {"team": "rivals"}).status_code == 403
    assert client.session["team_id"] == second_team.pk


def test_creating_a_team_makes_its_creator_owner_and_current(bob, client):
    client.force_login(bob)
    response = client.post(reverse("accounts:create_team"), {"name": "Bob's agency"})
    assert response.status_code == 302
    membership = bob.memberships.get()
    assert (membership.team.slug, membership.role) == ("bobs-agency", "owner")
    assert client.session["team_id"] == membership.team.pk


def test_teams_api_lists_my_teams_and_members_and_hides_others(alice, agency, second_team, charlie, client_for):
    client = client_for(alice)
    mine = client.get("/api/v1/teams/").json()
    assert [(t["slug"], t["role"], t["current"]) for t in mine] == [
        ("agency", "analyst", True),
        ("brand-side", "manager", False),
    ]
    detail = client.get("/api/v1/teams/agency/").json()
    assert [m["username"] for m in detail["members"]] == ["alice"]
    assert client.get("/api/v1/teams/rivals/").status_code == 404


def test_a_token_bound_to_a_team_reaches_only_that_teams_rows(alice, agency, second_team):
    from rest_framework.test import APIClient

    other = CampaignFactory(owner=alice, team=agency)
    own = CampaignFactory(owner=alice, team=second_team)
    client = APIClient()
    client.force_authenticate(alice, token=SimpleNamespace(team=second_team))
    assert client.get(f"/api/v1/campaigns/{own.pk}/").status_code == 200
    assert client.get(f"/api/v1/campaigns/{other.pk}/").status_code == 404
    assert client.get("/api/v1/campaigns/", headers={"X-Team": "agency"}).status_code == 403
