import json
import re

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from config import demo_content
from media.models import Asset
from posts.models import CommentSentiment, Post
from profiles.models import Community, Favorite, Profile, ProfileSnapshot

pytestmark = pytest.mark.django_db


def _demo(capsys, *args) -> dict:
    call_command("demo", "--instagram", "12", "--reddit", "4", "--json", *args)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_demo_fills_every_area_and_a_second_run_adds_nothing(capsys):
    first = _demo(capsys)
    assert first["profiles"] == 16
    counts = (Profile.objects.count(), Post.objects.count(), ProfileSnapshot.objects.count(), Community.objects.count())
    assert Post.objects.filter(platform="reddit", community__isnull=False).exists()
    assert Campaign.objects.get().campaign_profiles.count() > 0
    # Snapshots show growth: the latest follower count differs from the oldest for most creators.
    grew = sum(
        1
        for p in Profile.objects.filter(platform="instagram")
        if p.snapshots.earliest().followers_count != p.snapshots.latest().followers_count
    )
    assert grew >= 10
    # Cached metrics come from the same code a scrape runs, not from the generator.
    assert Profile.objects.filter(platform="instagram", engagement_rate__isnull=False).count() == 12
    assert Profile.objects.filter(follower_growth_30d__isnull=False).count() >= 10
    assert Community.objects.filter(avg_upvotes__isnull=False).exists()

    second = _demo(capsys)
    assert second == {**second, "profiles": 0, "posts": 0, "snapshots": 0, "communities": 0, "campaigns": 0}
    assert counts == (
        Profile.objects.count(),
        Post.objects.count(),
        ProfileSnapshot.objects.count(),
        Community.objects.count(),
    )


def test_demo_if_empty_skips_a_filled_database(capsys):
    _demo(capsys)
    assert _demo(capsys, "--if-empty")["status"] == "skipped"


def test_demo_rows_belong_to_the_demo_team_whose_owner_is_the_local_admin(capsys, settings, client):
    settings.DEBUG = True
    _demo(capsys)
    call_command("ensure_local_admin")
    campaign = Campaign.objects.get()
    assert campaign.team.slug == "demo"
    roles = dict(campaign.team.memberships.values_list("user__username", "role"))
    assert roles == {"admin": "owner", "demo-brand-manager": "manager"}
    # The reported bug: admin's "View on site" for the demo campaign answered 404.
    signed_in = client.post("/accounts/login/", {"login": "admin", "password": "admin"})
    assert signed_in.status_code == 302, signed_in.content[:300]
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200


def test_demo_hands_the_local_admin_its_campaign_and_favorites(capsys, settings):
    settings.DEBUG = True
    _demo(capsys)
    call_command("ensure_local_admin")
    campaign = Campaign.objects.get()
    assert campaign.owner.username == "admin"
    assert Favorite.objects.filter(user__username="admin", team=campaign.team).exists()
    call_command("ensure_local_admin")  # a second run changes nothing
    assert Favorite.objects.filter(user__username="admin").count() <= 6


def test_demo_looks_like_the_world_and_is_never_scraped(capsys):
    _demo(capsys)
    demo = Profile.objects.filter(discovered_via="demo")
    # Made-up rows: the beat's due-for-scrape queries never pick them.
    assert not demo.filter(scrape_enabled=True).exists()
    assert not Profile.objects.due_for_scrape().exists()
    assert not Community.objects.due_for_scrape().exists()
    # People's names and handles, not "dailytravel220".
    handles = list(demo.values_list("handle", flat=True))
    assert not any(re.fullmatch(r"(the|its|daily|just|real|hey)[a-z]+\d{3}", h) for h in handles)
    assert all(" " in name for name in demo.filter(platform="instagram").values_list("full_name", flat=True))
    # Locally drawn pictures: every creator an avatar, every Instagram post a picture, no download.
    assert not demo.filter(avatar_asset=None).exists()
    assert not Post.objects.filter(platform="instagram", media=None).exists()
    assert Asset.objects.filter(source_url__startswith="generated:").count() == Asset.objects.count()
    # Positive, neutral and negative, in captions and comments.
    assert set(CommentSentiment.objects.values_list("sentiment", flat=True)) == {"positive", "neutral", "negative"}
    reddit_titles = list(Post.objects.filter(platform="reddit").values_list("caption", flat=True))
    assert any(
        t.startswith(("[Question]", "Rant:", "PSA:", "TIL", "Progress update", "[Discussion]")) for t in reddit_titles
    )


def test_demo_writes_in_eight_languages():
    words = demo_content
    assert len(words.NAMES) == len(words.CAPTIONS) == len(words.COMMENTS) == len(words.LANGUAGE_WEIGHTS) == 8
    for language, captions in words.CAPTIONS.items():
        assert set(captions) == {"positive", "neutral", "negative"}, language


def test_demo_has_connected_creators_with_verified_audiences_and_others_with_estimates_only(capsys):
    from profiles.models import AudienceDemographics, InstagramConnection

    assert _demo(capsys)["audiences"] == 12
    connected = set(InstagramConnection.objects.values_list("profile_id", flat=True))
    verified = set(AudienceDemographics.objects.filter(source="graph_insights").values_list("profile_id", flat=True))
    assert connected == verified and len(connected) == 3
    # History: three monthly readings per connected creator.
    assert AudienceDemographics.objects.filter(source="graph_insights").count() == 9
    assert InstagramConnection.objects.filter(status="broken").count() == 1
    unconnected = Profile.objects.filter(platform="instagram").exclude(pk__in=connected)
    assert all(p.audience_credibility is not None for p in unconnected)
    assert AudienceDemographics.objects.filter(source="comment_estimate", profile__in=unconnected).count() == 9
    scores = sorted(p.audience_credibility for p in unconnected)
    assert scores[0] < 60 and scores[-1] > 80  # the comment pod scores low, organic audiences high
    assert _demo(capsys)["audiences"] == 0
