"""Creator connect pages: start Meta's login, take Meta's answer, honour its callbacks.

Two logins, each on when its app id and secret are set: Business Login for Instagram
(``META_APP_ID``) and Facebook Login for Business, the Page-linked path (``META_FACEBOOK_APP_ID``).
The Facebook callback reads the granted Pages: the one whose Instagram business account is the
creator's is connected at once; several candidates (or one with another username) go to a choice
page, the grant kept in the session encrypted until the user picks; no Page with an Instagram
account is a clear message and nothing stored.

The team member who starts the flow is sent to Meta with a one-time ``state`` kept in their session;
the callback checks it, trades the code for a long-lived token (``scraping.audience.connect``) and
goes back to the creator's page. Meta's deauthorize and data-deletion callbacks are signed with the
app secret (``signed_request``); anything unsigned is a 400. Without ``META_APP_ID`` and
``META_APP_SECRET`` every one of these answers 404 and the page shows no connect button.
"""

from __future__ import annotations

import json
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
from config.fields import fernet
from config.http import TransportError
from profiles.models import ConnectionLogin, DataDeletionRequest, Profile
from scraping import audience
from scraping.instagram.meta import InvalidSignedRequest, MetaClient, parse_signed_request

logger = logging.getLogger(__name__)
SESSION_KEY = "instagram_connect"
FACEBOOK_SESSION_KEY = "facebook_connect"
CHOICE_SESSION_KEY = "facebook_connect_choice"
CALLBACKS = {
    ConnectionLogin.INSTAGRAM: "profiles:instagram_callback",
    ConnectionLogin.FACEBOOK: "profiles:facebook_callback",
}


def instagram_configured() -> bool:
    return bool(settings.META_APP_ID and settings.META_APP_SECRET)


def facebook_configured() -> bool:
    return bool(settings.META_FACEBOOK_APP_ID and settings.META_FACEBOOK_APP_SECRET)


def configured() -> bool:
    return instagram_configured() or facebook_configured()


def logins() -> list[str]:
    """The logins a creator may connect through, for the profile page's buttons."""
    return [
        login
        for login, on in (
            (ConnectionLogin.INSTAGRAM, instagram_configured()),
            (ConnectionLogin.FACEBOOK, facebook_configured()),
        )
        if on
    ]


def _require_configured(login: str = ConnectionLogin.INSTAGRAM) -> None:
    if not (facebook_configured() if login == ConnectionLogin.FACEBOOK else instagram_configured()):
        raise Http404("Creator connect is not configured.")


def _redirect_uri(request: HttpRequest, login: str = ConnectionLogin.INSTAGRAM) -> str:
    return request.build_absolute_uri(reverse(CALLBACKS[login]))


def _start(request: HttpRequest, pk: int, login: str) -> HttpResponse:
    _require_configured(login)
    profile = get_object_or_404(Profile.objects.restrict(request.user).filter(platform="instagram"), pk=pk)
    team_for_writing(request)
    state = audience.new_state()
    key = FACEBOOK_SESSION_KEY if login == ConnectionLogin.FACEBOOK else SESSION_KEY
    request.session[key] = {"state": state, "profile": profile.pk}
    client = MetaClient.for_login(login)
    return HttpResponseRedirect(client.authorize_url(redirect_uri=_redirect_uri(request, login), state=state))


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the team member (or the creator, with them) to Instagram to grant insights access."""
    return _start(request, pk, ConnectionLogin.INSTAGRAM)


@login_required
@require_POST
def start_facebook(request: HttpRequest, pk: int) -> HttpResponse:
    """The same through Facebook Login for Business (an Instagram account linked to a Facebook Page)."""
    return _start(request, pk, ConnectionLogin.FACEBOOK)


def _stale(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "profiles/connect_failed.html",
        {"reason": "This sign-in link is stale or was not started here."},
        status=400,
    )


def _returned(request: HttpRequest, key: str, platform: str) -> tuple[Profile | None, str, HttpResponse | None]:
    """Meta's redirect back: the creator of our one-time ``state``, where to go back, or the answer already."""
    pending = request.session.pop(key, None) or {}
    if not pending or request.GET.get("state") != pending.get("state"):
        return None, "", _stale(request)
    profile = get_object_or_404(Profile.objects.restrict(request.user), pk=pending["profile"])
    back = reverse("profiles:profile", args=[profile.pk])
    if request.GET.get("error") or not request.GET.get("code"):
        reason = request.GET.get("error_reason") or "no code"
        messages.warning(request, f"{platform} access was not granted ({reason}).")
        return profile, back, HttpResponseRedirect(back)
    return profile, back, None


