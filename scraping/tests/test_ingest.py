"""Ingestion against PostgreSQL: idempotent upserts, history, analyst fields, all-or-nothing batches."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json

import pytest
import redis
from django.conf import settings
from django.db import IntegrityError

from posts.models import Post, PostMedia
from profiles.models import Community, CommunitySnapshot, Mention, Profile, ProfileSnapshot, RelatedProfile
from scraping import ingest, reddit
from scraping.instagram import parse as ig
from scraping.tests.fake_upstream import load_fixture
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def subreddit_scrape():
    community = reddit.apply_rules(
        reddit.parse_subreddit(load_fixture("reddit/subreddit_about__announcements.json")["data"]),
        reddit.parse_rules(load_fixture("reddit/subreddit_rules.json")),
    )
    posts, _ = reddit.parse_listing(load_fixture("reddit/subreddit_hot__popular_2026.json"))
    return community, posts


def instagram_scrape():
    profile, _ = ig.parse_web_profile_page(load_fixture("instagram/web/web_profile_info__robertdowneyjr.json"))
    posts = ig.parse_timeline(load_fixture("instagram/web/graphql_user_timeline_media.json")["data"]["user"]).items
    return profile, posts


def test_community_ingest_writes_row_snapshot_posts_and_discovers_authors():
    community, posts = subreddit_scrape()

    result = ingest.ingest_community(community, posts)

    row = Community.objects.get(name="announcements")
    assert row.subscribers == 47456009 and len(row.rules) == 5
    assert result.created == 1 + 100 and result.updated == 0 and result.snapshots == 1
    # r/popular lists other subreddits' posts: each goes to its own (discovered) community.
    assert Post.objects.filter(community__isnull=True).count() == 0
    assert Post.objects.filter(community=row).count() == 0
    assert result.discovered_communities == len({p.community_name.lower() for p in posts})
    assert CommunitySnapshot.objects.filter(community=row).count() == 1
    authors = {p.author_handle.lower() for p in posts if p.author_handle}
    assert Profile.objects.filter(platform="reddit").count() == len(authors) == result.discovered_profiles
    assert set(Profile.objects.values_list("review_status", flat=True)) == {"unreviewed"}
    assert PostMedia.objects.count() == len(result.media_ids) > 100  # galleries carry several images


def test_reingesting_the_same_scrape_changes_nothing_but_adds_a_snapshot():
    community, posts = subreddit_scrape()
    ingest.ingest_community(community, posts)
    before = {
        "posts": list(Post.objects.order_by("id").values_list("id", "external_id", "score", "caption")),
        "profiles": list(Profile.objects.order_by("id").values_list("id", "handle")),
        "media": list(PostMedia.objects.order_by("id").values_list("id", "post_id", "position")),
    }

    again = ingest.ingest_community(copy.deepcopy(community), copy.deepcopy(posts))

    assert again.created == 0 and again.updated == 101 and again.discovered_profiles == 0
    assert list(Post.objects.order_by("id").values_list("id", "external_id", "score", "caption")) == before["posts"]
    assert list(Profile.objects.order_by("id").values_list("id", "handle")) == before["profiles"]
    assert list(PostMedia.objects.order_by("id").values_list("id", "post_id", "position")) == before["media"]
    assert CommunitySnapshot.objects.count() == 2


def test_rescrape_keeps_analyst_fields():
    community, posts = subreddit_scrape()
    ingest.ingest_community(community, posts)
    tag = TagFactory()
    row = Community.objects.get(name="announcements")
    row.review_status, row.primary_category, row.notes = "ok", "news", "keep me"
    row.scrape_enabled = False
    row.save()
    row.tags.add(tag)
    profile, ig_posts = instagram_scrape()
    ingest.ingest_profile(profile, ig_posts)
    creator = Profile.objects.get(handle="robertdowneyjr")
    creator.review_status, creator.niche, creator.notes, creator.scrape_priority = "approved", "film", "call agent", 1
    creator.save()
    creator.tags.add(tag)

    changed = dataclasses.replace(community, title="New title", subscribers=1)
    ingest.ingest_community(changed, posts)
    ingest.ingest_profile(dataclasses.replace(profile, followers_count=1, full_name="RDJ"), ig_posts)

    row.refresh_from_db()
    creator.refresh_from_db()
    assert (row.title, row.subscribers) == ("New title", 1)
    assert (row.review_status, row.primary_category, row.notes, row.scrape_enabled) == ("ok", "news", "keep me", False)
    assert list(row.tags.all()) == [tag]
    assert (creator.full_name, creator.followers_count) == ("RDJ", 1)
    assert (creator.review_status, creator.niche, creator.notes, creator.scrape_priority) == (
        "approved",
        "film",
        "call agent",
        1,
    )
    assert list(creator.tags.all()) == [tag]


@pytest.mark.parametrize(
    ("model", "update_fields"),
    [(Profile, ingest.PROFILE_UPDATE_FIELDS), (Community, ingest.COMMUNITY_UPDATE_FIELDS)],
    ids=["profile", "community"],
)
def test_rescrape_writes_no_analyst_field(model, update_fields):
    assert set(model.ANALYST_FIELDS).isdisjoint(update_fields)


def test_a_batch_failing_halfway_writes_nothing():
    community, posts = subreddit_scrape()
    broken = copy.deepcopy(posts)
    # The last row violates the upvote_ratio 0..1 check: the database rejects the statement
    # after the community row and its snapshot were already written in the same transaction.
    broken[-1].upvote_ratio = 7.0

    with pytest.raises(IntegrityError):
        ingest.ingest_community(community, broken)

    assert Community.objects.count() == 0
    assert CommunitySnapshot.objects.count() == 0
    assert Post.objects.count() == 0 and Profile.objects.count() == 0 and PostMedia.objects.count() == 0


def test_instagram_profile_ingest_records_mentions_and_hidden_likes():
    profile, posts = instagram_scrape()
    posts[0].likes_count, posts[0].likes_hidden = None, True

    result = ingest.ingest_profile(profile, posts)

    creator = Profile.objects.get(platform="instagram", handle="robertdowneyjr")
    assert creator.followers_count == 52979346 and creator.is_business
    assert ProfileSnapshot.objects.get(profile=creator).followers_count == 52979346
    assert Post.objects.filter(author=creator).count() == 12 == result.posts_created
    hidden = Post.objects.get(external_id=posts[0].external_id)
    assert hidden.likes_count is None and hidden.likes_hidden
    mention = Mention.objects.get(profile=creator, mentioned_handle__iexact="dolittlemovie")
    assert mention.times >= 3 and mention.mentioned_profile.review_status == "unreviewed"
    assert mention.mentioned_profile.discovered_via == "mentioned by @robertdowneyjr"

    ingest.ingest_profile(profile, posts)
    mention.refresh_from_db()
    assert Mention.objects.get(pk=mention.pk).times == mention.times  # not doubled by a re-scrape


def test_provider_related_accounts_become_unreviewed_related_profiles():
    profile, _ = instagram_scrape()
    profile.related_handles = ["marvelstudios", "robertdowneyjr", "MarvelStudios"]

    result = ingest.ingest_profile(profile, [])

    creator = Profile.objects.get(handle="robertdowneyjr")
    related = RelatedProfile.objects.get(profile=creator)
    assert related.related.handle == "marvelstudios" and related.source == "provider"
    assert related.related.review_status == "unreviewed" and result.discovered_profiles == 1


def test_rescrape_sends_reworded_posts_back_to_analysis_only():
    profile, posts = instagram_scrape()
    ingest.ingest_profile(profile, posts)
    Post.objects.update(ai_status="done")
    posts[1].caption = "an edited caption"

    result = ingest.ingest_profile(profile, posts)

    assert result.analysis_ids == [Post.objects.get(external_id=posts[1].external_id).pk]
    assert Post.objects.filter(ai_status="pending").count() == 1


def test_reddit_user_posts_discover_their_communities():
    user = reddit.parse_user(load_fixture("reddit/user_about__Lil_SpazBot_2025.json")["data"])
    posts, _ = reddit.parse_listing(load_fixture("reddit/user_submitted__spez_new.json"))

    result = ingest.ingest_profile(user, posts)

    names = {p.community_name.lower() for p in posts}
    assert result.discovered_communities == len(names) == Community.objects.count()
    assert set(Community.objects.values_list("review_status", flat=True)) == {"unreviewed"}
    assert Post.objects.filter(community__isnull=True).count() == 0


def test_follow_up_work_is_queued_on_the_broker_after_commit(django_capture_on_commit_callbacks):
    # A real Redis broker, no eager mode: the messages must be in the "media" and "ai" queues.
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("media", "ai")
    profile, posts = instagram_scrape()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = ingest.ingest_profile(profile, posts)
    assert broker.llen("media") == broker.llen("ai") == 0  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    media = [json.loads(raw) for raw in broker.lrange("media", 0, -1)]
    ai = [json.loads(raw) for raw in broker.lrange("ai", 0, -1)]
    broker.delete("media", "ai")
    tasks = [m["headers"]["task"] for m in media]
    assert tasks.count("posts.tasks.download_post_media") == -(-len(result.media_ids) // 50)
    assert tasks.count("profiles.tasks.download_avatar") == 1
    assert sorted(m["headers"]["task"] for m in ai) == [
        "intelligence.tasks.analyze_posts",
        "intelligence.tasks.suggest_profile_links",  # the same person elsewhere (issue 21)
    ]
    analyze = next(m for m in ai if m["headers"]["task"] == "intelligence.tasks.analyze_posts")
    assert sorted(json.loads(base64.b64decode(analyze["body"]))[0][0]) == sorted(result.analysis_ids)
    assert len(result.analysis_ids) == 12


def test_preview_comments_are_handed_to_comment_analysis(django_capture_on_commit_callbacks):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("media", "ai")
    body = load_fixture("instagram/web/media_detail__a1_carousel.json")
    post = ig.parse_mobile_page(body).items[0]
    owner = ig.parse_web_profile_page(load_fixture("instagram/web/web_profile_info__robertdowneyjr.json"))[0]

    with django_capture_on_commit_callbacks(execute=True):
        result = ingest.ingest_profile(owner, [post])

    ai = [json.loads(raw) for raw in broker.lrange("ai", 0, -1)]
    broker.delete("media", "ai")
    calls = [
        json.loads(base64.b64decode(m["body"]))[0] for m in ai if m["headers"]["task"].endswith("analyze_comments")
    ]
    assert len(calls) == 1
    post_id, comments = calls[0]
    assert post_id == result.post_ids[0]
    assert [c["external_id"] for c in comments] == [str(c["pk"]) for c in body["items"][0]["comments"]]
    assert comments[0]["text"] == "❤️❤️❤️❤️ Yesssssssss" and comments[0]["author_handle"] == "johnrussophoto"
