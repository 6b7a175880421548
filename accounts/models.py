"""Teams: an agency or a brand team whose members share campaigns, lists, searches and lookups.

A user may belong to several teams, each with one role. What a role may do is decided here, once
(``Membership.Role``), so pages, the API and admin ask the same question. ``AuditEntry`` is the
trail of what members did (``accounts/audit.py`` writes it).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from knox.models import AbstractAuthToken, AuthTokenManager
from knox.settings import CONSTANTS


class Team(models.Model):
    """An agency or a brand team: the owner of shared work."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        # Not about teams: operations are the house's, and accounts holds its roles (accounts/operators.py).
        permissions = [("operate", "Can run operations: scrapers, runs, system logs, the live monitor")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One user's place in one team, with the role that says what they may do there."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"
        ANALYST = "analyst", "Analyst"
        VIEWER = "viewer", "Viewer"

    # Roles that edit and delete the team's shared rows; analysts add their own, viewers only read.
    EDITOR_ROLES = frozenset({Role.OWNER, Role.MANAGER})
    WRITER_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.ANALYST})

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANALYST)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "user"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "manager", "analyst", "viewer"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in self.EDITOR_ROLES

    @property
    def can_write(self) -> bool:
        return self.role in self.WRITER_ROLES


class ApiTokenManager(AuthTokenManager):
    def issue(self, user, name: str, *, team: Team | None = None, request=None) -> tuple[ApiToken, str]:
        """A new token of ``user`` and its plain value, which is shown once and never stored.

        ``team`` must be one of the user's teams (a ``ValueError`` otherwise); sends ``token_created``.
        """
        from accounts.signals import token_created

        if team is not None and not team.memberships.filter(user=user).exists():
            raise ValueError(f"{user} is not a member of {team}.")
        token, plain = self.create(user=user, name=name, team=team)
        token_created.send(sender=self.model, token=token, actor=user, request=request)
        return token, plain


class ApiToken(AbstractAuthToken):
    """An API token (knox's ``KNOX_TOKEN_MODEL``): knox stores only the SHA-512 digest of the value and
    its first characters (``token_key``, shown as the prefix); the user names it, may bind it to one
    of their teams, and revokes it. It expires after ``API_TOKEN_DAYS``.

    Created through ``ApiToken.objects.issue`` and revoked through ``revoke`` only: both send the
    signals in ``accounts.signals`` (``token_created``, ``token_revoked``) the audit trail listens to.
    """

    # last_used is written at most once per this interval per token, not on every request (a write per
    # request would cost more than the cached reads it authenticates).
    LAST_USED_RESOLUTION = timedelta(minutes=5)

    # A number to name the token by in URLs and pages; knox's digest stays unique, not the key.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(max_length=100)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The team every request with this token works in; empty: the user's current team.",
    )
    last_used = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenManager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…) of {self.user}"

    @property
    def prefix(self) -> str:
        """The first characters of the plain value: enough to recognise a token, useless to use it."""
        return self.token_key

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()

    def touch(self, now: datetime | None = None) -> None:
        """Record a use, writing at most once per ``LAST_USED_RESOLUTION``; the conditional UPDATE
        keeps concurrent requests from writing the same minute twice."""
        now = now or timezone.now()
        since = now - self.LAST_USED_RESOLUTION
        if self.last_used is not None and self.last_used > since:
            return
        stale = models.Q(last_used__isnull=True) | models.Q(last_used__lte=since)
        type(self).objects.filter(stale, pk=self.pk).update(last_used=now)
        self.last_used = now

    def revoke(self, *, actor=None, request=None) -> None:
        """Delete the token (knox then refuses it with 401) and send ``token_revoked`` (``actor`` None: the system)."""
        from accounts.signals import token_revoked

        self.delete()
        token_revoked.send(sender=type(self), token=self, actor=actor, request=request)


class AuditEntryQuerySet(models.QuerySet):
    """Entries are appended and pruned, never changed: ``update()`` is refused like ``save()``."""

    def update(self, **kwargs):
        raise PermissionDenied("Audit entries are never edited.")

    def for_team(self, team: Team) -> AuditEntryQuerySet:
        """What a team's owner sees: the team's own entries, and the account events (sign-ins, two-factor
        changes) of its members, which belong to a person rather than to one of their teams."""
        members = Membership.objects.filter(team=team).values("user_id")
        return self.filter(models.Q(team=team) | models.Q(team__isnull=True, actor__in=members))


