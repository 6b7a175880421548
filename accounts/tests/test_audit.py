"""The audit trail: what it records, who reads it, and that nobody edits it."""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import audit, views
from accounts.models import AuditEntry, Membership, Team
from accounts.tasks import prune_audit_trail
from profiles import bulk
from profiles.models import Profile, TagSuggestion
from tests.factories import CommunityFactory, ProfileFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
PASSWORD = "correct horse battery staple"


@pytest.fixture
def acme():
    return Team.objects.create(name="Acme", slug="acme")


@pytest.fixture
def globex():
    return Team.objects.create(name="Globex", slug="globex")


def member(team: Team, role: str, **user_fields):
    user = UserFactory(**user_fields)
    Membership.objects.create(team=team, user=user, role=role)
    return user


@pytest.fixture
def owner(acme):
    return member(acme, Membership.Role.OWNER, username="olivia")


@pytest.fixture
def staff_analyst(acme):
    """An analyst of Acme who also reviews in admin (superuser, so every admin permission holds)."""
    return member(acme, Membership.Role.ANALYST, username="ana", is_staff=True, is_superuser=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def only(action: str, **filters) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action, **filters))
    assert len(entries) == 1, entries
    return entries[0]


# --- Sign-in events -------------------------------------------------------------------------------


def test_sign_in_and_sign_out_are_recorded_with_the_address(owner):
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(owner)  # the sign-in page's own flow is covered in test_signin.py
    client.post(reverse("account_logout"))
    signed = only(Action.SIGN_IN)
    assert signed.actor == owner and signed.actor_repr == "olivia" and signed.team is None
    assert only(Action.SIGN_OUT).remote_addr == "203.0.113.7"


def test_a_failed_sign_in_names_the_account_and_never_the_password(owner):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.2")
    assert authenticate(request=request, username="olivia", password="wrong guess") is None
    failed = only(Action.SIGN_IN_FAILED)
    assert failed.actor == owner and failed.remote_addr == "198.51.100.2"
    assert "wrong guess" not in str(failed.details)


def test_a_failed_sign_in_for_an_unknown_name_keeps_the_name_typed(db):
    authenticate(request=RequestFactory().post("/"), username="root", password="toor")
    failed = only(Action.SIGN_IN_FAILED)
    assert failed.actor is None and failed.actor_repr == "root"


# --- Two-factor and token events (sent by allauth's mfa app and the token views) ------------------


def test_two_factor_changes_are_recorded(owner):
    request = RequestFactory().post("/accounts/2fa/", REMOTE_ADDR="192.0.2.1")
    totp = SimpleNamespace(type="totp")
    audit.on_mfa_event(Action.MFA_ADDED)(sender=None, request=request, user=owner, authenticator=totp)
    audit.on_mfa_event(Action.MFA_RESET)(sender=None, request=request, user=owner, authenticator=totp)
    audit.on_mfa_event(Action.MFA_REMOVED)(sender=None, request=request, user=owner, authenticator=totp)
    assert only(Action.MFA_ADDED).details == {"authenticator": "totp"}
    assert only(Action.MFA_RESET).remote_addr == "192.0.2.1"
    assert only(Action.MFA_REMOVED).actor == owner


@pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth's mfa app is not installed")
def test_allauth_mfa_signals_reach_the_trail(owner):
    from allauth.mfa import signals

    signals.authenticator_added.send(
        sender=None, request=RequestFactory().post("/"), user=owner, authenticator=SimpleNamespace(type="totp")
    )
    assert only(Action.MFA_ADDED).actor == owner


def test_token_events_go_through_record_with_their_team_and_target(owner, acme):
    request = RequestFactory().post("/api/v1/auth/tokens/", REMOTE_ADDR="192.0.2.9")
    audit.record(Action.TOKEN_CREATED, actor=owner, team=acme, target=owner, request=request, name="ci")
    audit.record(Action.TOKEN_REVOKED, actor=owner, team=acme, request=request, name="ci")
    created = only(Action.TOKEN_CREATED)
    assert (created.team, created.target_repr, created.details) == (acme, "olivia", {"name": "ci"})
    assert only(Action.TOKEN_REVOKED).remote_addr == "192.0.2.9"


