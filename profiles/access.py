"""Opening a creator's full report: a 30-day ``ProfileAccess`` per user, with an optional monthly quota.

The first view of a profile's report grants access for ``PROFILE_ACCESS_DAYS``; views while it is
active cost nothing. When ``PROFILE_ACCESS_MONTHLY_LIMIT`` is set, a user may open that many new
(or expired) profiles per calendar month (UTC); staff are not limited.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from profiles.models import Profile, ProfileAccess


class AccessLimitReached(Exception):
    """The user has used this month's quota of new profile accesses."""

    def __init__(self, limit: int, resets_at: datetime):
        self.limit = limit
        self.resets_at = resets_at
        super().__init__(
            f"You have opened {limit} new profiles this month, the monthly limit. Profiles you opened in the "
            f"last {settings.PROFILE_ACCESS_DAYS} days stay available; new ones open again on "
            f"{resets_at:%Y-%m-%d}."
        )


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def check_quota(user, profile: Profile | None = None) -> None:
    """Raise ``AccessLimitReached`` when opening ``profile`` (None: a profile not stored yet) needs a
    new grant and this month's quota is used up. Grants nothing: a lookup asks before it calls out.
    """
    limit = settings.PROFILE_ACCESS_MONTHLY_LIMIT
    if not limit or user is None or user.is_staff:
        return
    now = timezone.now()
    if profile is not None and ProfileAccess.objects.filter(user=user, profile=profile, expires_at__gt=now).exists():
        return
    month_start, month_end = _month_bounds(now)
    if ProfileAccess.objects.filter(user=user, granted_at__gte=month_start).count() >= limit:
        raise AccessLimitReached(limit, month_end)


def ensure_access(user, profile: Profile) -> ProfileAccess:
    """Return the user's active access to ``profile``, granting one on first view.

    Raises ``AccessLimitReached`` when a grant is needed and the monthly quota is used up. The
    quota check and the grant run under a lock on the user row, so two parallel first views
    cannot both slip under the limit.
    """
    now = timezone.now()
    access = ProfileAccess.objects.filter(user=user, profile=profile).first()
    if access is not None and access.expires_at > now:
        return access
    limit = settings.PROFILE_ACCESS_MONTHLY_LIMIT
    with transaction.atomic():
        if limit and not user.is_staff:
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            month_start, month_end = _month_bounds(now)
            used = ProfileAccess.objects.filter(user=user, granted_at__gte=month_start).count()
            if used >= limit:
                raise AccessLimitReached(limit, month_end)
        # One upsert: a parallel first view of the same profile updates instead of failing.
        (access,) = ProfileAccess.objects.bulk_create(
            [ProfileAccess(user=user, profile=profile, granted_at=now, expires_at=now + ProfileAccess.period())],
            update_conflicts=True,
            unique_fields=["user", "profile"],
            update_fields=["granted_at", "expires_at"],
        )
    return access
