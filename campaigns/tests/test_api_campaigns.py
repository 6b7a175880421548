"""Campaign CRUD, creators and posts in a campaign, and the results endpoint: owner only."""

from decimal import Decimal

import pytest

from campaigns.models import Campaign, CampaignPost, CampaignProfile
from tests.factories import CampaignFactory, CampaignPostFactory, CampaignProfileFactory, PostFactory, ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def campaign(alice):
    return CampaignFactory(owner=alice, name="Spring", budget=Decimal("1000"))


def test_owner_creates_lists_and_edits_a_campaign(alice, client_for):
    client = client_for(alice)
    created = client.post(
        "/api/v1/campaigns/",
        {"name": "Launch", "brand": "Acme", "start_date": "2026-03-01", "end_date": "2026-04-01", "currency": "EUR"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert Campaign.objects.get().owner == alice
    url = f"/api/v1/campaigns/{created.json()['id']}/"
    assert client.patch(url, {"status": "active"}, format="json").json()["status"] == "active"
    assert client.get("/api/v1/campaigns/").json()["results"][0]["name"] == "Launch"


def test_campaign_is_invisible_to_other_teams_and_to_staff_of_no_team(campaign, bob, charlie, client_for):
    """Staff (bob) get 404 too: staff status grants no access to a team's rows (staff use the admin)."""
    CampaignProfileFactory(campaign=campaign)
    entry = CampaignPostFactory(campaign=campaign)
    base = f"/api/v1/campaigns/{campaign.pk}/"
    for user in (bob, charlie):
        client = client_for(user)
        assert client.get("/api/v1/campaigns/").json()["count"] == 0
        assert client.get(base).status_code == 404
        assert client.patch(base, {"name": "mine"}, format="json").status_code == 404
        assert client.delete(base).status_code == 404
        assert client.get(f"{base}metrics/").status_code == 404
        assert client.get(f"{base}creators/").status_code == 404
        assert client.post(f"{base}creators/", {"profile": ProfileFactory().pk}, format="json").status_code == 404
        assert client.get(f"{base}posts/").status_code == 404
        assert client.delete(f"{base}posts/{entry.pk}/").status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "Spring"
    assert CampaignPost.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "start_date": "2026-05-01", "end_date": "2026-04-01"}, "end_date"),
        ({"name": "x", "budget": "-5"}, "budget"),
        ({"name": "x", "status": "paused"}, "status"),
        ({"name": "x", "currency": "euro"}, "currency"),
    ],
)
def test_campaign_rejects_bad_input(alice, client_for, payload, field):
    response = client_for(alice).post("/api/v1/campaigns/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Campaign.objects.exists()


def test_patch_end_before_existing_start_is_400(campaign, alice, client_for):
    campaign.start_date = "2026-05-01"
    campaign.save()
    response = client_for(alice).patch(f"/api/v1/campaigns/{campaign.pk}/", {"end_date": "2026-01-01"}, format="json")
    assert response.status_code == 400
    assert "end_date" in response.json()


def test_owner_manages_creators_in_the_pipeline(campaign, alice, client_for):
    profile = ProfileFactory()
    client = client_for(alice)
    url = f"/api/v1/campaigns/{campaign.pk}/creators/"
    added = client.post(url, {"profile": profile.pk, "fee": "250.00"}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json()["creator"]["handle"] == profile.handle
    again = client.post(url, {"profile": profile.pk}, format="json")
    assert again.status_code == 400
    assert "already" in again.json()["profile"][0]
    entry_url = f"{url}{added.json()['id']}/"
    moved = client.patch(entry_url, {"status": "confirmed", "notes": "signed"}, format="json")
    assert moved.json()["status"] == "confirmed"
    assert client.patch(entry_url, {"status": "ghosted"}, format="json").status_code == 400
    assert client.patch(entry_url, {"fee": "-1"}, format="json").status_code == 400
    assert client.delete(entry_url).status_code == 204
    assert not CampaignProfile.objects.exists()


def test_entries_of_another_campaign_are_404_even_through_your_own(campaign, alice, charlie, client_for):
    foreign = CampaignProfileFactory(campaign=CampaignFactory(owner=charlie))
    response = client_for(alice).get(f"/api/v1/campaigns/{campaign.pk}/creators/{foreign.pk}/")
    assert response.status_code == 404


def test_owner_tracks_and_untracks_posts(campaign, alice, client_for):
    post = PostFactory()
    client = client_for(alice)
    url = f"/api/v1/campaigns/{campaign.pk}/posts/"
    tracked = client.post(url, {"post": post.pk}, format="json")
    assert tracked.status_code == 201
    assert client.post(url, {"post": post.pk}, format="json").status_code == 400
    assert client.post(url, {"post": 999_999}, format="json").status_code == 400
    assert client.get(url).json()["results"][0]["permalink"] == post.permalink
    assert client.delete(f"{url}{tracked.json()['id']}/").status_code == 204


def test_metrics_endpoint_reports_emv_and_cost_ratios(campaign, alice, client_for, settings):
    settings.CAMPAIGN_CPM = 10.0
    settings.CAMPAIGN_FEED_REACH_RATE = 0.2
    creator = ProfileFactory(followers_count=10_000)
    CampaignProfileFactory(campaign=campaign, profile=creator, fee=Decimal("100"))
    post = PostFactory(author=creator, kind="image", likes_count=500, comments_count=20)
    CampaignPostFactory(campaign=campaign, post=post)
    body = client_for(alice).get(f"/api/v1/campaigns/{campaign.pk}/metrics/").json()
    totals = body["totals"]
    # reach = 10,000 × 0.2 = 2,000; impressions = 3,000; EMV = 10 × 3,000 / 1000 = 30.
    assert (totals["reach"], totals["impressions"], totals["engagements"]) == (2_000, 3_000, 520)
    assert totals["emv"] == 30.0
    assert (totals["cost"], totals["cpm"], totals["cpe"], totals["roi"]) == (100.0, 33.33, 0.1923, -0.7)
    assert totals["engagement_rate"] == 26.0
    assert body["cost_basis"] == "fees"
    assert body["creators"][0]["handle"] == creator.handle


def test_campaign_list_and_metrics_query_counts(campaign, alice, client_for, django_assert_max_num_queries):
    for _ in range(5):
        entry = CampaignProfileFactory(campaign=campaign)
        CampaignPostFactory(campaign=campaign, post=PostFactory(author=entry.profile))
    CampaignFactory.create_batch(5, owner=alice)
    client = client_for(alice)
    # The list also reads the current team (one query); a detail finds the row in any of the user's teams.
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/campaigns/").json()["results"]) == 6
    with django_assert_max_num_queries(3):
        assert len(client.get(f"/api/v1/campaigns/{campaign.pk}/metrics/").json()["creators"]) == 5
    with django_assert_max_num_queries(3):
        assert len(client.get(f"/api/v1/campaigns/{campaign.pk}/creators/").json()["results"]) == 5