class AuditEntry(models.Model):
    """One thing that happened: who did what, in which team, to what, from where and when.

    Appended through ``accounts.audit.record`` and never edited (``save()`` on a stored row raises); only
    the retention task (``AUDIT_RETENTION_DAYS``) deletes them.
    """

    class Action(models.TextChoices):
        SIGN_IN = "auth.sign_in", "Signed in"
        SIGN_IN_FAILED = "auth.sign_in_failed", "Sign-in failed"
        SIGN_OUT = "auth.sign_out", "Signed out"
        MFA_ADDED = "mfa.added", "Two-factor method added"
        MFA_REMOVED = "mfa.removed", "Two-factor method removed"
        MFA_RESET = "mfa.reset", "Recovery codes regenerated"
        TOKEN_CREATED = "token.created", "API token created"
        TOKEN_REVOKED = "token.revoked", "API token revoked"
        MEMBER_ADDED = "team.member_added", "Member added"
        MEMBER_ROLE_CHANGED = "team.member_role_changed", "Member role changed"
        MEMBER_REMOVED = "team.member_removed", "Member removed"
        REVIEW_STATUS = "review.status", "Review status set"
        TAG_ADDED = "tag.added", "Tag added"
        TAG_REMOVED = "tag.removed", "Tag removed"
        TAGS_SET = "tag.set", "Tags set"
        SUGGESTION_ACCEPTED = "suggestion.accepted", "AI suggestion accepted"
        SUGGESTION_REJECTED = "suggestion.rejected", "AI suggestion rejected"
        BULK_EDIT = "bulk.edit", "Bulk edit"

    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    # The name at the time, so the trail still reads after the account is deleted (or never existed:
    # a failed sign-in for an unknown username).
    actor_repr = models.CharField(max_length=150, blank=True, default="")
    # Kept when the team is deleted: staff still read what happened in it.
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries")
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(max_length=64, blank=True, default="")
    target_repr = models.CharField(max_length=200, blank=True, default="")
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [models.Index(fields=["team", "-timestamp"], name="audit_team_time")]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_repr or '—'} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionDenied("Audit entries are never edited.")
        super().save(*args, **kwargs)


class InvitationError(Exception):
    """An invitation that cannot be accepted (expired, used, or meant for someone else)."""


class Invitation(models.Model):
    """An e-mailed invitation to join a team with a role; the link's key is stored only as its hash.

    It expires after ``INVITATION_DAYS`` and works once: accepting sets ``accepted_at`` under a row
    lock, so a second use (or two parallel ones) changes nothing.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices, default=Membership.Role.ANALYST)
    # SHA-256 of the key in the link: a leaked database does not leak working links.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_accepted"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "manager", "analyst", "viewer"]), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.team} ({self.role})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, team: Team, email: str, role: str, invited_by) -> tuple[Invitation, str]:
        """A new invitation and the plain key for its link (shown once, in the e-mail)."""
        key = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            team=team,
            email=email,
            role=role,
            invited_by=invited_by,
            key_hash=cls.hash_key(key),
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        return invitation, key

    @classmethod
    def for_key(cls, key: str) -> Invitation | None:
        return cls.objects.select_related("team").filter(key_hash=cls.hash_key(key)).first()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def check_usable(self) -> None:
        if self.accepted_at is not None:
            raise InvitationError("This invitation has already been used.")
        if self.is_expired:
            raise InvitationError("This invitation has expired. Ask the team for a new one.")

    @transaction.atomic
    def accept(self, user) -> Membership:
        """Make ``user`` a member with the invited role (an existing membership keeps its role)."""
        locked = Invitation.objects.select_for_update().get(pk=self.pk)
        locked.check_usable()
        if not user.email or user.email.lower() != locked.email.lower():
            raise InvitationError(
                f"This invitation was sent to {locked.email}; sign in with that address to accept it."
            )
        membership, _ = Membership.objects.get_or_create(team=locked.team, user=user, defaults={"role": locked.role})
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        self.accepted_at, self.accepted_by = locked.accepted_at, user
        return membership
