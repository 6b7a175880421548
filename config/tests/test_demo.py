import json

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from posts.models import Post
from profiles.models import Community, Profile, ProfileSnapshot

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
