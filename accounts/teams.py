"""Which team a request works in, and a user's place in a team.

``current_team(request)`` is the one answer pages, the API and the scoping bases use. In order:
the token's team (a token bound to a team wins), an ``X-Team`` header (a team slug; a team the user
is not a member of is refused with 403), the team chosen in the session (the nav's switcher), then
the user's oldest membership. ``None`` for anonymous users and users of no team.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction

from accounts.models import Membership, Team

SESSION_KEY = "team_id"
HEADER = "X-Team"
_CACHE_ATTR = "_current_team"
_USER_ATTR = "_cs_memberships"  # on the user object, like django.contrib.auth's _perm_cache
# Between requests the memberships wait in the cache; every change of a membership or a team drops
# them at once (forget_memberships, connected in AccountsConfig.ready), so the TTL is only a backstop.
MEMBERSHIPS_TTL = 300


def membership_of(user, team: Team | None) -> Membership | None:
    """The user's membership of ``team``, or ``None`` (anonymous, no team, or not a member)."""
    if team is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, team=team).select_related("team").first()


def memberships(user) -> list[Membership]:
    """The user's memberships, oldest first (the order ``current_team`` falls back on), read now."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user).select_related("team").order_by("created_at", "id"))


def _cache_key(user) -> str:
    # The sign-up time beside the id: a restored or recreated database that hands an id to someone
    # else (a test run after another) never reads the previous holder's memberships.
    joined = getattr(user, "date_joined", None)
    return f"memberships:{user.pk}:{joined.timestamp() if joined else ''}"


def user_memberships(user) -> list[Membership]:
    """``memberships(user)`` as every request reads it: once per user object (``request.user`` is one per
    request) and, between requests, from the cache until a membership or team changes.

    Every scoped query, the current team and the nav's switcher ask this; before, each request read
    the memberships from the database at least once (bench/bench_api.py, docs/performance.md).
    """
    if not getattr(user, "is_authenticated", False):
        return []
    found = user.__dict__.get(_USER_ATTR)
    if found is None:
        key = _cache_key(user)
        found = cache.get(key)
        if found is None:
            found = memberships(user)
            cache.set(key, found, MEMBERSHIPS_TTL)
        user.__dict__[_USER_ATTR] = found
    return found


def forget_memberships(users) -> None:
    """Drop the cached memberships of these users now and again after the transaction commits (a
    request reading between the two would otherwise cache the old rows for the whole TTL)."""
    keys = [_cache_key(user) for user in users]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def on_membership_changed(sender, instance: Membership, **kwargs) -> None:
    try:
        user = instance.user
    except ObjectDoesNotExist:  # deleted with its user: nobody reads that key again
        return
    user.__dict__.pop(_USER_ATTR, None)  # the object that saved it reads again too
    forget_memberships([user])


def on_team_changed(sender, instance: Team, **kwargs) -> None:
    # The cached memberships carry their team (name and slug): a renamed team reaches its members.
    forget_memberships([m.user for m in Membership.objects.filter(team_id=instance.pk).select_related("user")])


def request_memberships(request) -> list[Membership]:
    """The request user's memberships (the nav's switcher and ``current_team`` share them)."""
    return user_memberships(getattr(request, "user", None))


def current_team(request) -> Team | None:
    """The team this request works in (see the module docstring); cached on the request per user."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    team = _resolve(request, user)
    setattr(request, _CACHE_ATTR, (user.pk, team))
    return team


def current_membership(request) -> Membership | None:
    """The user's membership of the current team (read with the request's memberships: no extra query)."""
    team = current_team(request)
    return next((m for m in request_memberships(request) if team and m.team_id == team.pk), None)


def _resolve(request, user) -> Team | None:
    mine = request_memberships(request)
    by_id = {m.team_id: m.team for m in mine}
    slug = request.headers.get(HEADER, "").strip()
    token_team = getattr(getattr(request, "auth", None), "team", None)
    if token_team is not None:
        if token_team.pk not in by_id:
            raise PermissionDenied(f"This token is bound to “{token_team.slug}”, a team you are no longer a member of.")
        if slug and slug != token_team.slug:
            raise PermissionDenied(f"This token is bound to the team “{token_team.slug}”.")
        return by_id[token_team.pk]
    if slug:
        chosen = next((team for team in by_id.values() if team.slug == slug), None)
        if chosen is None:
            raise PermissionDenied(f"You are not a member of the team “{slug}”.")
        return chosen
    session = getattr(request, "session", None)
    team_id = session.get(SESSION_KEY) if session is not None else None
    if team_id is not None:
        if team_id in by_id:
            return by_id[team_id]
        session.pop(SESSION_KEY, None)  # removed from that team since: fall back quietly
    return mine[0].team if mine else None


def switch_team(request, team: Team) -> None:
    """Make ``team`` the session's current team; the caller has checked the membership."""
    request.session[SESSION_KEY] = team.pk
    if hasattr(request, _CACHE_ATTR):
        delattr(request, _CACHE_ATTR)
    user = getattr(request, "user", None)  # a sign-in signal's request may have none yet
    if user is not None:
        user.__dict__.pop(_USER_ATTR, None)  # read again: the user may have just joined it


NO_TEAM = "Join or create a team first."
VIEWER_READS_ONLY = "Viewers read the team's work but cannot add to it."
AUTHOR_OR_EDITOR = "Only the author or the team's owners and managers may change this."


def team_for_writing(request) -> Team:
    """The current team when the user may add rows to it; else ``PermissionDenied`` with the reason."""
    team = current_team(request)
    if team is None:
        raise PermissionDenied(NO_TEAM)
    membership = current_membership(request)
    if membership is None or not membership.can_write:
        raise PermissionDenied(VIEWER_READS_ONLY)
    return team


def check_can(user, row, action: str) -> None:
    """``PermissionDenied`` unless ``user`` may ``action`` (change/delete) ``row``, which they can see."""
    if not type(row).objects.all().can(user, row, action):
        raise PermissionDenied(AUTHOR_OR_EDITOR)
