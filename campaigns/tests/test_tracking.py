"""Automatic campaign tracking: a campaign creator's matching post inside the window is attached
after ingest, once; a non-matching one is not; an analyst's removal sticks through re-ingests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campaigns import tracking
from campaigns.metrics import campaign_metrics
from campaigns.models import Campaign, CampaignPost
from scraping import ingest
from scraping.schemas import PostData, ProfileData
from tests.factories import CampaignFactory, CampaignProfileFactory, ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def _post(external_id: str, day: int, *, hashtags=(), mentions=(), caption="", month: int = 3) -> PostData:
    return PostData(
        platform="instagram",
        external_id=external_id,
        posted_at=datetime(2026, month, day, 12, tzinfo=UTC),
        author_handle="ana",
        caption=caption,
        hashtags=list(hashtags),
        mentions=list(mentions),
        likes_count=1000,
        comments_count=50,
        permalink=f"https://www.instagram.com/p/{external_id}/",
    )


def _scrape(*posts: PostData) -> list[int]:
    result = ingest.ingest_profile(ProfileData(platform="instagram", handle="ana", followers_count=100_000), posts)
    # What the worker runs after commit (campaigns.tasks.track_posts, thin).
    tracking.track_posts(result.post_ids)
    return result.post_ids


@pytest.fixture
def campaign(alice):
    creator = ProfileFactory(handle="ana", followers_count=100_000)
    campaign = CampaignFactory(
        owner=alice,
        name="Spring",
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 31),
        track_handles=["@Acme"],
        track_hashtags=["#AcmePartner"],
    )
    CampaignProfileFactory(campaign=campaign, profile=creator)
    return campaign


POSTS = [
    _post("match-handle", 5, mentions=["ACME"], caption="Love my new shoes @ACME"),
    _post("match-tag", 6, hashtags=["acmepartner", "ad"]),
    _post("other-brand", 7, mentions=["rival"], hashtags=["rivalpartner"]),
    _post("before-window", 28, hashtags=["acmepartner"], month=2),
]


def test_terms_are_stored_normalised(campaign):
    assert campaign.track_handles == ["acme"] and campaign.track_hashtags == ["acmepartner"]


def test_matching_posts_are_attached_once_and_others_are_not(campaign):
    late = _post("after-window", 1, hashtags=["acmepartner"], month=4)

    _scrape(*POSTS, late)
    _scrape(*POSTS, late)  # a re-ingest attaches nothing twice

    entries = {e.post.external_id: e for e in CampaignPost.objects.filter(campaign=campaign).select_related("post")}
    assert set(entries) == {"match-handle", "match-tag"}
    assert entries["match-handle"].source == "auto" and entries["match-handle"].matched_on == "@acme"
    assert entries["match-tag"].matched_on == "#acmepartner"
    assert campaign_metrics(campaign)["totals"]["posts"] == 2


def test_a_creator_outside_the_campaign_is_not_tracked(campaign):
    stranger = _post("stranger", 5, hashtags=["acmepartner"])
    stranger.author_handle = "bea"
    result = ingest.ingest_profile(ProfileData(platform="instagram", handle="bea"), [stranger])

    assert tracking.track_posts(result.post_ids) == 0
    assert not CampaignPost.objects.exists()


def test_removed_auto_post_stays_removed_after_reingest(campaign, alice, client_for):
    _scrape(*POSTS)
    entry = CampaignPost.objects.get(post__external_id="match-tag")
    client = client_for(alice)

    assert client.delete(f"/api/v1/campaigns/{campaign.pk}/posts/{entry.pk}/").status_code == 204
    _scrape(*POSTS)

    listed = client.get(f"/api/v1/campaigns/{campaign.pk}/posts/").json()["results"]
    assert [row["author"] for row in listed] == ["ana"] and len(listed) == 1
    entry.refresh_from_db()
    assert entry.removed_at is not None
    assert campaign_metrics(campaign)["totals"]["posts"] == 1
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/").json()["posts_count"] == 1


def test_adding_a_removed_post_back_by_hand_makes_it_manual(campaign, alice, client_for):
    _scrape(*POSTS)
    entry = CampaignPost.objects.get(post__external_id="match-tag")
    tracking.remove(entry)
    client = client_for(alice)

    added = client.post(f"/api/v1/campaigns/{campaign.pk}/posts/", {"post": entry.post_id}, format="json")

    assert added.status_code == 201 and added.json()["source"] == "manual"
    assert CampaignPost.objects.get(pk=entry.pk).removed_at is None


def test_campaign_api_takes_terms_and_matches_posts_already_collected(campaign, alice, client_for):
    campaign.track_handles, campaign.track_hashtags = [], []
    campaign.save()
    _scrape(*POSTS)
    assert not CampaignPost.objects.exists()

    response = client_for(alice).patch(
        f"/api/v1/campaigns/{campaign.pk}/", {"track_hashtags": ["#AcmePartner"]}, format="json"
    )
    tracking.track_campaign(Campaign.objects.get(pk=campaign.pk))  # what the queued task runs

    assert response.status_code == 200 and response.json()["track_hashtags"] == ["acmepartner"]
    assert list(CampaignPost.objects.values_list("post__external_id", flat=True)) == ["match-tag"]
    bad = client_for(alice).patch(f"/api/v1/campaigns/{campaign.pk}/", {"track_handles": ["no spaces"]}, format="json")
    assert bad.status_code == 400 and "track_handles" in bad.json()


def test_campaign_page_shows_the_timeline(campaign, alice, client):
    _scrape(*POSTS)
    client.force_login(alice)

    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()

    assert 'id="campaign-timeline"' in page and "auto #acmepartner" in page and "auto @acme" in page
