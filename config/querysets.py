"""The scoping bases every app's querysets build on: ``restrict(user, ...)`` says who sees which rows.

``config.api.viewsets.ScopedViewSetMixin`` applies it to every API query (NetBox's
``RestrictedQuerySet``), and pages call the same method, so the rule lives here once.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

VIEW, CHANGE, DELETE = "view", "change", "delete"
ACTIONS = frozenset({VIEW, CHANGE, DELETE})


class SignedInQuerySet(models.QuerySet):
    """Collected data (creators, communities, posts) is shared by every signed-in user."""

    def restrict(self, user, team=None, action: str = VIEW) -> SignedInQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self


class TeamOwnedQuerySet(models.QuerySet):
    """Rows a team owns and one member wrote (campaigns, favorites, saved searches, access grants).

    * view: every member of the row's team, whatever their role; superusers read every team's rows.
    * change / delete: the row's author, or an owner or manager of its team (superusers included:
      reading everything is not editing it).

    ``team`` narrows the rows to one team (a list shows the current team's rows); without it a
    detail lookup finds a row in any of the user's teams. Rows outside the result answer 404, so a
    caller that must tell "teammate may not edit" (403) from "other team" (404) looks the row up
    with ``VIEW`` and then asks ``can(user, row, action)``.

    The model names the field holding its author in ``author_field`` when it is not ``user``.
    """

    def restrict(self, user, team=None, action: str = VIEW) -> TeamOwnedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if not getattr(user, "is_authenticated", False):
            return self.none()
        rows = self if team is None else self.filter(team=team)
        if action == VIEW:
            if user.is_superuser:
                return rows
            return rows.filter(team__in=_memberships(user).values("team"))
        editor_teams = _memberships(user).filter(role__in=_membership_model().EDITOR_ROLES).values("team")
        author = {getattr(self.model, "author_field", "user"): user}
        member_teams = _memberships(user).values("team")
        return rows.filter(models.Q(team__in=editor_teams) | models.Q(team__in=member_teams, **author))

    def can(self, user, row: models.Model, action: str) -> bool:
        """Whether ``user`` may ``action`` this one row (already loaded)."""
        return self.restrict(user, action=action).filter(pk=row.pk).exists()


def _membership_model():
    # Looked up by name: config's bases import no app (docs/architecture.md, Rule C).
    return apps.get_model("accounts", "Membership")


def _memberships(user) -> models.QuerySet:
    return _membership_model().objects.filter(user=user)
