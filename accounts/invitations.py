"""Team invitations: send the e-mail with its link, and accept a link kept across signing in.

The link carries the plain key once (``Invitation.issue``); the database keeps its hash. An
anonymous visitor's key waits in the session while they sign up or sign in, and is accepted on
``user_logged_in`` (connected in ``AccountsConfig.ready``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from accounts.models import Invitation, InvitationError, Membership, Team
from accounts.teams import switch_team

SESSION_KEY = "invitation_key"


def invite(request, team: Team, email: str, role: str) -> Invitation:
    """Create an invitation and e-mail its link (after the transaction commits)."""
    invitation, key = Invitation.issue(team, email, role, request.user)
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[key]))
    inviter = request.user.get_full_name() or request.user.get_username()
    body = (
        f"{inviter} invites you to join the team “{team.name}” on Creatorscope as {invitation.get_role_display()}.\n\n"
        f"Open this link to accept (it works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n{link}\n"
    )
    transaction.on_commit(
        lambda: send_mail(f"Join {team.name} on Creatorscope", body, settings.DEFAULT_FROM_EMAIL, [email])
    )
    return invitation


def accept(request, invitation: Invitation, user) -> Membership:
    """Accept for ``user`` (signed in on ``request``) and make the team current; ``InvitationError`` changes nothing."""
    membership = invitation.accept(user)
    switch_team(request, membership.team)
    return membership


def signup_url() -> str:
    """allauth's sign-up page when it is installed, else the sign-in page."""
    try:
        return reverse("account_signup")
    except NoReverseMatch:
        return reverse(settings.LOGIN_URL)


def accept_pending(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: accept the invitation an anonymous visitor opened before."""
    session = getattr(request, "session", None)
    key = session.pop(SESSION_KEY, None) if session is not None else None
    if not key:
        return
    invitation = Invitation.for_key(key)
    if invitation is None:
        return
    try:
        membership = accept(request, invitation, user)
    except InvitationError as exc:
        messages.error(request, str(exc), fail_silently=True)  # some sign-ins (tests, scripts) have no messages
    else:
        joined = f"You joined {membership.team.name} as {membership.get_role_display()}."
        messages.success(request, joined, fail_silently=True)
