"""Sign-in policy shared by every door: pages, admin and the token endpoint.

django-axes calls these (settings ``AXES_*_CALLABLE``): which client address an attempt comes from,
which account it counts against, and the answer once that account or address is locked out.
"""

from __future__ import annotations

import math
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address ``TRUSTED_PROXY_COUNT`` proxies vouch for: allauth's rule, so its
    rate limits and axes agree on who the client is. None for a request without any (a signal sent
    outside a request)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt counts against, whether it named the username or the e-mail address.

    Without this, "ana" and "ana@example.com" would be two counters and the limit twice as high.
    """
    credentials = credentials or {}
    identifier = credentials.get("username") or credentials.get("email") or credentials.get("login")
    if not identifier:
        return None
    identifier = identifier.strip()
    User = get_user_model()
    users = User.objects.filter(is_active=True)
    if "@" in identifier:
        user = (
            users.filter(emailaddress__email__iexact=identifier).first()
            or users.filter(email__iexact=identifier).first()
        )
    else:
        user = users.filter(username__iexact=identifier).first()
    return user.get_username() if user else identifier.lower()


def lockout_message() -> str:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return (
        f"Too many failed sign-ins for this account or from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 with the wait time: JSON for the API, the sign-in layout for pages.

    Every refused attempt restarts the wait (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so
    the full window is the true answer.
    """
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": retry_after})
    response = render(request, "account/lockout.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
    return response
