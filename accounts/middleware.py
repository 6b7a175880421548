"""Two-factor sign-in for everyone when staff require it (``MFA_REQUIRED``)."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.adapters import SECOND_FACTORS

# Where a user without an authenticator may still go: setting one up, signing out, and the
# resources those pages load. The API is left alone: tokens are issued by the token endpoint.
_ALLOWED_URL_NAMES = ("mfa_activate_totp", "mfa_add_webauthn", "account_logout", "account_reauthenticate")
_ALLOWED_PREFIXES = ("/static/", "/api/", "/health", "/ready", "/metrics")


class MFARequiredMiddleware:
    """Sends a signed-in user without a second factor (TOTP or a security key) to the TOTP setup page
    before anything else.

    The answer is remembered in the session once the user has an authenticator, so this costs one
    query per session, not per request.
    """

    SESSION_KEY = "mfa_set_up"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_set_up(request):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up(self, request: HttpRequest) -> bool:
        if not settings.MFA_REQUIRED or not request.user.is_authenticated:
            return False
        if request.session.get(self.SESSION_KEY) or request.path.startswith(_ALLOWED_PREFIXES):
            return False
        if request.path in {reverse(name) for name in _ALLOWED_URL_NAMES}:
            return False
        if Authenticator.objects.filter(user=request.user, type__in=SECOND_FACTORS).exists():
            request.session[self.SESSION_KEY] = True
            return False
        return True