@login_required
@require_GET
def facebook_callback(request: HttpRequest) -> HttpResponse:
    """Facebook's redirect back: find the granted Page whose Instagram account is the creator's."""
    _require_configured(ConnectionLogin.FACEBOOK)
    profile, back, answered = _returned(request, FACEBOOK_SESSION_KEY, "Facebook")
    if answered is not None:
        return answered
    team = team_for_writing(request)
    try:
        grant = audience.facebook_grant(
            request.GET["code"], redirect_uri=_redirect_uri(request, ConnectionLogin.FACEBOOK)
        )
    except audience.NoInstagramAccount as exc:
        messages.error(request, f"{exc} Link the Instagram account to a Page in its settings, then try again.")
        return HttpResponseRedirect(back)
    except TransportError as exc:
        logger.warning("facebook connect of %s failed: %s", profile, exc)
        messages.error(request, f"Meta did not complete the connection: {exc}. Try again later.")
        return HttpResponseRedirect(back)
    page = grant.matching(profile.handle)
    if page is not None:
        audience.connect_page(profile, grant, page, team=team, user=request.user)
        messages.success(
            request,
            f"Connected @{page.ig_username or profile.handle} through the Page {page.page_name}; the first read runs within the hour.",
        )
        return HttpResponseRedirect(back)
    # Several Instagram accounts, or one that is not this creator's by name: the user picks.
    request.session[CHOICE_SESSION_KEY] = {
        "profile": profile.pk,
        "grant": fernet().encrypt(json.dumps(grant.to_dict()).encode()).decode(),
    }
    return render(request, "profiles/connect_choose.html", {"profile": profile, "pages": grant.candidates})


@login_required
@require_POST
def facebook_choose(request: HttpRequest) -> HttpResponse:
    """The user's pick among the granted Pages' Instagram accounts."""
    _require_configured(ConnectionLogin.FACEBOOK)
    pending = request.session.pop(CHOICE_SESSION_KEY, None) or {}
    if not pending:
        return _stale(request)
    profile = get_object_or_404(Profile.objects.restrict(request.user), pk=pending["profile"])
    grant = audience.FacebookGrant.from_dict(json.loads(fernet().decrypt(pending["grant"].encode())))
    page = next((p for p in grant.candidates if p.page_id == request.POST.get("page_id")), None)
    back = reverse("profiles:profile", args=[profile.pk])
    if page is None:
        messages.warning(request, "No Instagram account was chosen; nothing was connected.")
        return HttpResponseRedirect(back)
    audience.connect_page(profile, grant, page, team=team_for_writing(request), user=request.user)
    messages.success(request, f"Connected @{page.ig_username} through the Page {page.page_name}.")
    return HttpResponseRedirect(back)


@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Meta's redirect back: ``code`` and our ``state``, or ``error`` when the creator declined."""
    _require_configured()
    profile, back, answered = _returned(request, SESSION_KEY, "Instagram")
    if answered is not None:
        return answered
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


def _signed(request: HttpRequest, login: str) -> dict:
    secret = settings.META_FACEBOOK_APP_SECRET if login == ConnectionLogin.FACEBOOK else settings.META_APP_SECRET
    try:
        return parse_signed_request(request.POST.get("signed_request", ""), secret)
    except InvalidSignedRequest as exc:
        logger.warning("Meta callback refused: %s", exc)
        raise


@csrf_exempt  # Meta posts here from its servers; the HMAC signature is the authentication.
@require_POST
def deauthorize(request: HttpRequest, login: str = ConnectionLogin.INSTAGRAM) -> HttpResponse:
    """The creator removed our app on Instagram (or Facebook): drop the token, keep the history, show it broken."""
    _require_configured(login)
    try:
        payload = _signed(request, login)
    except InvalidSignedRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    audience.deauthorize(str(payload.get("user_id", "")), login)
    return JsonResponse({"ok": True})


@csrf_exempt  # as above
@require_POST
def data_deletion(request: HttpRequest, login: str = ConnectionLogin.INSTAGRAM) -> HttpResponse:
    """Meta's data-deletion request: delete what we hold from Meta, answer ``{url, confirmation_code}``."""
    _require_configured(login)
    try:
        payload = _signed(request, login)
    except InvalidSignedRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    done = audience.delete_user_data(str(payload.get("user_id", "")), login)
    url = request.build_absolute_uri(reverse("profiles:instagram_deletion", args=[done.confirmation_code]))
    return JsonResponse({"url": url, "confirmation_code": done.confirmation_code})


@require_GET
def deletion_status(request: HttpRequest, code: str) -> HttpResponse:
    """The human-readable status page Meta links the creator to."""
    deletion = get_object_or_404(DataDeletionRequest, confirmation_code=code)
    return render(request, "profiles/deletion_status.html", {"deletion": deletion})
