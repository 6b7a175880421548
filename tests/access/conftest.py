"""The access matrix's world: two teams, the cast, one team-owned row of each kind, a signed-in session each.

Everything is built once per module inside a transaction that is rolled back at the end (so no other
test sees it); each test runs in a savepoint of its own, so a DELETE or POST it sends is undone too.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from tests.access.rules import ADMINS, ROLES

# Team rules hold once team scoping exists (accounts.teams, the teams helper's work); until then the
# cases that need it are skipped, and every other case runs.
TEAMS_READY = importlib.util.find_spec("accounts.teams") is not None
PASSWORD = "access-matrix-password-42"


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="team rule: needs team scoping (accounts.teams)")
    for item in items:
        if case := item.get_closest_marker("access_case"):
            _rule_of[item.nodeid] = (case.args[0], len(item.callspec.params["roles"]))
        if not TEAMS_READY and item.get_closest_marker("team_rules"):
            item.add_marker(skip)


def _owned(model, team, **fields):
    """A row of a team-owned model, with its team once the model has one."""
    if any(f.name == "team" for f in model._meta.get_fields()):
        fields["team"] = team
    return model.objects.create(**fields)


def _build_world() -> SimpleNamespace:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from allauth.usersessions.models import UserSession
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from accounts import audit
    from accounts.models import ApiToken, AuditEntry, Invitation, Membership, Team
    from campaigns.models import Campaign, CampaignPost, CampaignProfile
    from intelligence.models import AnalysisBatch, ProfileEmbedding
    from media.models import RemoteSource
    from monitoring.models import Alert
    from posts.models import CommentSentiment
    from profiles.models import (
        AudienceDemographics,
        CommunityRequirements,
        CommunityReviewSuggestion,
        CommunitySnapshot,
        Contact,
        DataDeletionRequest,
        Favorite,
        ImportJob,
        InstagramConnection,
        List,
        ListEntry,
        Mention,
        ProfileAccess,
        ProfileLink,
        RelatedProfile,
        SearchHistory,
        TagSuggestion,
    )
    from scraping.models import Lookup, Scraper, ScrapeRun, SystemLog
    from tests.factories import (
        AssetFactory,
        CommunityFactory,
        PostFactory,
        ProfileFactory,
        ProfileSnapshotFactory,
        TagFactory,
        UserFactory,
    )
    from watches.models import AlertSettings, Event, Watch

    owning = Team.objects.create(name="Acme agency", slug="acme")
    rival = Team.objects.create(name="Globex agency", slug="globex")
    analyst_group, staff_group = Group.objects.get(name="Analyst"), Group.objects.get(name="Staff")
    users = {}
    for role in ROLES[1:]:
        user = UserFactory(
            username=f"access-{role}",
            password=PASSWORD,
            is_staff=role in ADMINS,
            is_superuser=role == "superuser",
        )
        if role == "staff":
            user.groups.add(staff_group)
        elif role != "superuser":
            user.groups.add(analyst_group)
        if role == "admin_analyst":  # every model permission of the Staff group, not the Staff role itself
            user.user_permissions.add(*staff_group.permissions.exclude(codename="operate"))
        users[role] = user
    assert staff_group.permissions.filter(content_type__app_label="accounts", codename="operate").exists()
    for role in ("viewer", "analyst", "manager", "owner", "author", "admin_analyst"):
        Membership.objects.create(
            team=owning, user=users[role], role=role if role in Membership.Role.values else "analyst"
        )
    Membership.objects.create(team=rival, user=users["other"], role="analyst")

    author, now = users["author"], timezone.now()
    # Sign-in records (second factors, SSO identities, sessions, lockout logs) belong to a user outside
    # the cast: a second factor on a cast member would change what the token endpoint asks of them.
    bystander = UserFactory(username="access-bystander", password=PASSWORD)
    invitation, invitation_key = Invitation.issue(owning, "invitee@example.com", "viewer", users["owner"])
    social_app = SocialApp.objects.create(
        provider="openid_connect", provider_id="access-matrix-sso", name="Matrix SSO", client_id="id", secret="s"
    )
    social_account = SocialAccount.objects.create(user=bystander, provider="access-matrix-sso", uid="matrix-1")
    axes_fields = {"user_agent": "matrix", "ip_address": "192.0.2.1", "username": bystander.username}
    axes_fields |= {"http_accept": "text/html", "path_info": "/accounts/login/"}
    profile = ProfileFactory(handle="access_creator")
    post = PostFactory(author=profile)
    community = CommunityFactory(name="accessmatrix")
    tag = TagFactory()
    campaign = _owned(Campaign, owning, owner=author, name="Team launch", brand="Acme")
    shortlist = _owned(List, owning, user=author, name="Matrix list")
    run = ScrapeRun.objects.create(kind="subreddit", target="accessmatrix")
    task = PeriodicTask.objects.create(
        name="access-matrix",
        task="monitoring.tasks.collect",
        interval=IntervalSchedule.objects.create(every=5, period="minutes"),
    )
    objects = {
        "auth.group": staff_group,
        "auth.user": author,
        "accounts.apitoken": ApiToken.objects.issue(author, "access matrix", team=owning)[0],
        "accounts.auditentry": audit.record(AuditEntry.Action.SIGN_IN, actor=author, team=owning),
        "accounts.invitation": invitation,
        "account.emailaddress": EmailAddress.objects.create(
            user=bystander, email="bystander@example.com", primary=True, verified=True
        ),
        "mfa.authenticator": Authenticator.objects.create(
            user=bystander, type=Authenticator.Type.WEBAUTHN, data={"name": "matrix key", "credential": {}}
        ),
        "socialaccount.socialapp": social_app,
        "socialaccount.socialaccount": social_account,
        "socialaccount.socialtoken": SocialToken.objects.create(app=social_app, account=social_account, token="t"),
        "usersessions.usersession": UserSession.objects.create(
            user=bystander, ip="192.0.2.1", session_key="access-matrix-session", user_agent="matrix"
        ),
        "axes.accessattempt": AccessAttempt.objects.create(
            **axes_fields, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(**axes_fields),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**axes_fields),
        "scraping.lookup": _owned(Lookup, owning, requester=author, kind="instagram", handle=profile.handle),
        "accounts.team": owning,
        "media.asset": AssetFactory(),
        "media.remotesource": RemoteSource.objects.create(url="https://example.com/a.jpg", url_key="a" * 64),
        "profiles.tagcategory": tag.category,
        "profiles.tag": tag,
        "profiles.tagsuggestion": TagSuggestion.objects.create(tag=tag, profile=profile, confidence=0.9),
        "profiles.profile": profile,
        "profiles.profilesnapshot": ProfileSnapshotFactory(profile=profile),
        "profiles.audiencedemographics": AudienceDemographics.objects.create(profile=profile, source="upstream"),
        "profiles.instagramconnection": InstagramConnection.objects.create(
            profile=ProfileFactory(), ig_user_id="17841400000000001", access_token="matrix-token"
        ),
        "profiles.datadeletionrequest": DataDeletionRequest.objects.create(
            confirmation_code="matrix", ig_user_id="17841400000000002"
        ),
        "profiles.mention": Mention.objects.create(profile=profile, platform="instagram", mentioned_handle="friend"),
        "profiles.relatedprofile": RelatedProfile.objects.create(
            profile=profile, related=ProfileFactory(), source="lookalike", score=0.8
        ),
        "profiles.favorite": _owned(Favorite, owning, user=author, profile=profile),
        "profiles.profileaccess": _owned(
            ProfileAccess, owning, user=author, profile=profile, expires_at=now + timedelta(days=30)
        ),
        "profiles.searchhistory": _owned(SearchHistory, owning, user=author, query="travel"),
        "profiles.importjob": ImportJob.objects.create(
            user=author, resource="profiles.admin.resources.ProfileImportResource", data="platform,handle\n"
        ),
        "profiles.community": community,
        "profiles.communitysnapshot": CommunitySnapshot.objects.create(community=community, subscribers=10),
        "profiles.communityrequirements": CommunityRequirements.objects.create(community=community),
        "profiles.communityreviewsuggestion": CommunityReviewSuggestion.objects.create(
            community=community, suggested_status="ok", confidence=0.7
        ),
        "profiles.profilelink": ProfileLink.objects.create(
            profile=ProfileFactory(platform="reddit", handle="access_redditor"),
            linked=profile,
            platform=profile.platform,
            handle=profile.handle,
            confidence=0.8,
        ),
        "posts.post": post,
        "posts.commentsentiment": CommentSentiment.objects.create(
            post=post, external_id="c1", text="love it", sentiment="positive", score=0.9
        ),
        "campaigns.campaign": campaign,
        "campaigns.campaignprofile": CampaignProfile.objects.create(campaign=campaign, profile=profile),
        "campaigns.campaignpost": CampaignPost.objects.create(campaign=campaign, post=post),
        "intelligence.analysisbatch": AnalysisBatch.objects.create(requested=1),
        "intelligence.profileembedding": ProfileEmbedding.objects.create(
            profile=profile, model_name="test", dim=2, vector=b"\0" * 8
        ),
        "scraping.scraper": Scraper.objects.create(name="access-matrix", upstream="reddit"),
        "scraping.scraperun": run,
        "scraping.systemlog": SystemLog.objects.create(source="scraping.reddit", message="hello", scrape_run=run),
        "django_celery_beat.periodictask": task,
        "django_celery_beat.intervalschedule": task.interval,
        "django_celery_beat.crontabschedule": CrontabSchedule.objects.create(minute="5"),
        "django_celery_beat.solarschedule": SolarSchedule.objects.create(
            event="sunrise", latitude=38.7, longitude=-9.1
        ),
        "django_celery_beat.clockedschedule": ClockedSchedule.objects.create(clocked_time=now + timedelta(days=1)),
        "monitoring.alert": Alert.objects.create(key="access:matrix", rule="access", message="probe"),
        "profiles.contact": Contact.objects.create(
            profile=profile, kind="email", value="creator@example.com", source="bio"
        ),
        "profiles.list": shortlist,
        "profiles.listentry": ListEntry.objects.create(list=shortlist, profile=profile, note="first"),
        "watches.watch": _owned(Watch, owning, user=author, profile=profile, events=["follower_spike"]),
        "watches.event": Event.objects.create(user=author, kind="follower_spike", key="matrix", title="spike"),
        "watches.alertsettings": AlertSettings.objects.create(user=author),
    }
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return SimpleNamespace(
        users=users,
        teams={"owning": owning, "other": rival},
        objects=objects,
        sessions=sessions,
        invitation_key=invitation_key,
        spare_profile=ProfileFactory(handle="access_spare"),
        spare_post=PostFactory(author=profile),
        credentials_of=lambda role: {"username": users[role].username, "password": PASSWORD} if role in users else {},
        content_type_id=lambda label: ContentType.objects.get_for_model(objects[label]).pk,
    )


# Hashing cheaply (one check per token request) and no throttling: the matrix is hundreds of requests a minute.
_FAST = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "ACCOUNT_RATE_LIMITS": False,
    # Creator connect configured, so its pages answer by their rules instead of 404 (no call leaves:
    # starting only redirects to Meta, and the callbacks refuse the matrix's unsigned posts).
    "META_APP_ID": "matrix-app",
    "META_APP_SECRET": "matrix-secret",
    "META_FACEBOOK_APP_ID": "matrix-facebook-app",
    "META_FACEBOOK_APP_SECRET": "matrix-facebook-secret",  # allauth's per-address limits on mails: every role posts the reset form
    "REST_FRAMEWORK": {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min"},
    },
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # channels' database_sync_to_async (the SSE stream's staff check) closes "old" connections, and a
    # connection inside this module's transaction looks old to it: keep it open for the matrix.
    with (
        override_settings(**_FAST),
        mock.patch("channels.db.close_old_connections", lambda **kwargs: None),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = _build_world()
        built.media_path = default_storage.save("access-matrix/probe.txt", ContentFile(b"probe"))
        try:
            yield built
        finally:
            default_storage.delete(built.media_path)
            transaction.set_rollback(True)


@pytest.fixture
def client_as(world, db):
    """``client_as(role)``: a test client carrying that role's session (none for anonymous)."""

    def make(role: str) -> Client:
        client = Client(raise_request_exception=False)  # a 500 is a wrong status, named with its role
        if role in world.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        return client

    return make


