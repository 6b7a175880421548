"""The campaign formulas, post by post: reach, impressions, engagements, unknowns."""

from decimal import Decimal

import pytest

from campaigns.metrics import Totals, campaign_metrics, post_engagements, post_impressions, post_reach
from posts.models import Post
from tests.factories import CampaignFactory, CampaignPostFactory, PostFactory, ProfileFactory


def test_feed_post_reach_is_a_share_of_followers_and_impressions_one_and_a_half_times(settings):
    settings.CAMPAIGN_FEED_REACH_RATE = 0.25
    post = Post(platform="instagram", kind="carousel")
    assert post_reach(post, 8_000) == 2_000
    assert post_impressions(post, 2_000) == 3_000


def test_video_reach_is_its_views_and_each_view_one_impression():
    reel = Post(platform="instagram", kind="reel", views_count=None, plays_count=40_000)
    assert post_reach(reel, 1_000) == 40_000
    assert post_impressions(reel, 40_000) == 40_000


def test_unknown_reach_stays_unknown():
    assert post_reach(Post(platform="instagram", kind="image"), None) is None
    assert post_reach(Post(platform="reddit", kind="text"), 5_000) is None
    assert post_impressions(Post(kind="image"), None) is None


def test_engagements_leave_hidden_likes_unknown():
    assert post_engagements(Post(platform="instagram", likes_count=None, comments_count=9)) is None
    assert post_engagements(Post(platform="instagram", likes_count=10, comments_count=2, saves_count=3)) == 15
    assert post_engagements(Post(platform="reddit", score=40, comments_count=5)) == 45


def test_totals_without_cost_have_no_cost_ratios():
    totals = Totals()
    totals.add(1_000, 1_500, 50)
    figures = totals.figures(None)
    assert figures["cpm"] is figures["cpe"] is figures["roi"] is None
    assert figures["engagement_rate"] == 5.0


@pytest.mark.django_db
def test_budget_is_the_cost_when_no_fee_is_set(settings):
    settings.CAMPAIGN_CPM = 6.5
    campaign = CampaignFactory(budget=Decimal("50"))
    author = ProfileFactory(followers_count=100_000)
    CampaignPostFactory(campaign=campaign, post=PostFactory(author=author, kind="image", likes_count=None))
    result = campaign_metrics(campaign)
    assert result["cost_basis"] == "budget"
    totals = result["totals"]
    # reach 20,000 × 1.5 = 30,000 impressions; EMV 6.5 × 30 = 195.
    assert (totals["impressions"], totals["emv"], totals["roi"]) == (30_000, 195.0, 2.9)
    assert totals["posts_with_unknown_engagement"] == 1
    assert totals["cpe"] is None
