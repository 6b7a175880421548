"""Account pages: the team's audit trail for its owners."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import audit
from accounts.models import AuditEntry, Membership

PAGE_SIZE = 50


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The current team's trail, newest first, filtered by action and member; owners only."""
    team = audit.acting_team(request.user, request)
    if team is None:
        raise PermissionDenied("Join or create a team first.")
    is_owner = Membership.objects.filter(team=team, user=request.user, role=Membership.Role.OWNER).exists()
    if not (is_owner or request.user.is_superuser):
        raise PermissionDenied("Only the team's owners read its audit trail.")
    members = get_user_model().objects.filter(memberships__team=team).order_by("username")
    entries = AuditEntry.objects.for_team(team).select_related("target_type")
    action = request.GET.get("action", "")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    user_id = request.GET.get("user", "")
    if user_id.isdigit():
        entries = entries.filter(actor_id=int(user_id))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_trail.html",
        {
            "team": team,
            "page": page,
            "query": query.urlencode(),
            "actions": AuditEntry.Action.choices,
            "action": action,
            "members": members,
            "user_id": user_id,
        },
    )
