"""Template tags of the outreach parts (contacts, lists, watches) that pages of other apps include.

Wiring, like the rest of ``config/templatetags``: it may import every app. Kept apart from
``creatorscope.py`` so the profile page and the navigation need one line each.
"""

from __future__ import annotations

from django import template

from accounts.teams import current_team
from config.querysets import CHANGE
from profiles.models import List
from watches.models import Event, EventKind, Watch

register = template.Library()

PROFILE_EVENTS = [
    EventKind.FOLLOWER_SPIKE,
    EventKind.FOLLOWER_DROP,
    EventKind.ENGAGEMENT_CHANGE,
    EventKind.SPONSORED_POST,
    EventKind.BRAND_MENTION,
]


def _writable(request, kind: str):
    team = current_team(request)
    if team is None:
        return List.objects.none()
    return List.objects.restrict(request.user, team=team, action=CHANGE).filter(kind=kind).order_by("name")


@register.simple_tag(takes_context=True)
def writable_lists(context, kind: str = List.Kind.CREATORS):
    """The current team's lists of ``kind`` that the user may add to (a bulk bar's choice)."""
    return list(_writable(context["request"], kind))


@register.inclusion_tag("profiles/_outreach.html", takes_context=True)
def creator_outreach(context, profile) -> dict:
    """The profile page's contacts (with sources), add-to-list form and watch button."""
    request = context["request"]
    team = current_team(request)
    watches = Watch.objects.filter(user=request.user, profile=profile) if team else Watch.objects.none()
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "profile": profile,
        "contacts": list(profile.contacts.order_by("kind", "id")),
        "lists": list(_writable(request, List.Kind.CREATORS)),
        "watches": list(watches),
        "events": [(kind.value, kind.label) for kind in PROFILE_EVENTS],
        "can_write": team is not None,
    }


@register.simple_tag(takes_context=True)
def unread_events(context) -> int:
    """The signed-in user's unread inbox count (the navigation shows it)."""
    user = context["request"].user
    return Event.objects.restrict(user).unread().count() if user.is_authenticated else 0
