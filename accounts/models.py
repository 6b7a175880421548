"""Teams: an agency or a brand team whose members share campaigns, lists, searches and lookups.

A user may belong to several teams, each with one role. What a role may do is decided here, once
(``Membership.Role``), so pages, the API and admin ask the same question.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class Team(models.Model):
    """An agency or a brand team: the owner of shared work."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

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
