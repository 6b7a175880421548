"""Teams: an agency or a brand team whose members share campaigns, lists, searches and lookups.

A user may belong to several teams, each with one role. What a role may do is decided here, once
(``Membership.Role``), so pages, the API and admin ask the same question.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
