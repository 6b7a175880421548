"""The data migration to teams on a database with the demo data: one "Default" team owns everything, nothing lost."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Membership, Team
from campaigns.models import Campaign, CampaignPost, CampaignProfile
from config.demo import load_demo
from profiles.models import Favorite, Profile, ProfileAccess, SearchHistory
from scraping.models import Lookup
from tests.factories import UserFactory

BEFORE_TEAMS = [
    ("accounts", "0004_verified_email_addresses"),
    ("profiles", "0005_profile_followers_nulls_last_index"),
    ("campaigns", "0001_initial"),
    ("scraping", "0003_lookup"),
]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Campaign, CampaignProfile, CampaignPost, Favorite, SearchHistory, ProfileAccess, Profile, Lookup)
    }


@pytest.mark.django_db(transaction=True)
def test_default_team_gets_every_user_and_every_row_of_the_demo_data():
    # Given the demo data and rows of a superuser and an analyst, as a database before teams holds them
    load_demo(instagram_profiles=6, reddit_profiles=2, months=1)
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    analyst = UserFactory(username="ana")
    team = Team.objects.get(slug="demo")
    profiles = list(Profile.objects.order_by("pk")[:3])
    for user in (admin, analyst):
        Membership.objects.get_or_create(team=team, user=user)
        Campaign.objects.create(team=team, owner=user, name=f"{user} campaign")
        for profile in profiles:
            Favorite.objects.create(team=team, user=user, profile=profile)
            ProfileAccess.objects.create(user=user, profile=profile, expires_at=timezone.now() + timezone.timedelta(1))
        SearchHistory.objects.create(team=team, user=user, query="fit")
        Lookup.objects.create(team=team, requester=user, kind="instagram", handle=profiles[0].handle, status="ready")
    Lookup.objects.create(kind="subreddit", handle="python", status="ready")  # from the command line: no one's
    before = _counts()
    authors = set(Campaign.objects.values_list("pk", "owner_id"))
    _migrate(BEFORE_TEAMS)  # back to the schema without teams (the team columns are dropped)
    with connection.cursor() as cursor:  # teams did not exist then (the current models expect team columns)
        cursor.execute("DELETE FROM accounts_auditentry")  # the trail of the memberships made above
        cursor.execute("DELETE FROM accounts_membership")
        cursor.execute("DELETE FROM accounts_team")

    # When the migrations to teams run
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # Then nothing is lost, every row belongs to "Default", and every user is its member
    assert _counts() == before
    default = Team.objects.get(slug="default")
    assert set(Campaign.objects.values_list("pk", "owner_id")) == authors
    for model in (Campaign, Favorite, SearchHistory, ProfileAccess):
        assert not model.objects.exclude(team=default).exists(), model.__name__
    # A lookup goes to its requester's team (their only one now: "Default"); the command line's to none
    assert set(Lookup.objects.values_list("requester__username", "team__slug")) == {
        ("admin", "default"),
        ("ana", "default"),
        (None, None),
    }
    roles = dict(Membership.objects.filter(team=default).values_list("user__username", "role"))
    assert roles == {"admin": "owner", "ana": "analyst", "demo-brand-manager": "analyst"}
    call_command("check")
