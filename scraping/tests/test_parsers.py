"""Every recorded body parses into the dataclasses, across a decade of shape drift."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from scraping import reddit
from scraping.instagram import parse as ig
from scraping.schemas import hashtags, mentions, sponsor_markers
from scraping.tests.fake_upstream import fixtures_dir, load_fixture


def _parse_any(name: str) -> int:
    """Parse one fixture with the parser for its shape; return how many objects came out."""
    body = load_fixture(name)
    base = name.rsplit("/", 1)[-1]
    if base.startswith("subreddit_about"):
        return int(bool(reddit.parse_subreddit(body["data"]).name))
    if base.startswith(("subreddit_hot", "subreddit_new", "user_submitted")):
        return len(reddit.parse_listing(body)[0])
    if base == "subreddit_rules.json":
        return len(reddit.parse_rules(body))
    if base.startswith("user_about"):
        return int(bool(reddit.parse_user(body["data"]).handle))
    if base.startswith("user_comments"):
        return len([reddit.parse_comment(c["data"]) for c in body["data"]["children"]])
    if base.startswith("post_comments"):
        tree = reddit.parse_comment_tree(body)
        return int(tree.post is not None) + len(tree.comments)
    if base.startswith("users_search"):
        return len([reddit.parse_user(c["data"]) for c in body["data"]["children"]])
    if base.startswith("api_info"):
        return len([reddit.parse_subreddit(c["data"]) for c in body["data"]["children"]])
    if base.startswith("web_profile_info"):
        profile, _ = ig.parse_web_profile_page(body)
        return int(profile is not None)
    if base.startswith("graphql_user_timeline"):
        return len(ig.parse_timeline(body["data"]["user"]).items)
    if base.startswith(("clips_user", "media_detail")):
        return len(ig.parse_mobile_page(body).items)
    if base.startswith("graphql_media_comments"):
        return len(ig.parse_graphql_comments(body).items)
    if base.startswith("api_v1_users_id_info"):
        return int(bool(ig.parse_mobile_user(body["user"]).handle))
    if base.startswith("business_discovery"):
        return int(ig.parse_graph_profile(body["business_discovery"]).followers_count is not None)
    if base.startswith("apify_"):
        profile, posts = ig.parse_apify_profile(body)
        return int(bool(profile.handle)) + len(posts)
    raise AssertionError(f"no parser for fixture {name}")


ALL_FIXTURES = sorted(str(p.relative_to(fixtures_dir())) for p in fixtures_dir().rglob("*.json"))


def test_fixture_set_is_the_documented_one():
    assert len(ALL_FIXTURES) == 20


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_fixture_parses(name):
    assert _parse_any(name) > 0


def test_subreddit_about_2019():
    community = reddit.parse_subreddit(load_fixture("reddit/subreddit_about__announcements.json")["data"])

    assert community.name == "announcements"
    assert community.external_id == "t5_2r0ij"
    assert community.subscribers == 47456009
    assert community.active_users == 727
    assert community.created_utc == datetime.fromtimestamp(1245256101, tz=UTC)
    assert community.is_nsfw is False
    assert community.subreddit_type == "restricted"
    assert set(community.allowed_post_types) >= {"link", "text", "image", "video"}


def test_rules_mark_verification_only_when_a_rule_says_so():
    community = reddit.parse_subreddit(load_fixture("reddit/subreddit_about__announcements.json")["data"])
    rules = reddit.parse_rules(load_fixture("reddit/subreddit_rules.json"))

    assert len(rules) == 5 and rules[0]["short_name"] == "Test post 12"
    assert reddit.apply_rules(copy.deepcopy(community), rules).verification_required is False
    rules.append({"short_name": "Verification required", "description": "Verify before posting", "kind": "link"})
    assert reddit.apply_rules(community, rules).verification_required is True


def test_listing_2026_kinds_media_and_cursor():
    posts, after = reddit.parse_listing(load_fixture("reddit/subreddit_hot__popular_2026.json"))

    assert len(posts) == 100 and after == "t3_1sk79iw"
    kinds = {p.kind for p in posts}
    assert kinds == {"image", "video", "gallery", "link", "text"}
    video = next(p for p in posts if p.external_id == "1sk99af")
    assert video.score == 1913 and video.comments_count == 160 and video.upvote_ratio == 0.85
    assert video.media[0].kind == "video" and video.media[0].url.startswith("https://v.redd.it/")
    assert video.permalink.startswith("https://www.reddit.com/r/blursed_videos/comments/1sk99af/")
    assert video.views_count is None  # Reddit sends view_count: null; unknown, not 0
    gallery = next(p for p in posts if p.kind == "gallery")
    assert len(gallery.media) >= 2 and all(m.url.startswith("https://") for m in gallery.media)


def test_listing_2016_tolerates_missing_keys():
    posts, _ = reddit.parse_listing(load_fixture("reddit/subreddit_new__all.json"))

    assert len(posts) == 100
    assert all(p.posted_at is not None for p in posts)
    assert all(p.upvote_ratio is None for p in posts)  # 2016 listings have no upvote_ratio


def test_user_about_2025():
    user = reddit.parse_user(load_fixture("reddit/user_about__Lil_SpazBot_2025.json")["data"])

    assert user.handle == "Lil_SpazBot" and user.external_id == "3ebyblla"
    assert (user.link_karma, user.comment_karma, user.total_karma) == (1, 0, 1)
    assert user.account_created_at == datetime.fromtimestamp(1552433444, tz=UTC)
    assert user.followers_count == 0


def test_comment_tree_counts_more_stubs_and_skips_deleted_authors():
    tree = reddit.parse_comment_tree(load_fixture("reddit/post_comments__large_3hahrw.json"))

    assert tree.post.external_id == "3hahrw"
    assert len(tree.comments) > 100
    assert tree.hidden >= 28 and len(tree.more_ids) >= 28
    assert all(c.post_external_id == "3hahrw" for c in tree.comments)
    assert any(c.parent_external_id for c in tree.comments)  # replies keep their parent
    # The recording holds 470 t1 comments, 22 of them by deleted accounts: skipped, and counted.
    assert tree.skipped_authors == 22
    assert len(tree.comments) == 470 - 22
    assert all(c.author_handle for c in tree.comments)


def test_web_profile_info():
    profile, page = ig.parse_web_profile_page(load_fixture("instagram/web/web_profile_info__robertdowneyjr.json"))

    assert profile.handle == "robertdowneyjr" and profile.external_id == "1518284433"
    assert profile.followers_count == 52979346 and profile.following_count == 5 and profile.posts_count == 419
    assert profile.is_verified and profile.is_business and profile.category == "Artist"
    assert page.items == [] and page.cursor  # edges emptied in the recording, cursor kept


def test_graphql_timeline_nodes():
    page = ig.parse_timeline(load_fixture("instagram/web/graphql_user_timeline_media.json")["data"]["user"])

    assert len(page.items) == 12 and page.cursor
    first = page.items[0]
    assert first.kind == "video" and first.shortcode == "B7eUksNFA-K"
    assert first.likes_count == 695047 and first.views_count == 2726827 and first.comments_count == 1939
    assert "happybirthday" in first.hashtags and "harrycollettactor" in first.mentions
    assert {p.kind for p in page.items} == {"video", "image", "carousel"}
    carousel = next(p for p in page.items if p.kind == "carousel")
    assert len(carousel.media) >= 2


def test_reels_have_plays_and_paid_partnership():
    page = ig.parse_mobile_page(load_fixture("instagram/web/clips_user__reels.json"))

    assert len(page.items) == 12 and page.cursor
    reel = page.items[0]
    assert reel.kind == "reel" and reel.shortcode == "CPv3UqsBFvg"
    assert (reel.likes_count, reel.views_count, reel.plays_count, reel.comments_count) == (16965, 100856, 401421, 80)
    assert reel.permalink == "https://www.instagram.com/reel/CPv3UqsBFvg/"
    assert sum(p.is_paid_partnership for p in page.items) == 2


def test_hidden_likes_become_unknown_and_flagged():
    body = load_fixture("instagram/web/clips_user__reels.json")
    body["items"][0]["media"]["like_and_view_counts_disabled"] = True

    reel = ig.parse_mobile_page(body).items[0]

    assert reel.likes_count is None and reel.likes_hidden is True
    assert reel.views_count is None and reel.comments_count == 80


def test_carousel_media_detail():
    page = ig.parse_mobile_page(load_fixture("instagram/web/media_detail__a1_carousel.json"))

    post = page.items[0]
    assert post.kind == "carousel" and post.shortcode == "CAnqPB-Jzcj" and post.external_id == "2317006284167526179"
    assert post.likes_count == 820750 and post.comments_count == 4647 and len(post.media) == 3
    assert page.cursor == ""  # more_available false
    assert len(ig.parse_mobile_comments(load_fixture("instagram/web/media_detail__a1_carousel.json")["items"][0])) == 2


def test_graphql_comments_page():
    page = ig.parse_graphql_comments(load_fixture("instagram/web/graphql_media_comments.json"))

    assert len(page.items) == 12 and page.cursor
    assert page.items[0].body == "Good themw" and page.items[0].author_handle == "myself_walker"


def test_mobile_user_info():
    profile = ig.parse_mobile_user(load_fixture("instagram/web/api_v1_users_id_info__robertdowneyjr.json")["user"])

    assert profile.external_id == "1518284433" and profile.followers_count == 50857062
    assert profile.posts_count == 400 and profile.external_url == "http://www.swau.com/RDJ"


def test_graph_business_discovery_sample():
    profile = ig.parse_graph_profile(
        load_fixture("instagram/graph_api/business_discovery__meta_docs_sample.json")["business_discovery"]
    )

    assert profile.followers_count == 267788 and profile.posts_count == 1205
    assert profile.external_id == "17841401441775531"
    assert profile.full_name == "" and profile.following_count is None  # not requested in the sample


def test_graph_media_without_like_count_is_hidden():
    post = ig.parse_graph_media(
        {
            "id": "1",
            "comments_count": 3,
            "media_type": "VIDEO",
            "media_product_type": "REELS",
            "timestamp": "2024-01-02T03:04:05+0000",
        }
    )

    assert post.kind == "reel" and post.likes_hidden and post.likes_count is None
    assert post.posted_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_apify_profile_2019():
    profile, posts = ig.parse_apify_profile(
        load_fixture("instagram/apify_instagram_scraper_readme_profile_example_2019.json")
    )

    assert profile.handle == "avengers" and profile.followers_count == 8212505 and profile.posts_count == 274
    assert posts[0].likes_count == 142707 and posts[0].views_count == 482810
    assert posts[0].posted_at == datetime(2019, 5, 1, 18, 44, 12, tzinfo=UTC)


def test_text_signals():
    text = "New drop with @brand.official #AD #ootd #ad — paid partnership. Mail me@x.com"

    assert hashtags(text) == ["ad", "ootd"]
    assert mentions(text, "instagram") == ["brand.official"]
    assert sponsor_markers(text) == ["#ad", "paid partnership"]
    assert mentions("thanks u/spez and /u/kn0thing", "reddit") == ["spez", "kn0thing"]
