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
    """Rows a team owns and one member wrote (campaigns and their creators and posts, favorites, saved
    searches, access grants, lookups): the one rule the API, the pages and admin apply.

    * view: every member of the row's team, whatever their role; superusers read every team's rows.
    * change / delete: an owner or manager of the row's team, or the row's author while they may still
      write there (an analyst; a viewer reads only, even what they wrote before). Superusers included:
      reading everything is not editing it.

    ``team`` narrows the rows to one team (a list shows the current team's rows); without it a
    detail lookup finds a row in any of the user's teams. Rows outside the result answer 404, so a
    caller that must tell "teammate may not edit" (403) from "other team" (404) looks the row up
    with ``VIEW`` and then asks ``can(user, row, action)``.

    The model names the field holding its author in ``author_field`` when it is not ``user``, and the
    path to its team in ``team_field`` when the team is its parent's (``"campaign__team"``).
    """

    def restrict(self, user, team=None, action: str = VIEW) -> TeamOwnedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if not getattr(user, "is_authenticated", False):
            return self.none()
        team_field = getattr(self.model, "team_field", "team")
        rows = self if team is None else self.filter(**{team_field: team})
        if action == VIEW:
            if user.is_superuser:
                return rows
            return rows.filter(**{f"{team_field}__in": team_ids(user)})
        membership = _membership_model()
        editor_teams = team_ids(user, roles=membership.EDITOR_ROLES)
        writer_teams = team_ids(user, roles=membership.WRITER_ROLES)
        author = {getattr(self.model, "author_field", "user"): user}
        return rows.filter(
            models.Q(**{f"{team_field}__in": editor_teams}) | models.Q(**{f"{team_field}__in": writer_teams}, **author)
        )

    def can(self, user, row: models.Model, action: str) -> bool:
        """Whether ``user`` may ``action`` this one row (already loaded)."""
        return self.restrict(user, action=action).filter(pk=row.pk).exists()


def team_ids(user, roles=None) -> list[int]:
    """The ids of the user's teams (with one of ``roles``), from the memberships cached on the user.

    Every scoped query of a request asks this, often several times (the list, its count, a detail's
    permission check); the memberships are read once per user object (``accounts.teams``), not once
    per question.
    """
    from accounts.teams import user_memberships  # accounts sits below every app (Rule C)

    return [m.team_id for m in user_memberships(user) if roles is None or m.role in roles]


def writer_team_ids(user) -> list[int]:
    """The teams the user may add rows to (owner, manager, analyst)."""
    return team_ids(user, roles=_membership_model().WRITER_ROLES)


def _membership_model():
    # Looked up by name: config's bases import no app (docs/architecture.md, Rule C).
    return apps.get_model("accounts", "Membership")