# --- Membership changes ---------------------------------------------------------------------------


def test_membership_added_changed_and_removed_are_recorded_with_who_did_it(owner, acme):
    newcomer = UserFactory(username="nina")

    def change_team(request):
        membership = Membership.objects.create(team=acme, user=newcomer, role=Membership.Role.VIEWER)
        membership.role = Membership.Role.MANAGER
        membership.save()
        membership.save()  # no change, nothing recorded
        membership.delete()

    request = RequestFactory().post("/accounts/team/", REMOTE_ADDR="192.0.2.4")
    request.user = owner
    audit.AuditRequestMiddleware(change_team)(request)

    added, changed, removed = (
        only(a, target_repr="nina") for a in (Action.MEMBER_ADDED, Action.MEMBER_ROLE_CHANGED, Action.MEMBER_REMOVED)
    )
    assert (added.actor, added.team, added.target_repr, added.details["role"]) == (owner, acme, "nina", "viewer")
    assert changed.details == {"old_role": "viewer", "role": "manager"}
    assert removed.remote_addr == "192.0.2.4" and removed.team == acme


def test_deleting_a_team_records_its_members_leaving_without_breaking(owner, acme):
    acme.delete()
    removed = only(Action.MEMBER_REMOVED)
    assert removed.team is None and removed.details["team_name"] == "Acme"


# --- Analyst decisions ----------------------------------------------------------------------------


def test_a_bulk_edit_is_recorded_once_with_its_count(staff_analyst, acme):
    profiles = [ProfileFactory() for _ in range(3)]
    tag = TagFactory()
    response = signed_in(staff_analyst).post(
        reverse("admin:profiles_profile_changelist"),
        {"action": "add_tag", "_selected_action": [p.pk for p in profiles], "tag": tag.pk},
    )
    assert response.status_code == 302
    entry = only(Action.TAG_ADDED)
    assert (entry.actor, entry.team, entry.target_id) == (staff_analyst, acme, "")
    assert {"count": 3, "selected": 3, "operation": "add_tag", "tag_id": tag.pk}.items() <= entry.details.items()


def test_a_bulk_edit_in_the_worker_is_recorded_once_however_many_batches(staff_analyst, acme, monkeypatch):
    profiles = [ProfileFactory() for _ in range(3)]
    sent = []
    monkeypatch.setattr(bulk, "enqueue_on_commit", lambda name, args: sent.append(args))
    result = bulk.run(
        Profile.objects.all(), "set_review_status", staff_analyst, description="x", limit=1, status="approved"
    )
    assert result.job and not AuditEntry.objects.filter(action=Action.REVIEW_STATUS).exists()
    bulk.execute_job(*sent[0])
    entry = only(Action.REVIEW_STATUS)
    assert entry.team == acme and entry.details["count"] == len(profiles) and entry.details["status"] == "approved"


def test_review_status_and_tags_through_the_api_are_recorded(staff_analyst, acme, client_for):
    community = CommunityFactory(name="python")
    tag = TagFactory(slug="tech")
    response = client_for(staff_analyst).post(
        f"/api/v1/communities/{community.name}/review/", {"review_status": "ok", "tags": ["tech"]}, format="json"
    )
    assert response.status_code == 200
    status = only(Action.REVIEW_STATUS)
    assert (status.target_repr, status.team, status.details) == (
        str(community),
        acme,
        {"old_status": "unreviewed", "status": "ok"},
    )
    assert only(Action.TAGS_SET).details == {"added": [tag.slug], "removed": []}


def test_bulk_review_through_the_api_is_one_entry(staff_analyst, client_for):
    ids = [CommunityFactory().pk for _ in range(4)]
    response = client_for(staff_analyst).post(
        "/api/v1/communities/bulk-review/", {"ids": ids, "review_status": "banned"}, format="json"
    )
    assert response.json() == {"updated": 4}
    assert only(Action.REVIEW_STATUS).details["count"] == 4


