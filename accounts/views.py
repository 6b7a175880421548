"""Account pages: API tokens, the team's audit trail for its owners, teams (switch, create, members) and invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import audit, invitations
from accounts.forms import ApiTokenForm, InviteForm, RoleForm, TeamForm
from accounts.models import ApiToken, AuditEntry, Invitation, InvitationError, Membership
from accounts.teams import NO_TEAM, current_team, membership_of, memberships, switch_team

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


def _next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    """GET: the user's teams and a form to create one; POST: switch the current team (the nav's switcher)."""
    if request.method == "POST":
        membership = Membership.objects.filter(user=request.user, team__slug=request.POST.get("team", "")).first()
        if membership is None:
            raise PermissionDenied("You are not a member of that team.")
        switch_team(request, membership.team)
        messages.success(request, f"Now working in {membership.team.name}.")
        return HttpResponseRedirect(_next(request))
    return render(
        request,
        "accounts/teams.html",
        {"memberships": memberships(request.user), "current": current_team(request), "form": TeamForm()},
    )


@login_required
@require_POST
def create_team(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/teams.html",
            {"memberships": memberships(request.user), "current": current_team(request), "form": form},
            status=400,
        )
    with transaction.atomic():
        team = form.save()
        Membership.objects.create(team=team, user=request.user, role=Membership.Role.OWNER)
    switch_team(request, team)
    messages.success(request, f"Created {team.name}; you are its owner.")
    return redirect("accounts:members")


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """The current team's members and pending invitations; owners and managers invite, owners change roles."""
    membership = membership_of(request.user, current_team(request))
    if membership is None:
        raise PermissionDenied(NO_TEAM)
    team = membership.team
    invite_form = InviteForm(inviter=membership)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite":
            if not membership.can_edit:
                raise PermissionDenied("Only the team's owners and managers may invite.")
            invite_form = InviteForm(request.POST, inviter=membership)
            if invite_form.is_valid():
                data = invite_form.cleaned_data
                invitations.invite(request, team, data["email"], data["role"])
                messages.success(request, f"Invitation sent to {data['email']}.")
                return redirect("accounts:members")
            status = 400
        elif action in ("role", "remove"):
            if membership.role != Membership.Role.OWNER:
                raise PermissionDenied("Only the team's owners may change roles or remove members.")
            form = RoleForm(request.POST if action == "role" else {**request.POST.dict(), "role": "viewer"})
            if not form.is_valid():
                return HttpResponse("Invalid member or role.", status=400)
            target = get_object_or_404(Membership, team=team, pk=form.cleaned_data["member"])
            if _last_owner(target) and (action == "remove" or form.cleaned_data["role"] != Membership.Role.OWNER):
                messages.error(request, "A team keeps at least one owner.")
            elif action == "remove":
                target.delete()
                messages.success(request, f"Removed {target.user} from {team.name}.")
            else:
                target.role = form.cleaned_data["role"]
                target.save(update_fields=["role"])
                messages.success(request, f"{target.user} is now {target.get_role_display()}.")
            return redirect("accounts:members")
        else:
            return HttpResponse("Unknown action.", status=400)
    context = {
        "team": team,
        "membership": membership,
        "members": team.memberships.select_related("user").order_by("created_at"),
        "pending": team.invitations.filter(accepted_at__isnull=True).select_related("invited_by"),
        "invite_form": invite_form,
        "roles": Membership.Role.choices,
    }
    return render(request, "accounts/members.html", context, status=status)


def _last_owner(membership: Membership) -> bool:
    if membership.role != Membership.Role.OWNER:
        return False
    return not Membership.objects.filter(team=membership.team, role=Membership.Role.OWNER).exclude(pk=membership.pk)


def invitation(request: HttpRequest, key: str) -> HttpResponse:
    """GET: what the invitation offers (anonymous visitors go to sign up first); POST: accept it."""
    found = Invitation.for_key(key)
    if found is None:
        return render(request, "accounts/invitation.html", {"error": "This invitation link is not valid."}, status=404)
    try:
        found.check_usable()
    except InvitationError as exc:
        return render(request, "accounts/invitation.html", {"error": str(exc)}, status=400)
    if not request.user.is_authenticated:
        request.session[invitations.SESSION_KEY] = key
        messages.info(request, f"Sign up or sign in to join {found.team.name}.")
        return HttpResponseRedirect(f"{invitations.signup_url()}?next=/")
    if request.method == "POST":
        try:
            membership = invitations.accept(request, found, request.user)
        except InvitationError as exc:
            return render(request, "accounts/invitation.html", {"error": str(exc)}, status=400)
        messages.success(request, f"You joined {membership.team.name} as {membership.get_role_display()}.")
        return HttpResponseRedirect(reverse("accounts:members"))
    return render(request, "accounts/invitation.html", {"invitation": found})
