"""Account pages: the signed-in user's API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenForm
from accounts.models import ApiToken


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
