"""Opening a creator's full report: a 30-day ``ProfileAccess``, with an optional monthly quota.

The first view of a profile's report grants access for ``PROFILE_ACCESS_DAYS``; views while it is
active cost nothing. When ``PROFILE_ACCESS_MONTHLY_LIMIT`` is set, that many new (or expired)
profiles may be opened per calendar month (UTC); staff are not limited. ``PROFILE_ACCESS_SCOPE``
says who shares grants and quota: each user ("user"), or the members of the current team ("team";
a user of no team then counts alone).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.operators import is_operator
from accounts.teams import current_team
from profiles.models import Profile, ProfileAccess

TEAM_SCOPE = "team"


class AccessLimitReached(Exception):
    """The user (or their team) has used this month's quota of new profile accesses."""

    def __init__(self, limit: int, resets_at: datetime, by_team: bool = False):
        self.limit = limit
        self.resets_at = resets_at
        who = "Your team has" if by_team else "You have"
        super().__init__(
            f"{who} opened {limit} new profiles this month, the monthly limit. Profiles opened in the "
            f"last {settings.PROFILE_ACCESS_DAYS} days stay available; new ones open again on "
            f"{resets_at:%Y-%m-%d}."
        )


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def sharing_team(request):
    """The team that shares grants and quota for this request: the current team with the team scope, else none."""
    return current_team(request) if settings.PROFILE_ACCESS_SCOPE == TEAM_SCOPE else None


def sharing(team):
    """``team`` when grants and quota are the team's (``PROFILE_ACCESS_SCOPE="team"``), else None."""
    return team if settings.PROFILE_ACCESS_SCOPE == TEAM_SCOPE else None


def check_quota(user, profile: Profile | None = None, team=None) -> None:
    """Raise ``AccessLimitReached`` when opening ``profile`` (None: a profile not stored yet) needs a
    new grant and this month's quota (the user's, or ``team``'s when shared) is used up. Grants
    nothing: a lookup asks before it calls out.
    """
    limit = settings.PROFILE_ACCESS_MONTHLY_LIMIT
    if not limit or user is None or is_operator(user):  # the Staff role, not admin access
        return
    holder = {"team": team} if team is not None else {"user": user}
    now = timezone.now()
    if profile is not None and ProfileAccess.objects.filter(profile=profile, expires_at__gt=now, **holder).exists():
        return
    month_start, month_end = _month_bounds(now)
    if ProfileAccess.objects.filter(granted_at__gte=month_start, **holder).count() >= limit:
        raise AccessLimitReached(limit, month_end, by_team=team is not None)


def needs_confirmation(user, profile: Profile, team=None) -> bool:
    """True when viewing ``profile`` would open a new grant that counts against a monthly quota.

    Such a grant is spent, so it is opened only by an explicit POST (the page's "Open report" button,
    ``POST`` on the API's report URL), never by a GET that a prefetch or a link preview may send.
    Without a quota (``PROFILE_ACCESS_MONTHLY_LIMIT=0``), for staff, or while a grant is active, a
    GET opens or confirms the grant itself: that is free and idempotent (one row per 30 days).
    """
    if not settings.PROFILE_ACCESS_MONTHLY_LIMIT or user is None or user.is_staff:
        return False
    holder = {"team": team} if team is not None else {"user": user}
    return not ProfileAccess.objects.filter(profile=profile, expires_at__gt=timezone.now(), **holder).exists()


def ensure_access(user, profile: Profile, team=None) -> ProfileAccess:
    """Return the active access to ``profile`` for ``user`` (or ``team``), granting one on first view.

    ``team`` is ``sharing_team(request)``: with it, any teammate's grant serves and the quota is the
    team's; without it, the user's own. An expired grant is renewed in place. Raises
    ``AccessLimitReached`` when a grant is needed and the monthly quota is used up. The quota check
    and the grant run under a lock on the user row (the team row when shared), so two parallel first
    views cannot both slip under the limit.
    """
    by_team = team is not None
    holder = {"team": team} if by_team else {"user": user}
    now = timezone.now()
    access = ProfileAccess.objects.filter(profile=profile, **holder).order_by("-expires_at").first()
    if access is not None and access.expires_at > now:
        return access
    limit = settings.PROFILE_ACCESS_MONTHLY_LIMIT
    try:
        with transaction.atomic():
            if limit and not is_operator(user):
                locked = type(team) if by_team else get_user_model()
                locked.objects.select_for_update().filter(pk=(team if by_team else user).pk).first()
                month_start, month_end = _month_bounds(now)
                used = ProfileAccess.objects.filter(granted_at__gte=month_start, **holder).count()
                if used >= limit:
                    raise AccessLimitReached(limit, month_end, by_team=by_team)
            if access is not None:
                access.granted_at, access.expires_at = now, now + ProfileAccess.period()
                access.save(update_fields=["granted_at", "expires_at"])
                return access
            return ProfileAccess.objects.create(
                user=user, team=team, profile=profile, granted_at=now, expires_at=now + ProfileAccess.period()
            )
    except IntegrityError:  # a parallel first view of the same profile inserted it first
        return ProfileAccess.objects.get(user=user, team=team, profile=profile)
