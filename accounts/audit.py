"""The audit trail's one entry point, and the receivers that feed it.

``record`` appends an ``AuditEntry`` for events that are not plain model saves: sign-ins, two-factor
changes, token creation and revocation, analyst decisions (review status, tags, AI suggestions, bulk
edits with their counts). Membership changes arrive through model signals. Everything is connected in
``AccountsConfig.ready()``.

One small model rather than django-auditlog: auditlog records field diffs of registered models with
four fixed actions (create, update, delete, access) and no team, while most of this trail has no model
save behind it (a failed sign-in, a bulk edit of 300 rows recorded once) and every entry must be found
by team for the owners' page.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.models import AuditEntry, Membership, Team
from accounts.teams import current_team
from config.middleware import SyncAndAsyncMiddleware
from config.retention import delete_older_than

Action = AuditEntry.Action


def record(
    action: str,
    *,
    actor,
    team: Team | None = None,
    target: models.Model | None = None,
    request=None,
    **details: Any,
) -> AuditEntry:
    """Append one entry. ``actor`` may be anonymous or None (a failed sign-in for an unknown name);
    ``details`` is stored as JSON (keep it small: ids, names, counts)."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    named = str(details.pop("actor_repr", ""))
    entry = AuditEntry(
        action=action,
        actor=user,
        actor_repr=(user.get_username() if user else named)[:150],
        team=team,
        details=details,
        remote_addr=_remote_addr(request),
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:200]
    entry.save()
    return entry


def acting_team(user, request=None) -> Team | None:
    """The team an analyst's decision is recorded under: the request's current team (token scope,
    ``X-Team``, session, oldest membership: ``accounts.teams.current_team``), or without a request the
    user's oldest membership (bulk edits finished by the worker)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if request is not None and getattr(request, "user", None) == user:
        return current_team(request)
    first = Membership.objects.filter(user=user).select_related("team").order_by("created_at", "pk").first()
    return first.team if first else None


def _remote_addr(request) -> str | None:
    # REMOTE_ADDR only: behind the reverse proxy Django is told the scheme (SECURE_PROXY_SSL_HEADER),
    # not a trusted client-address header, and a forged X-Forwarded-For must not write the trail.
    address = getattr(request, "META", {}).get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def prune(days: int) -> int:
    """Delete entries older than ``days`` days, in batches (``config.retention``)."""
    return delete_older_than(AuditEntry.objects.all(), "timestamp", days)


# --- The request being served, for receivers of model signals ----------------------------------

# Set by ``AuditRequestMiddleware`` for the length of one request, so a membership saved by a view, the
# admin or an invitation's acceptance is recorded with who did it and from where. Outside a request
# (a shell, a migration, a task) it is None and the entry has no actor.
_request: ContextVar = ContextVar("audit_request", default=None)


class AuditRequestMiddleware(SyncAndAsyncMiddleware):
    """Makes the current request known to the audit receivers (django-auditlog's middleware does the same)."""

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

    async def _acall(self, request):
        token = _request.set(request)
        try:
            return await self.get_response(request)
        finally:
            _request.reset(token)


# --- Receivers (connected in AccountsConfig.ready) -------------------------------------------------


def on_logged_in(sender, request, user, **kwargs) -> None:
    record(Action.SIGN_IN, actor=user, request=request, backend=getattr(user, "backend", "") or "")


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(Action.SIGN_OUT, actor=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # ``credentials`` arrive with secrets already masked (django.contrib.auth._clean_credentials).
    User = get_user_model()
    name = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or credentials.get("email") or "")
    user = None
    if name:
        users = User._default_manager
        user = users.filter(**{f"{User.USERNAME_FIELD}__iexact": name}).first()
        if user is None and "@" in name:
            user = users.filter(email__iexact=name).first()
    # An unknown name is kept as typed (cut short): it shows what is being guessed.
    record(Action.SIGN_IN_FAILED, actor=user, request=request, actor_repr=name, username=name[:150])


def on_membership_pre_save(sender, instance: Membership, **kwargs) -> None:
    # One query per membership save (rare) instead of remembering every loaded row's role.
    instance._audit_old_role = (
        None
        if instance._state.adding
        else Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    )


def on_membership_saved(sender, instance: Membership, created: bool, **kwargs) -> None:
    old_role = getattr(instance, "_audit_old_role", None)
    if created:
        _record_membership(Action.MEMBER_ADDED, instance, role=instance.role)
    elif old_role != instance.role:
        _record_membership(Action.MEMBER_ROLE_CHANGED, instance, old_role=old_role, role=instance.role)


def on_membership_deleted(sender, instance: Membership, **kwargs) -> None:
    # When the team itself is being deleted its memberships go with it: an entry pointing at the team
    # would outlive the row (the delete already chose which rows to null), so the name is kept instead.
    origin = kwargs.get("origin")
    team_going = isinstance(origin, Team) or getattr(origin, "model", None) is Team
    _record_membership(
        Action.MEMBER_REMOVED,
        instance,
        team=None if team_going else instance.team,
        role=instance.role,
        team_name=instance.team.name,
    )


def _record_membership(action: str, membership: Membership, **details) -> None:
    """An entry about a membership, by whoever is making the current request."""
    request = _request.get()
    details.setdefault("team", membership.team)
    record(action, actor=getattr(request, "user", None), target=membership.user, request=request, **details)


def on_mfa_event(action: str):
    """A receiver recording ``action`` for one of allauth's mfa signals (``authenticator_added`` …)."""

    def receiver(sender, request, user, authenticator=None, **kwargs) -> None:
        details = {"authenticator": str(getattr(authenticator, "type", "") or "")}
        if action == Action.SIGN_IN_FAILED:
            details["step"] = "second factor"
        record(action, actor=user, request=request, **details)

    return receiver


def on_token_event(action: str):
    """A receiver recording ``action`` for ``accounts.signals.token_created`` / ``token_revoked``.

    The token is named by its name and prefix, not as a target: a revoked token's row is gone."""

    def receiver(sender, token, actor=None, request=None, **kwargs) -> None:
        record(
            action,
            actor=actor if actor is not None else token.user,
            team=token.team if token.team_id else None,
            request=request,
            name=token.name,
            prefix=token.token_key,
            by_system=actor is None,
        )

    return receiver
