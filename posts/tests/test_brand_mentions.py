"""Brand mentions: the `mentions` filter on posts and creators, and "who worked with @brand"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from profiles import mentions
from tests.factories import PostFactory, ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def posts():
    ana, bea, cid = ProfileFactory(handle="ana"), ProfileFactory(handle="bea"), ProfileFactory(handle="cid")
    now = timezone.now()
    return {
        "paid": PostFactory(author=ana, mentions=["Nike"], is_paid_partnership=True, posted_at=now - timedelta(days=3)),
        "tag": PostFactory(author=ana, hashtags=["nikerunning"], posted_at=now - timedelta(days=10)),
        "name": PostFactory(author=bea, caption="My new NIKE shoes", posted_at=now - timedelta(days=20)),
        "old": PostFactory(author=cid, mentions=["nike"], posted_at=now - timedelta(days=200)),
        "other": PostFactory(author=cid, mentions=["nikefan"], posted_at=now - timedelta(days=1)),
    }


def test_brand_terms():
    assert str(mentions.parse(" @Nike ")) == "@nike" and mentions.parse("#Ad").kind == "hashtag"
    assert mentions.parse("Blue Bottle").kind == "name" and mentions.parse("  ") is None


def test_who_worked_with_a_brand_in_the_last_90_days(posts, alice, client_for):
    body = client_for(alice).get("/api/v1/posts/brand-mentions/?mentions=@nike").json()

    assert body["brand"] == "@nike" and body["days"] == 90 and body["creators_count"] == 1
    (ana,) = body["creators"]
    assert ana["creator"]["handle"] == "ana" and ana["posts_count"] == 1 and ana["paid_count"] == 1
    assert [p["id"] for p in ana["posts"]] == [posts["paid"].pk]


def test_brand_mentions_by_name_and_window_and_bad_input(posts, alice, client_for):
    client = client_for(alice)

    by_name = client.get("/api/v1/posts/brand-mentions/?mentions=nike&days=365").json()
    bad = client.get("/api/v1/posts/brand-mentions/?days=0")

    # "nike" as a name: bea's caption only (mentions and hashtags are not caption text here).
    assert [c["creator"]["handle"] for c in by_name["creators"]] == ["bea"]
    assert bad.status_code == 400 and set(bad.json()) == {"mentions", "days"}


def test_mentions_filter_on_the_creator_list(posts, alice, client_for):
    client = client_for(alice)

    any_time = client.get("/api/v1/profiles/?mentions=@nike").json()["results"]
    recent_paid = client.get("/api/v1/profiles/?mentions=@nike&mentions_days=90&paid=true").json()["results"]
    hashtag = client.get("/api/v1/profiles/?mentions=%23nikerunning").json()["results"]

    assert sorted(p["handle"] for p in any_time) == ["ana", "cid"]
    assert [p["handle"] for p in recent_paid] == ["ana"]
    assert [p["handle"] for p in hashtag] == ["ana"]


def test_mentions_filter_on_a_creators_posts(posts, alice, client_for):
    from profiles.models import ProfileAccess

    ana = posts["paid"].author
    ProfileAccess.objects.create(user=alice, profile=ana, expires_at=timezone.now() + timedelta(days=30))
    body = client_for(alice).get("/api/v1/profiles/instagram/ana/posts/?mentions=%23NikeRunning").json()

    assert [p["id"] for p in body["results"]] == [posts["tag"].pk]
