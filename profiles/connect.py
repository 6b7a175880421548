"""Creator connect pages: start Business Login for Instagram, take Meta's answer, honour its callbacks.

The team member who starts the flow is sent to Meta with a one-time ``state`` kept in their session;
the callback checks it, trades the code for a long-lived token (``scraping.audience.connect``) and
goes back to the creator's page. Meta's deauthorize and data-deletion callbacks are signed with the
app secret (``signed_request``); anything unsigned is a 400. Without ``META_APP_ID`` and
``META_APP_SECRET`` every one of these answers 404 and the page shows no connect button.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.teams import team_for_writing
from config.http import TransportError
from profiles.models import DataDeletionRequest, Profile
from scraping import audience
from scraping.instagram.meta import InvalidSignedRequest, MetaClient, parse_signed_request

logger = logging.getLogger(__name__)
SESSION_KEY = "instagram_connect"


def configured() -> bool:
    return bool(settings.META_APP_ID and settings.META_APP_SECRET)


def _require_configured() -> None:
    if not configured():
        raise Http404("Creator connect is not configured.")


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("profiles:instagram_callback"))


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the team member (or the creator, with them) to Meta to grant insights access."""
    _require_configured()
    profile = get_object_or_404(Profile.objects.restrict(request.user).filter(platform="instagram"), pk=pk)
    team_for_writing(request)
    state = audience.new_state()
    request.session[SESSION_KEY] = {"state": state, "profile": profile.pk}
    return HttpResponseRedirect(
        MetaClient.from_settings().authorize_url(redirect_uri=_redirect_uri(request), state=state)
    )


@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Meta's redirect back: ``code`` and our ``state``, or ``error`` when the creator declined."""
    _require_configured()
    pending = request.session.pop(SESSION_KEY, None) or {}
    if not pending or request.GET.get("state") != pending.get("state"):
        return render(
            request,
            "profiles/connect_failed.html",
            {"reason": "This sign-in link is stale or was not started here."},
            status=400,
        )
    profile = get_object_or_404(Profile.objects.restrict(request.user), pk=pending["profile"])
    back = reverse("profiles:profile", args=[profile.pk])
    if request.GET.get("error") or not request.GET.get("code"):
        messages.warning(request, f"Instagram access was not granted ({request.GET.get('error_reason') or 'no code'}).")
        return HttpResponseRedirect(back)
    team = team_for_writing(request)
    try:
        audience.connect(
            profile, request.GET["code"], redirect_uri=_redirect_uri(request), team=team, user=request.user
        )
    except TransportError as exc:
        logger.warning("instagram connect of %s failed: %s", profile, exc)
        messages.error(request, f"Meta did not complete the connection: {exc}. Try again later.")
        return HttpResponseRedirect(back)
    messages.success(request, f"Connected {profile.handle}'s Instagram insights; the first read runs within the hour.")
    return HttpResponseRedirect(back)


def _signed(request: HttpRequest) -> dict:
    try:
        return parse_signed_request(request.POST.get("signed_request", ""), settings.META_APP_SECRET)
    except InvalidSignedRequest as exc:
        logger.warning("Meta callback refused: %s", exc)
        raise


@csrf_exempt  # Meta posts here from its servers; the HMAC signature is the authentication.
@require_POST
def deauthorize(request: HttpRequest) -> HttpResponse:
    """The creator removed our app on Instagram: drop the token, keep the history, show it broken."""
    _require_configured()
    try:
        payload = _signed(request)
    except InvalidSignedRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    audience.deauthorize(str(payload.get("user_id", "")))
    return JsonResponse({"ok": True})


@csrf_exempt  # as above
@require_POST
def data_deletion(request: HttpRequest) -> HttpResponse:
    """Meta's data-deletion request: delete what we hold from Meta, answer ``{url, confirmation_code}``."""
    _require_configured()
    try:
        payload = _signed(request)
    except InvalidSignedRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    done = audience.delete_user_data(str(payload.get("user_id", "")))
    url = request.build_absolute_uri(reverse("profiles:instagram_deletion", args=[done.confirmation_code]))
    return JsonResponse({"url": url, "confirmation_code": done.confirmation_code})


@require_GET
def deletion_status(request: HttpRequest, code: str) -> HttpResponse:
    """The human-readable status page Meta links the creator to."""
    deletion = get_object_or_404(DataDeletionRequest, confirmation_code=code)
    return render(request, "profiles/deletion_status.html", {"deletion": deletion})
