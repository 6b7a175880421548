"""The nav's team switcher: the user's teams and the current one, read only when a template asks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.teams import current_membership, current_team, request_memberships


def teams(request) -> dict:
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}

    def team():
        try:
            return current_team(request)
        except PermissionDenied:  # a foreign X-Team header: the view itself answers 403
            return None

    def membership():
        try:
            return current_membership(request)
        except PermissionDenied:
            return None

    # Callables: templates call them, so a page that shows no nav pays no query.
    return {
        "current_team": team,
        "current_membership": membership,  # the nav's links for the role (the audit trail: owners)
        "my_memberships": lambda: request_memberships(request),
    }
