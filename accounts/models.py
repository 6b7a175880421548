"""Teams: an agency or a brand team whose members share campaigns, lists, searches and lookups.

A user may belong to several teams, each with one role. What a role may do is decided here, once
(``Membership.Role``), so pages, the API and admin ask the same question.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
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