def test_the_review_queue_page_records_its_decisions(staff_analyst):
    subreddits = [CommunityFactory() for _ in range(2)]
    signed_in(staff_analyst).post(
        reverse("profiles:review_communities"), {"review_status": "ok", "community": [c.pk for c in subreddits]}
    )
    assert only(Action.REVIEW_STATUS).details["count"] == 2


def test_review_status_and_tags_set_in_the_admin_form_are_recorded(staff_analyst, acme):
    community = CommunityFactory(name="python")
    tag = TagFactory(slug="tech")
    url = reverse("admin:profiles_community_change", args=[community.pk])
    client = signed_in(staff_analyst)
    form = client.get(url).context
    data = {"review_status": "ok", "primary_category": "", "tags": [tag.pk], "notes": ""}
    for inline in form["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    status = only(Action.REVIEW_STATUS)
    assert (status.target_repr, status.team, status.details) == (
        str(community),
        acme,
        {"old_status": "unreviewed", "status": "ok"},
    )
    assert only(Action.TAGS_SET).details == {"added": ["tech"], "removed": []}


def test_one_click_suggestion_decisions_in_admin_are_recorded(staff_analyst, acme):
    profile = ProfileFactory(handle="alpha")
    accepted = TagSuggestion.objects.create(tag=TagFactory(slug="vlog"), profile=profile, confidence=0.77)
    rejected = TagSuggestion.objects.create(tag=TagFactory(slug="food"), profile=profile, confidence=0.4)
    client = signed_in(staff_analyst)
    client.post(reverse("admin:profiles_tagsuggestion_decide", args=[accepted.pk, "accept"]))
    client.post(reverse("admin:profiles_tagsuggestion_decide", args=[rejected.pk, "reject"]))
    entry = only(Action.SUGGESTION_ACCEPTED)
    assert (entry.target_repr, entry.team, entry.details["tag"]) == (str(profile), acme, "vlog")
    assert only(Action.SUGGESTION_REJECTED).details["tag"] == "food"


def test_the_suggestion_admin_action_is_one_entry_with_its_count(staff_analyst):
    profile = ProfileFactory()
    ids = [TagSuggestion.objects.create(tag=TagFactory(), profile=profile, confidence=0.5).pk for _ in range(3)]
    signed_in(staff_analyst).post(
        reverse("admin:profiles_tagsuggestion_changelist"), {"action": "reject_selected", "_selected_action": ids}
    )
    assert only(Action.SUGGESTION_REJECTED).details["count"] == 3


# --- The owners' page -----------------------------------------------------------------------------


def test_an_owner_reads_their_team_trail_and_nothing_of_another_team(owner, acme, globex):
    analyst = member(acme, Membership.Role.ANALYST, username="ana")
    outsider = member(globex, Membership.Role.OWNER, username="gus")
    audit.record(Action.TAG_ADDED, actor=analyst, team=acme, count=5)
    audit.record(Action.SIGN_IN, actor=analyst)  # an account event of a member
    audit.record(Action.TAG_REMOVED, actor=outsider, team=globex, count=9)
    audit.record(Action.SIGN_IN, actor=outsider)

    page = signed_in(owner).get("/accounts/audit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-action="tag.added"') == 1 and 'data-action="tag.removed"' not in html
    # The analyst's sign-in and the owner's own (signed_in signs in); not the other team's owner's.
    assert html.count('data-action="auth.sign_in"') == 2 and "gus" not in html


def test_the_trail_filters_by_action_and_member(owner, acme):
    analyst = member(acme, Membership.Role.ANALYST, username="ana")
    audit.record(Action.TAG_ADDED, actor=analyst, team=acme)
    audit.record(Action.TAG_ADDED, actor=owner, team=acme)
    audit.record(Action.REVIEW_STATUS, actor=analyst, team=acme)
    client = signed_in(owner)
    by_action = client.get("/accounts/audit/", {"action": "tag.added"}).content.decode()
    assert by_action.count("<tr data-action=") == 2
    both = client.get("/accounts/audit/", {"action": "tag.added", "user": analyst.pk}).content.decode()
    assert both.count("<tr data-action=") == 1


def test_the_trail_is_paginated_in_a_fixed_number_of_queries(owner, acme, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(views, "AUDIT_PAGE_SIZE", 2)
    for _ in range(3):
        audit.record(Action.TAG_ADDED, actor=owner, team=acme, target=owner)
    client = signed_in(owner)
    # session, user, team, role, count, perms x2 (nav), the inbox count (nav), members, rows
    with django_assert_max_num_queries(10):
        page = client.get("/accounts/audit/", {"action": "tag.added"}).content.decode()
    assert page.count("<tr data-action=") == 2 and "action=tag.added&amp;page=2" in page


@pytest.mark.parametrize("role", [Membership.Role.MANAGER, Membership.Role.ANALYST, Membership.Role.VIEWER])
def test_only_owners_read_the_trail(acme, role):
    assert signed_in(member(acme, role)).get("/accounts/audit/").status_code == 403


def test_a_user_of_no_team_is_refused_and_anonymous_sent_to_sign_in(db):
    assert signed_in(UserFactory()).get("/accounts/audit/").status_code == 403
    assert Client().get("/accounts/audit/").status_code == 302


# --- Rows are never edited; staff read them in admin ----------------------------------------------


def test_a_stored_entry_cannot_be_updated(owner):
    entry = audit.record(Action.SIGN_IN, actor=owner)
    entry.actor_repr = "someone else"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_repr="someone else")
    entry.refresh_from_db()
    assert entry.actor_repr == "olivia"


def test_entries_outlive_their_actor_and_team(owner, acme):
    entry = audit.record(Action.TAG_ADDED, actor=owner, team=acme)
    owner.delete()
    acme.delete()
    entry.refresh_from_db()
    assert (entry.actor, entry.team, entry.actor_repr) == (None, None, "olivia")


def test_staff_read_every_entry_in_admin_and_change_nothing(owner, acme, globex):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    entry = audit.record(Action.TAG_ADDED, actor=owner, team=acme)
    audit.record(Action.TAG_ADDED, actor=owner, team=globex)
    client = signed_in(superuser)
    changelist = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert changelist.status_code == 200
    assert {e.team for e in changelist.context["cl"].result_list} >= {acme, globex}
    change_url = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"actor_repr": "x"}).status_code == 403
    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:accounts_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, actor_repr="olivia").exists()


