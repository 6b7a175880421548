"""Issue 21 over loopback HTTP: comments with `more` stubs, top/new listings, Reddit's post requirements."""

from __future__ import annotations

import json

import pytest

from profiles.models import Community, CommunityRequirements, Profile
from scraping import collect
from scraping.reddit import parse_comment_tree, parse_post_requirements
from scraping.tests.conftest import POST_REQUIREMENTS, serve_subreddit
from scraping.tests.fake_upstream import load_fixture

pytestmark = pytest.mark.django_db

LARGE = "reddit/post_comments__large_3hahrw.json"


def _more_children(path: str, query: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """/api/morechildren: the asked-for ids, answered with real t1 bodies from the small recording."""
    asked = query["children"].split(",")
    replies = load_fixture("reddit/post_comments__small_redditdev.json")[1]["data"]["children"]
    things = []
    for i, comment_id in enumerate(asked):
        data = dict(replies[i % len(replies)]["data"], id=comment_id, replies="")
        things.append({"kind": "t1", "data": data})
    return 200, json.dumps({"json": {"errors": [], "data": {"things": things}}}).encode()


def serve_depth(server) -> None:
    serve_subreddit(server)
    server.serve("/r/announcements/top", "reddit/subreddit_new__all.json")
    server.serve("/r/announcements/new", "reddit/subreddit_new__all.json")
    server.serve_callable("/comments/", lambda path, query, body: (200, (_fixture_bytes(LARGE))))
    server.serve_callable("/api/morechildren", _more_children)


def _fixture_bytes(name: str) -> bytes:
    return json.dumps(load_fixture(name)).encode()


def test_comment_tree_of_every_comment_fixture_parses():
    for name, post_id in (("reddit/post_comments__small_redditdev.json", "2gmzqe"), (LARGE, "3hahrw")):
        tree = parse_comment_tree(load_fixture(name))
        assert tree.post.external_id == post_id
        assert tree.comments and all(c.author_handle and c.body for c in tree.comments)


def test_post_requirements_keep_only_what_says_something():
    parsed = parse_post_requirements(POST_REQUIREMENTS)

    assert parsed["is_flair_required"] is True
    assert parsed["title_required_strings"] == ["[F]", "[M]"] and parsed["domain_blacklist"] == ["onlyfans.com"]
    assert "body_restriction_policy" not in parsed and "title_regexes" not in parsed  # "none" and []
    assert parse_post_requirements("not a dict") == {}


def test_client_expands_more_stubs_within_its_budget(scrape_settings, fake_upstream):
    from scraping.reddit import RedditClient

    serve_depth(fake_upstream)
    client = RedditClient.from_settings()

    tree = client.post_comments("3hahrw", more_budget=1)

    calls = [h for h in fake_upstream.hits if h.path.startswith("/api/morechildren")]
    assert len(calls) == 1  # the budget, though 30+ stubs wait
    assert calls[0].query["link_id"] == "t3_3hahrw" and len(calls[0].query["children"].split(",")) <= 100
    assert tree.expanded > 0 and tree.more_ids == []  # this recording's stubs fit in one call of 100
    assert tree.skipped_authors == 22  # deleted accounts in the recording: skipped, counted


def test_scheduled_subreddit_scrape_reads_top_new_comments_and_requirements(
    scrape_settings, fake_upstream, django_capture_on_commit_callbacks
):
    scrape_settings.REDDIT_TOP_POSTS_PER_PERIOD = 5
    scrape_settings.REDDIT_COMMENT_POSTS_PER_RUN = 2
    scrape_settings.REDDIT_COMMENTS_PER_POST = 50
    scrape_settings.REDDIT_MORE_CALLS_PER_POST = 1
    serve_depth(fake_upstream)

    outcome = collect.scrape("subreddit", "announcements")

    assert outcome.ok, outcome.error
    tops = [h.query.get("t") for h in fake_upstream.hits if h.path.startswith("/r/announcements/top")]
    assert tops == ["day", "week", "month"]
    assert fake_upstream.count("/r/announcements/new") == 1
    comment_calls = [h for h in fake_upstream.hits if h.path.startswith("/comments/")]
    assert len(comment_calls) == 2  # per run
    assert all(h.query["limit"] == "50" for h in comment_calls)  # per post
    assert fake_upstream.count("/api/morechildren") == 2  # one expansion per post: the budget
    summary = outcome.summary()
    assert summary["comments_skipped_authors"] == 2 * 22
    assert summary["comments"] > 0
    community = Community.objects.get(name="announcements")
    requirements = CommunityRequirements.objects.get(community=community)
    assert requirements.reddit["is_flair_required"] is True and requirements.reddit_fetched_at
    commenters = Profile.objects.filter(discovered_via="r/announcements comments")
    assert commenters.exists()
    assert not commenters.filter(handle__in=["[deleted]", ""]).exists()


def test_suspended_commenters_are_skipped_and_counted(scrape_settings, fake_upstream):
    scrape_settings.REDDIT_COMMENT_POSTS_PER_RUN = 1
    scrape_settings.REDDIT_MORE_CALLS_PER_POST = 0
    serve_depth(fake_upstream)
    tree = parse_comment_tree(load_fixture(LARGE))
    suspended = tree.comments[0].author_handle
    written = sum(1 for c in tree.comments if c.author_handle == suspended)
    Profile.objects.create(platform="reddit", handle=suspended, scrape_status="banned")

    outcome = collect.scrape("subreddit", "announcements")

    assert outcome.summary()["comments_skipped_authors"] == 22 + written


def test_requirements_endpoint_refusing_keeps_the_scrape(scrape_settings, fake_upstream):
    serve_subreddit(fake_upstream)
    fake_upstream.fault("/api/v1/announcements/post_requirements", "not_found", times=5)

    outcome = collect.scrape("subreddit", "announcements")

    assert outcome.ok
    assert (
        not CommunityRequirements.objects.filter(community__name="announcements", reddit__isnull=False)
        .exclude(reddit={})
        .exists()
    )
