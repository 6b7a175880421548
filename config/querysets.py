"""The scoping bases every app's querysets build on: ``restrict(user)`` says who sees which rows.

``config.api.viewsets.ScopedViewSetMixin`` applies it to every API query (NetBox's
``RestrictedQuerySet``), so the rule lives here once.
"""

from __future__ import annotations

from django.db import models


class SignedInQuerySet(models.QuerySet):
    """Collected data (creators, communities, posts) is shared by every signed-in user."""

    def restrict(self, user) -> SignedInQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self


class UserOwnedQuerySet(models.QuerySet):
    """Rows that belong to one user (favorites, searches, access grants, campaigns): nobody else sees them.

    The model names the field holding its user in ``owner_field`` when it is not ``user``.
    """

    def restrict(self, user) -> UserOwnedQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(**{getattr(self.model, "owner_field", "user"): user})
