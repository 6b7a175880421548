"""Finding 16.3: a URL from an upstream or an import is http(s) or nothing, and no page renders another scheme as a link."""

from __future__ import annotations

import copy
import dataclasses
import logging

import pytest
from django.template import Context, Template
from django.urls import reverse

from config.links import clean_url, is_web_url, safe_url
from posts.models import Post
from profiles.models import Profile
from scraping import ingest, reddit, schemas
from scraping.instagram import parse as ig
from scraping.tests.fake_upstream import load_fixture
from tests.factories import PostFactory, ProfileFactory

HOSTILE = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https://ok.example/\x00",
    "http:///nohost",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_only_web_urls_pass(value):
    assert not is_web_url(value)
    assert clean_url(value, source="test") == ""
    assert safe_url(value) == ""


@pytest.mark.parametrize("value", ["https://www.reddit.com/r/x/", "http://example.com/a?b=c#d", "HTTPS://EX.COM"])
def test_web_urls_are_kept(value):
    assert clean_url(value, source="test") == value.strip()
    assert safe_url(value) == value


def _url_fields(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if "url" in f.name or f.name in ("permalink", "links")]


def _build(cls, **values):
    required = {
        schemas.MediaData: {"kind": "image", "url": ""},
        schemas.ProfileData: {"platform": "reddit", "handle": "someone"},
        schemas.PostData: {"platform": "reddit", "external_id": "p1", "posted_at": None},
        schemas.CommunityData: {"name": "sub"},
    }[cls]
    return cls(**{**required, **values})


@pytest.mark.parametrize("cls", [schemas.MediaData, schemas.ProfileData, schemas.PostData, schemas.CommunityData])
def test_every_url_field_of_every_scraped_dataclass_is_gated(cls, caplog):
    """Every parser of every upstream builds these; a URL field added later is covered by name."""
    fields = _url_fields(cls)
    assert fields, cls
    hostile = {name: ([HOSTILE[0], "https://fine.example/"] if name == "links" else HOSTILE[0]) for name in fields}
    with caplog.at_level(logging.WARNING, logger="config.links"):
        built = _build(cls, **hostile)
    for name in fields:
        value = getattr(built, name)
        assert value == (["https://fine.example/"] if name == "links" else ""), (cls.__name__, name, value)
    assert "dropped a non-http(s) URL" in caplog.text


def test_a_post_keeps_no_media_whose_url_was_refused():
    post = _build(
        schemas.PostData,
        media=[schemas.MediaData("image", HOSTILE[0]), schemas.MediaData("image", "https://cdn.example/a.jpg")],
    )
    assert [m.url for m in post.media] == ["https://cdn.example/a.jpg"]


def test_instagram_profile_links_from_the_parser_are_gated():
    body = copy.deepcopy(load_fixture("instagram/web/web_profile_info__robertdowneyjr.json"))
    user = body["data"]["user"]
    user["external_url"] = "javascript:alert(1)"
    user["bio_links"] = [{"url": "javascript:alert(2)"}, {"url": "https://linktr.ee/ok"}]
    user["profile_pic_url_hd"] = "data:image/svg+xml,<svg onload=alert(3)>"

    profile, _ = ig.parse_web_profile_page(body)

    assert profile.external_url == "" and profile.avatar_url == ""
    assert profile.links == ["https://linktr.ee/ok"]


@pytest.mark.django_db
def test_a_reddit_listing_with_script_urls_stores_none(caplog):
    listing = copy.deepcopy(load_fixture("reddit/subreddit_hot__popular_2026.json"))
    first = listing["data"]["children"][0]["data"]
    first["permalink"] = "javascript:alert(document.cookie)"
    first["url_overridden_by_dest"] = first["url"] = "javascript:alert(1)"
    first["is_self"] = False
    community = reddit.parse_subreddit(load_fixture("reddit/subreddit_about__announcements.json")["data"])
    posts, _ = reddit.parse_listing(listing)

    with caplog.at_level(logging.WARNING, logger="config.links"):
        ingest.ingest_community(community, posts)

    row = Post.objects.get(platform="reddit", external_id=first["id"])
    assert row.permalink == "" and row.url == ""
    assert not Post.objects.filter(permalink__istartswith="javascript").exists()
    assert not Post.objects.filter(url__istartswith="javascript").exists()
    assert "dropped a non-http(s) URL" in caplog.text


def test_the_template_filter_refuses_other_schemes():
    template = Template('{% load creatorscope %}<a href="{{ url|safe_url }}">x</a>')
    assert template.render(Context({"url": HOSTILE[0]})) == '<a href="">x</a>'
    assert (
        template.render(Context({"url": "https://a.example/?q=1&r=2"}))
        == '<a href="https://a.example/?q=1&amp;r=2">x</a>'
    )


@pytest.mark.django_db
def test_admin_read_only_url_fields_never_link_another_scheme(admin_client):
    """Stored before the ingest rule (or by hand): admin shows the text, never a clickable link."""
    post = PostFactory(permalink="javascript:alert(1)", url="https://ok.example/link")
    Post.objects.filter(pk=post.pk).update(url="javascript:alert(2)")
    profile = ProfileFactory()
    Profile.objects.filter(pk=profile.pk).update(external_url="javascript:alert(3)")

    for url in (
        reverse("admin:posts_post_change", args=[post.pk]),
        reverse("admin:profiles_profile_change", args=[profile.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert 'href="javascript' not in page.lower(), url
        assert "javascript:alert" in page, url  # shown as text


@pytest.mark.django_db
def test_pages_never_link_another_scheme(admin_client):
    profile = ProfileFactory(platform="instagram")
    PostFactory(author=profile, platform="instagram", permalink="https://www.instagram.com/p/ok/")
    bad = PostFactory(author=profile, platform="instagram")
    Post.objects.filter(pk=bad.pk).update(permalink="javascript:alert(1)")

    page = admin_client.get(reverse("profiles:profile", args=[profile.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    assert "javascript:" not in body.lower()
    assert 'href="https://www.instagram.com/p/ok/"' in body


@pytest.mark.django_db
def test_every_response_carries_the_content_security_policy(admin_client):
    page = admin_client.get("/creators/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    admin = admin_client.get("/admin/")["Content-Security-Policy"]
    assert "'unsafe-eval'" in admin.split("script-src")[1].split(";")[0]
    assert "'unsafe-eval'" not in policy
    assert "Content-Security-Policy" in admin_client.get("/api/v1/profiles/")
