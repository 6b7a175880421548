"""Client calls over loopback HTTP: paging, the ~1,000 wall, comment trees, batch look-ups, timelines."""

from __future__ import annotations

import dataclasses

import pytest

from config.http import PermanentError
from scraping import http
from scraping.instagram.web import WebProvider
from scraping.reddit import RedditClient
from scraping.schemas import ProfileData


@pytest.fixture
def reddit_client(fake_upstream, upstream):
    return RedditClient(
        base_url=fake_upstream.url,
        oauth_base_url=fake_upstream.url + "/oauth",
        auth_url=fake_upstream.url + "/api/v1/access_token",
        upstream=upstream,
    )


def test_listing_pages_with_after_and_stops_when_a_page_repeats(fake_upstream, reddit_client):
    fake_upstream.serve("/r/all/new", "reddit/subreddit_new__all.json")
    fake_upstream.serve("/r/all/new", "reddit/subreddit_hot__popular_2026.json", query={"after": "t3_5jo10c"})

    posts = reddit_client.listing("all", "new", max_items=1000)

    # Page 1 (2016 recording), page 2 (2026 recording), page 3 repeats page 2 → stop.
    assert len(posts) == 200 and len({p.external_id for p in posts}) == 200
    pages = [hit for hit in fake_upstream.hits if hit.path == "/r/all/new.json"]
    assert [hit.query.get("after") for hit in pages] == [None, "t3_5jo10c", "t3_1sk79iw"]
    assert all(hit.query["raw_json"] == "1" for hit in pages)
    assert reddit_client.stats.api_calls == 3


def test_listing_never_asks_past_the_1000_item_wall(fake_upstream, reddit_client):
    fake_upstream.serve("/r/all/new", "reddit/subreddit_new__all.json")

    posts = reddit_client.listing("all", "new", max_items=5000)

    assert len(posts) == 100
    assert fake_upstream.hits[0].query["limit"] == "100"


def test_post_comments_and_batch_subreddit_lookup(fake_upstream, reddit_client):
    fake_upstream.serve("/comments/2gmzqe", "reddit/post_comments__small_redditdev.json")
    fake_upstream.serve("/api/info", "reddit/api_info__sr_names.json")

    tree = reddit_client.post_comments("2gmzqe")
    post, comments = tree.post, tree.comments
    communities = reddit_client.subreddits_info(["reddit.com", "redditdev", "python", "learnpython"])

    assert post.external_id == "2gmzqe" and comments and comments[0].post_external_id == "2gmzqe"
    assert [c.name for c in communities] == ["reddit.com", "redditdev", "t:1337", "nl"]
    assert fake_upstream.hits[-1].query["sr_name"] == "reddit.com,redditdev,python,learnpython"


def test_missing_subreddit_answered_with_a_search_listing_is_not_found(fake_upstream, reddit_client):
    # Reddit answers /r/<unknown>/about with a Listing of search results, not a t5.
    fake_upstream.serve("/r/doesnotexist/about", "reddit/users_search__praw.json")

    with pytest.raises(PermanentError) as caught:
        reddit_client.subreddit_about("doesnotexist")

    assert caught.value.reason == "not_found"


def test_suspended_user_is_banned(fake_upstream, reddit_client):
    fake_upstream.serve_json("/user/gone/about", {"kind": "t2", "data": {"name": "gone", "is_suspended": True}})

    with pytest.raises(PermanentError) as caught:
        reddit_client.user_about("gone")

    assert caught.value.reason == "banned"


def test_web_provider_graphql_timeline_page(fake_upstream, upstream):
    fake_upstream.serve("/graphql/query/", "instagram/web/graphql_user_timeline_media.json")
    provider = WebProvider(base_url=fake_upstream.url, upstream=upstream)
    owner = ProfileData(platform="instagram", handle="robertdowneyjr", external_id="1518284433")

    page = provider.timeline(owner, cursor="abc")

    assert len(page.items) == 12 and page.cursor
    hit = fake_upstream.hits[0]
    assert '"id": "1518284433"' in hit.query["variables"] and '"after": "abc"' in hit.query["variables"]
    assert hit.headers["X-IG-App-ID"] == "936619743392459"


def test_web_provider_private_profile_has_no_posts(fake_upstream, upstream):
    def private(body):
        body["data"]["user"]["is_private"] = True
        body["data"]["user"]["edge_owner_to_timeline_media"]["edges"] = []
        return body

    fake_upstream.serve(
        "/api/v1/users/web_profile_info/", "instagram/web/web_profile_info__robertdowneyjr.json", transform=private
    )
    provider = WebProvider(base_url=fake_upstream.url, upstream=dataclasses.replace(upstream))

    profile, page = provider.profile("robertdowneyjr")

    assert profile.is_private and page.items == []
    assert isinstance(provider.stats, http.CallStats) and provider.stats.api_calls == 1