# --- The summary the closing note quotes: checks per rule and role --------------------------------

_rule_of: dict[str, tuple[str, int]] = {}  # test id -> (rule name, roles it checks)
_checks: Counter = Counter()  # (rule, role, "passed" | "failed")
_skipped: Counter = Counter()  # rule -> (endpoint, method, role) checks skipped


def record(rule: str, role: str, passed: bool) -> None:
    """One (endpoint, method, role) check of the matrix, for the summary."""
    _checks[rule, role, "passed" if passed else "failed"] += 1


def pytest_runtest_logreport(report):
    if report.skipped and report.nodeid in _rule_of:
        rule, roles = _rule_of[report.nodeid]
        _skipped[rule] += roles


def pytest_terminal_summary(terminalreporter):
    if not _checks and not _skipped:
        return
    rules = sorted({rule for rule, _, _ in _checks} | set(_skipped))
    write = terminalreporter.write_line
    terminalreporter.section("access matrix: (endpoint, method) pairs checked per rule and role")
    width = max(len(rule) for rule in rules)
    write(f"{'rule':<{width}} " + " ".join(f"{role:>9}" for role in ROLES) + "  checked  failed  skipped")
    for rule in rules:
        passed = [_checks[rule, role, "passed"] for role in ROLES]
        failed = sum(_checks[rule, role, "failed"] for role in ROLES)
        skipped = _skipped[rule]
        write(
            f"{rule:<{width}} "
            + " ".join(f"{n:>9}" for n in passed)
            + f"  {sum(passed) + failed:>7} {failed:>7} {skipped:>8}"
        )
    total_failed = sum(n for (_, _, outcome), n in _checks.items() if outcome == "failed")
    write(
        f"{sum(_checks.values())} (endpoint, method, role) checks, {total_failed} failed; "
        f"{sum(_skipped.values())} skipped" + ("" if TEAMS_READY else " (team rules wait for accounts.teams)")
    )
