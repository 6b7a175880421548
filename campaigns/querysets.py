"""Access scoping for campaigns: a user sees only their own."""

from __future__ import annotations

from django.db import models


class CampaignQuerySet(models.QuerySet):
    def restrict(self, user) -> CampaignQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)
