"""The API and the profile page draw one computation: the same creator shows the same figures on both."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles.models import Profile
from tests.factories import PostFactory, ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def two_weeks_ago_monday_10():
    now = timezone.now()
    return (now - timedelta(days=now.weekday() + 14)).replace(hour=10, minute=0, second=0, microsecond=0)


def api_analytics(client_for, user, profile: Profile) -> dict:
    response = client_for(user).get(f"/api/v1/profiles/{profile.platform}/{profile.handle}/analytics/")
    assert response.status_code == 200
    return response.json()


def page(user, profile: Profile):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("profiles:profile", args=[profile.pk]))
    assert response.status_code == 200
    return response


def page_chart(response, chart_id: str) -> dict:
    """The Chart.js config the page embeds for one chart (what the browser draws)."""
    found = re.search(
        rf'<script id="chart-{chart_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert found, f"no chart {chart_id} on the page"
    return json.loads(found.group(1))


def test_weekly_posts_and_engagement_agree_when_likes_are_hidden(alice, client_for):
    # Given a creator with 10,000 followers: in one week two posts with known likes and one with
    # hidden likes, and the next week only a hidden-likes post.
    creator = ProfileFactory(handle="hidden.likes", followers_count=10_000)
    monday = two_weeks_ago_monday_10()
    PostFactory(author=creator, posted_at=monday, likes_count=900, comments_count=100)
    PostFactory(author=creator, posted_at=monday + timedelta(hours=1), likes_count=100, comments_count=0)
    PostFactory(
        author=creator, posted_at=monday + timedelta(hours=2), likes_count=None, likes_hidden=True, comments_count=40
    )
    PostFactory(
        author=creator, posted_at=monday + timedelta(days=7), likes_count=None, likes_hidden=True, comments_count=7
    )

    # When both surfaces show the creator
    body = api_analytics(client_for, alice, creator)
    response = page(alice, creator)
    chart = page_chart(response, f"engagement-{creator.pk}")
    rate, posts = chart["datasets"]

    # Then hidden likes make engagement unknown, not the post: each week counts every post, the mean
    # is over the known posts ((1,000 + 100) / 2 = 550 → 5.5 % of 10,000), and both say so.
    series = body["engagement_series"]
    assert (
        [week["week"] for week in series]
        == chart["labels"]
        == [
            monday.date().isoformat(),
            (monday + timedelta(days=7)).date().isoformat(),
        ]
    )
    assert [week["posts"] for week in series] == posts["data"] == [3, 1]
    assert [week["engagement_rate"] for week in series] == rate["data"] == [5.5, None]
    assert [week["mean_interactions"] for week in series] == [550.0, None]
    assert rate["label"] == "Engagement %"

    # and the heatmap and best hour are the same figures on both.
    analytics = response.context["analytics"]
    assert [hours for _, hours in analytics.heatmap] == body["posting_heatmap"]["counts"]
    assert analytics.best_hour == body["posting_heatmap"]["best_hour"] == 10
    assert analytics.post_count == sum(posts["data"]) == 4


def test_reddit_engagement_agrees_as_mean_score_plus_comments(alice, client_for):
    # Given a Reddit user with two posts in one week, one of them with an unknown score
    user = ProfileFactory(platform="reddit", handle="some_redditor", followers_count=None)
    monday = two_weeks_ago_monday_10()
    PostFactory(author=user, platform="reddit", posted_at=monday, likes_count=None, score=40, comments_count=10)
    PostFactory(
        author=user,
        platform="reddit",
        posted_at=monday + timedelta(hours=3),
        likes_count=None,
        score=None,
        comments_count=5,
    )

    series = api_analytics(client_for, alice, user)["engagement_series"]
    mean, posts = page_chart(page(alice, user), f"engagement-{user.pk}")["datasets"]

    # Then both show (40 + 10) over the one known post, and count both posts.
    assert [week["mean_interactions"] for week in series] == mean["data"] == [50.0]
    assert [week["posts"] for week in series] == posts["data"] == [2]
    assert [week["engagement_rate"] for week in series] == [None]  # karma is not an audience
