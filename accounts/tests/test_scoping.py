"""The team rule on team-owned rows (campaigns, favorites, saved searches), through the API and pages.

Read: every member of the row's team; other teams 404; superusers read everything. Create: owners,
managers and analysts of the current team; viewers 403; users of no team 403. Edit and delete: the
author, or an owner or manager of the team; other teammates 403; other teams 404.
"""

import pytest
from django.urls import reverse

from accounts.models import Membership
from campaigns.models import Campaign
from profiles.models import Favorite, SearchHistory
from tests.factories import CampaignFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

# role of the requesting user in the row's team -> (read, change/delete) status
TEAM_RULE = {
    "author": (200, 200),
    "owner": (200, 200),
    "manager": (200, 200),
    "analyst": (200, 403),
    "viewer": (200, 403),
    "other team": (404, 404),
    "staff": (404, 404),
    "superuser": (200, 403),
}


@pytest.fixture
def cast(alice, bob, charlie, member_of):
    """Every person the rule names, keyed as in ``TEAM_RULE``; alice (an analyst) is the author."""
    return {
        "author": alice,
        "owner": member_of(Membership.Role.OWNER),
        "manager": member_of(Membership.Role.MANAGER),
        "analyst": member_of(Membership.Role.ANALYST),
        "viewer": member_of(Membership.Role.VIEWER),
        "other team": charlie,
        "staff": bob,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


def _rows(alice, agency):
    profile = ProfileFactory()
    return {
        "campaigns": (CampaignFactory(owner=alice, team=agency), {"name": "Renamed"}),
        "favorites": (Favorite.objects.create(team=agency, user=alice, profile=profile), {"note": "changed"}),
        "search-history": (SearchHistory.objects.create(team=agency, user=alice, query="fit"), None),
    }


@pytest.mark.parametrize("who", list(TEAM_RULE))
def test_team_rule_on_campaigns_favorites_and_searches_in_the_api(who, cast, alice, agency, client_for):
    read, change = TEAM_RULE[who]
    client = client_for(cast[who])
    for prefix, (row, patch) in _rows(alice, agency).items():
        url = f"/api/v1/{prefix}/{row.pk}/"
        assert client.get(url).status_code == read, (prefix, "read")
        if patch is not None:
            assert client.patch(url, patch, format="json").status_code == change, (prefix, "change")
        deleted = client.delete(url).status_code
        assert deleted == (204 if change == 200 else change), (prefix, "delete")
        assert type(row).objects.filter(pk=row.pk).exists() == (change != 200)


@pytest.mark.parametrize(
    ("who", "status"),
    [("author", 201), ("owner", 201), ("manager", 201), ("analyst", 201), ("viewer", 403), ("staff", 403)],
)
def test_create_needs_a_writer_role_in_the_current_team(who, status, cast, client_for):
    client = client_for(cast[who])
    profile = ProfileFactory()
    answers = [
        client.post("/api/v1/campaigns/", {"name": "New"}, format="json"),
        client.post("/api/v1/favorites/", {"profile": profile.pk}, format="json"),
        client.post("/api/v1/search-history/", {"query": "fit", "filters": {}}, format="json"),
    ]
    assert [a.status_code for a in answers] == [status] * 3
    if who == "staff":
        assert answers[0].json()["detail"] == "Join or create a team first."
    elif status == 403:
        assert "Viewers" in answers[0].json()["detail"]
    else:
        campaign = Campaign.objects.get()
        assert (campaign.team.slug, campaign.owner) == ("agency", cast[who])
        assert Favorite.objects.get().team.slug == SearchHistory.objects.get().team.slug == "agency"


def test_lists_show_the_current_teams_rows_to_every_member(cast, alice, agency, client_for):
    _rows(alice, agency)
    CampaignFactory(owner=cast["other team"])
    for who in ("viewer", "manager", "author"):
        client = client_for(cast[who])
        for prefix in ("campaigns", "favorites", "search-history"):
            assert client.get(f"/api/v1/{prefix}/").json()["count"] == 1, (who, prefix)
    assert client_for(cast["other team"]).get("/api/v1/campaigns/").json()["count"] == 1
    assert client_for(cast["staff"]).get("/api/v1/campaigns/").json()["count"] == 0


def test_teammate_may_not_add_creators_to_an_authors_campaign_but_a_manager_may(cast, alice, agency, client_for):
    campaign = CampaignFactory(owner=alice, team=agency)
    url = f"/api/v1/campaigns/{campaign.pk}/creators/"
    assert client_for(cast["analyst"]).get(url).status_code == 200
    assert client_for(cast["analyst"]).post(url, {"profile": ProfileFactory().pk}, format="json").status_code == 403
    assert client_for(cast["manager"]).post(url, {"profile": ProfileFactory().pk}, format="json").status_code == 201
    assert campaign.campaign_profiles.count() == 1


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(TEAM_RULE))
def test_campaign_page_follows_the_team_rule(who, cast, alice, agency, client):
    campaign = CampaignFactory(owner=alice, team=agency, name="Spring")
    client.force_login(cast[who])
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == TEAM_RULE[who][0]
    listed = "Spring" in client.get(reverse("campaigns:list")).content.decode()
    assert listed == (TEAM_RULE[who][0] == 200)


def test_admins_view_on_site_of_a_colleagues_campaign_opens(admin_client, alice, agency):
    """The reported bug: a superuser got 404 on a colleague's campaign, from admin's "View on site" too."""
    campaign = CampaignFactory(owner=alice, team=agency)
    change = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert reverse("campaigns:detail", args=[campaign.pk]) in change.content.decode()
    assert admin_client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200


def test_favorites_page_shows_the_teams_shortlist_and_viewers_cannot_star(cast, alice, agency, client):
    profile = ProfileFactory(handle="fitfelix")
    Favorite.objects.create(team=agency, user=alice, profile=profile)
    client.force_login(cast["viewer"])
    assert "fitfelix" in client.get(reverse("profiles:favorites")).content.decode()
    response = client.post(reverse("profiles:favorite", args=[profile.pk]))
    assert response.status_code == 403
    assert Favorite.objects.count() == 1
    client.force_login(cast["other team"])
    assert "fitfelix" not in client.get(reverse("profiles:favorites")).content.decode()


def test_user_of_no_team_is_told_to_join_one(bob, client):
    client.force_login(bob)
    response = client.post(reverse("profiles:favorite", args=[ProfileFactory().pk]))
    assert response.status_code == 403
    assert "Join or create a team first" in response.content.decode()


def test_page_search_is_saved_in_the_current_team(cast, client):
    client.force_login(cast["analyst"])
    client.get(reverse("profiles:search"), {"q": "fit"})
    assert SearchHistory.objects.get().team.slug == "agency"
    client.force_login(cast["staff"])  # of no team: searches, but nothing is saved
    assert client.get(reverse("profiles:search"), {"q": "fit"}).status_code == 200
    assert SearchHistory.objects.count() == 1
