"""Pages for signed-in users: search, favorites, profile page, subreddit queue, campaign page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from campaigns.models import CampaignProfile
from profiles.models import Community, Favorite, SearchHistory
from tests.factories import (
    CampaignFactory,
    CampaignPostFactory,
    CampaignProfileFactory,
    CommunityFactory,
    PostFactory,
    ProfileFactory,
    ProfileSnapshotFactory,
    TagFactory,
)

SEARCH = reverse("profiles:search")


@pytest.fixture
def creators(db):
    return [
        ProfileFactory(handle="fitfelix", followers_count=20_000, engagement_rate=4.0, bio="Home workouts"),
        ProfileFactory(handle="cookcarla", followers_count=900_000, engagement_rate=1.0, bio="Pasta recipes"),
        ProfileFactory(handle="hiddenhank", followers_count=50_000, engagement_rate=None),
    ]


def test_pages_need_sign_in(client, creators):
    for url in (SEARCH, reverse("profiles:profile", args=[creators[0].pk]), reverse("profiles:review_queue")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_search_uses_the_api_filters_and_renders_cards(client_as, alice, creators):
    response = client_as(alice).get(
        SEARCH, {"followers_min": "10000", "followers_max": "100000", "ordering": "-engagement"}
    )
    assert response.status_code == 200
    handles = [p.handle for p in response.context["page"].object_list]
    assert handles == ["fitfelix", "hiddenhank"]  # unknown engagement sorts last, not as 0
    html = response.content.decode()
    assert 'class="cs-card"' in html and "4.0 %" in html and "—" in html
    assert SearchHistory.objects.filter(user=alice, result_count=2).exists()


def test_search_text_matches_bio(client_as, alice, creators):
    response = client_as(alice).get(SEARCH, {"q": "pasta"})
    assert [p.handle for p in response.context["page"].object_list] == ["cookcarla"]


def test_invalid_filters_answer_400_with_field_messages(client_as, alice, creators):
    response = client_as(alice).get(SEARCH, {"followers_min": "many", "engagement_min": "5", "engagement_max": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a number." in html and "Must be greater than or equal to" in html
    assert response.context["page"] is None


def test_search_query_count_is_flat(client_as, alice, django_assert_max_num_queries):
    tag = TagFactory()
    for i in range(30):
        ProfileFactory(handle=f"c{i}").tags.add(tag)
    client = client_as(alice)
    # session, user, count, page, tags, my teams (current team and nav), favorites of the page,
    # 2× permissions (nav), the tag picker's tags, the languages present (the language picker), the
    # campaigns the bulk bar offers
    with django_assert_max_num_queries(12):
        assert client.get(SEARCH).status_code == 200


def test_favorite_toggle_plain_post_and_htmx(client_as, alice, creators):
    client = client_as(alice)
    url = reverse("profiles:favorite", args=[creators[0].pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": SEARCH})
    assert response.status_code == 302 and response["Location"] == SEARCH
    assert Favorite.objects.filter(user=alice, profile=creators[0]).exists()
    partial = client.post(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "☆ Save" in partial.content.decode()
    assert not Favorite.objects.filter(user=alice).exists()
    # An outside "next" is ignored (no open redirect).
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("profiles:profile", args=[creators[0].pk])


def test_favorites_page_lists_only_my_teams_favorites(client_as, alice, charlie, creators):
    Favorite.objects.create(team=alice.memberships.get().team, user=alice, profile=creators[0])
    Favorite.objects.create(team=charlie.memberships.get().team, user=charlie, profile=creators[1])
    html = client_as(alice).get(reverse("profiles:favorites")).content.decode()
    assert "fitfelix" in html and "cookcarla" not in html


def test_profile_page_has_metrics_with_formulas_charts_posts_and_similar(
    client_as, alice, creators, django_assert_max_num_queries
):
    profile = creators[0]
    for _ in range(4):
        ProfileSnapshotFactory(profile=profile)
    PostFactory(author=profile, is_viral=True, caption="Viral squat tutorial")
    PostFactory(author=profile, likes_count=None, likes_hidden=True)
    similar = ProfileFactory(handle="fitfiona", followers_count=25_000, engagement_rate=3.0)
    client = client_as(alice)
    # 20 reads whatever the number of posts or snapshots (one: my teams, for the campaign choice and
    # the nav), 2 for the audience section (newest demographics of each source, the connection
    # status), plus 3 for granting access on the first view
    with django_assert_max_num_queries(25):
        response = client.get(reverse("profiles:profile", args=[profile.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'title="Mean of (likes + comments) / followers over the last 12 posts' in html
    for chart in ("growth", "engagement"):
        assert f'data-chart="chart-{chart}-{profile.pk}"' in html
    # A share of one slice is a sentence, not a one-colour donut.
    for chart in ("content", "language", "format", "sentiment"):
        assert f'data-chart-id="{chart}-{profile.pk}"' in html
    assert 'class="cs-single"' in html and 'data-chart="chart-sentiment-' not in html
    assert "posts per weekday and hour" in html and "Viral squat tutorial" in html and "hidden" in html
    assert similar.handle in html
    assert "<details" in html  # the numbers behind every chart, readable without JavaScript


def test_profile_page_grants_thirty_day_access(client_as, alice, creators):
    client_as(alice).get(reverse("profiles:profile", args=[creators[0].pk]))
    assert alice.profile_accesses.filter(profile=creators[0]).exists()


def test_add_to_my_campaign_only(client_as, alice, bob, creators):
    mine, theirs = CampaignFactory(owner=alice), CampaignFactory(owner=bob)
    client = client_as(alice)
    url = reverse("profiles:add_to_campaign", args=[creators[0].pk])
    client.post(url, {"campaign": mine.pk})
    client.post(url, {"campaign": theirs.pk})
    assert list(CampaignProfile.objects.values_list("campaign_id", flat=True)) == [mine.pk]


# --- Subreddit review queue ---


@pytest.fixture
def subreddits(db):
    rules = [{"short_name": "No spam", "description": "Spam is removed.", "kind": "all"}]
    return [
        CommunityFactory(name="skincare", subscribers=2_000_000, rules=rules),
        CommunityFactory(name="cooking", subscribers=900_000),
        CommunityFactory(name="reviewed", review_status="ok"),
    ]


def test_queue_lists_unreviewed_biggest_first_with_rules_keys_and_counts(client_as, analyst, subreddits):
    response = client_as(analyst).get(reverse("profiles:review_queue"))
    html = response.content.decode()
    assert [c.name for c in response.context["page"].object_list] == ["skincare", "cooking"]
    assert "No spam" in html and 'data-key="o"' in html and 'data-key="b"' in html
    counts = {c["value"]: c["count"] for c in response.context["counts"]}
    assert counts["unreviewed"] == 2 and counts["ok"] == 1


def test_one_button_per_status_and_bulk_review(client_as, analyst, subreddits):
    client = client_as(analyst)
    url = reverse("profiles:review_communities")
    response = client.post(url, {"single": f"{subreddits[0].pk}:banned"}, follow=True)
    assert "1 subreddit marked Banned." in [str(m) for m in get_messages(response.wsgi_request)]
    client.post(url, {"community": [subreddits[1].pk, subreddits[2].pk], "review_status": "no_seller"})
    assert dict(Community.objects.values_list("name", "review_status")) == {
        "skincare": "banned",
        "cooking": "no_seller",
        "reviewed": "no_seller",
    }


def test_reader_without_review_permission_cannot_change_status(client_as, alice, subreddits):
    alice.is_staff = False
    alice.save()
    assert client_as(alice).get(reverse("profiles:review_queue")).status_code == 403
    client_as(alice).post(reverse("profiles:review_communities"), {"single": f"{subreddits[0].pk}:ok"})
    assert Community.objects.get(pk=subreddits[0].pk).review_status == "unreviewed"


def test_bad_review_input_changes_nothing(client_as, analyst, subreddits):
    response = client_as(analyst).post(
        reverse("profiles:review_communities"), {"single": f"{subreddits[0].pk}:awesome"}, follow=True
    )
    assert "Choose at least one subreddit and a status." in [str(m) for m in get_messages(response.wsgi_request)]
    assert Community.objects.get(pk=subreddits[0].pk).review_status == "unreviewed"


# --- Campaign page ---


def test_campaign_page_for_its_owner_only(client_as, alice, bob):
    campaign = CampaignFactory(owner=alice, name="Glow launch")
    entry = CampaignProfileFactory(campaign=campaign, status="confirmed", fee=1000)
    CampaignPostFactory(campaign=campaign, post=PostFactory(author=entry.profile, kind="reel", views_count=40_000))
    response = client_as(alice).get(reverse("campaigns:detail", args=[campaign.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-pipeline="confirmed"' in html and entry.profile.handle in html
    assert response.context["metrics"]["totals"]["reach"] == 40_000
    assert "40k" in html  # reach shown compact
    assert client_as(bob).get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404
    assert "Glow launch" not in client_as(bob).get(reverse("campaigns:list")).content.decode()
