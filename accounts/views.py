"""Account pages: the signed-in user's API tokens, and the team's audit trail for its owners."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.forms import ApiTokenForm
from accounts.models import ApiToken, AuditEntry, Membership

AUDIT_PAGE_SIZE = 50


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens and create one; a new token's value is on this answer only."""
    plain = None
    form = ApiTokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, plain = ApiToken.objects.issue(request.user, data["name"], team=data["team"], request=request)
        form = ApiTokenForm(user=request.user)
    listed = ApiToken.objects.filter(user=request.user).select_related("team")
    response = render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": listed, "plain": plain, "token_days": settings.API_TOKEN_DAYS},
    )
    if plain:
        response["Cache-Control"] = "no-store"  # the value must not outlive this page in a cache
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoke(actor=request.user, request=request)
    messages.success(request, f"Token “{token.name}” revoked: it no longer signs in.")
    return redirect("accounts:tokens")


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
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
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