# --- Retention ------------------------------------------------------------------------------------


def _aged(owner, days: int) -> AuditEntry:
    return AuditEntry.objects.create(
        action=Action.SIGN_IN, actor=owner, timestamp=timezone.now() - timedelta(days=days)
    )


def test_entries_are_kept_forever_by_default(owner):
    _aged(owner, 4000)
    assert prune_audit_trail() == 0 and AuditEntry.objects.filter(action=Action.SIGN_IN).count() == 1


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_retention_prunes_only_older_entries(owner):
    _aged(owner, 31)
    kept = _aged(owner, 29)
    assert prune_audit_trail() == 1
    assert list(AuditEntry.objects.filter(action=Action.SIGN_IN)) == [kept]


def test_the_prune_task_is_scheduled_only_with_a_retention(settings):
    import config.schedule

    assert "accounts-prune-audit-trail" not in config.schedule.BEAT_SCHEDULE
    settings.AUDIT_RETENTION_DAYS = 90
    try:
        schedule = importlib.reload(config.schedule).BEAT_SCHEDULE
        assert schedule["accounts-prune-audit-trail"]["task"] == "accounts.tasks.prune_audit_trail"
    finally:
        settings.AUDIT_RETENTION_DAYS = 0
        importlib.reload(config.schedule)


def test_the_nav_links_the_trail_for_the_teams_owners_only(owner, acme):
    manager = member(acme, Membership.Role.MANAGER, username="max")
    link = 'href="/accounts/audit/"'
    assert link in signed_in(owner).get("/campaigns/").content.decode()
    assert link not in signed_in(manager).get("/campaigns/").content.decode()  # the page answers them 403
