"""Invitations: the e-mailed link adds a membership once, before it expires, for the invited address."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import signup_url
from accounts.models import Invitation, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(member_of):
    return member_of(Membership.Role.MANAGER)


def _link_key() -> str:
    (message,) = mail.outbox
    path = next(line for line in message.body.splitlines() if "/accounts/invitations/" in line)
    return path.rstrip("/").rsplit("/", 1)[1]


def _invite(client, capture_on_commit, email="dora@example.com", role="viewer"):
    with capture_on_commit(execute=True):  # the e-mail leaves after the commit
        return client.post(reverse("accounts:members"), {"action": "invite", "email": email, "role": role})


def test_manager_invites_from_the_members_page_and_the_invitee_joins(
    manager, client, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    response = _invite(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    key = _link_key()
    invitation = Invitation.objects.get()
    assert invitation.key_hash != key and invitation.key_hash == Invitation.hash_key(key)  # stored hashed
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(seconds=5)

    dora = UserFactory(username="dora", email="Dora@example.com")
    client.force_login(dora)
    url = reverse("accounts:invitation", args=[key])
    assert "Join Agency" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    membership = dora.memberships.get()
    assert (membership.team.slug, membership.role) == ("agency", "viewer")
    assert client.session["team_id"] == membership.team_id

    # Reused: a clear 400, nothing changed.
    again = client.post(url)
    assert again.status_code == 400 and "already been used" in again.content.decode()
    assert Membership.objects.filter(user=dora).count() == 1


def test_expired_invitation_is_a_400_and_adds_nobody(agency, manager, client):
    invitation, key = Invitation.issue(agency, "dora@example.com", "analyst", manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    dora = UserFactory(username="dora", email="dora@example.com")
    client.force_login(dora)
    response = client.post(reverse("accounts:invitation", args=[key]))
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not dora.memberships.exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_for_another_address_is_refused(agency, manager, charlie, client):
    _, key = Invitation.issue(agency, "dora@example.com", "analyst", manager)
    client.force_login(charlie)
    response = client.post(reverse("accounts:invitation", args=[key]))
    assert response.status_code == 400 and "dora@example.com" in response.content.decode()
    assert not charlie.memberships.filter(team=agency).exists()
    assert Invitation.objects.get().accepted_at is None


def test_unknown_key_is_404(client):
    assert client.get(reverse("accounts:invitation", args=["nope"])).status_code == 404


def test_anonymous_visitor_keeps_the_key_and_joins_on_sign_in(agency, manager, client):
    _, key = Invitation.issue(agency, "dora@example.com", "analyst", manager)
    response = client.get(reverse("accounts:invitation", args=[key]))
    assert response.status_code == 302
    assert response["Location"].startswith(signup_url())  # allauth's sign-up when installed, else sign-in
    client.force_login(UserFactory(username="dora", email="dora@example.com"))  # sends user_logged_in
    assert Membership.objects.get(user__username="dora").team == agency
    assert Invitation.objects.get().accepted_by.username == "dora"


def test_analysts_and_viewers_cannot_invite(member_of, client):
    for role in (Membership.Role.ANALYST, Membership.Role.VIEWER):
        client.force_login(member_of(role))
        response = client.post(reverse("accounts:members"), {"action": "invite", "email": "x@example.com"})
        assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_owner_changes_roles_and_keeps_at_least_one_owner(agency, alice, member_of, client):
    owner = member_of(Membership.Role.OWNER)
    client.force_login(owner)
    alice_membership = alice.memberships.get()
    client.post(reverse("accounts:members"), {"action": "role", "member": alice_membership.pk, "role": "manager"})
    alice_membership.refresh_from_db()
    assert alice_membership.role == "manager"
    own = owner.memberships.get()
    client.post(reverse("accounts:members"), {"action": "remove", "member": own.pk})
    assert Membership.objects.filter(pk=own.pk).exists()  # the last owner stays
    client.post(reverse("accounts:members"), {"action": "remove", "member": alice_membership.pk})
    assert not Membership.objects.filter(pk=alice_membership.pk).exists()
    client.force_login(member_of(Membership.Role.MANAGER))
    response = client.post(reverse("accounts:members"), {"action": "role", "member": own.pk, "role": "viewer"})
    assert response.status_code == 403


def test_invitations_api_for_owners_and_managers_only(agency, alice, manager, charlie, client_for):
    url = "/api/v1/teams/agency/invitations/"
    created = client_for(manager).post(url, {"email": "dora@example.com", "role": "analyst"}, format="json")
    assert created.status_code == 201 and "key" not in created.json()
    assert client_for(manager).post(url, {"email": "x@example.com", "role": "owner"}, format="json").status_code == 400
    assert client_for(alice).get(url).status_code == 403
    assert client_for(charlie).get(url).status_code == 404
    assert [i["email"] for i in client_for(manager).get(url).json()["results"]] == ["dora@example.com"]
