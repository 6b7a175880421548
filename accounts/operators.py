"""Who may run operations: stop and start scrapers, read scrape runs, system logs and stats, watch the
live monitor, edit the beat schedule.

Staff status (``is_staff``) only opens the admin site, and analysts need it for their admin work; it
says nothing about operations. Operations need the ``accounts.operate`` permission, which the "Staff"
group carries (``profiles/groups.py``) and superusers have. ``is_operator`` is the one check every door
asks: the API (``config.api.viewsets.IsOperator``), the pages (``operator_required``), the SSE stream
and the websocket (``is_operator_now``, on connect and before every message), and the operations
admin (``config.admin.OperationsAdminMixin``).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

OPERATE = "accounts.operate"
REFUSED = "Operations need the Staff role; staff status alone opens admin, not operations."


def is_operator(user: Any) -> bool:
    """Whether ``user`` may run operations (the ``accounts.operate`` permission; superusers have it)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(OPERATE))


def is_operator_now(user: Any, session: Any = None) -> bool:
    """``is_operator`` on the user as the database holds it now (roles and activity change while a
    stream or socket stays open), and only while the session it signed in with still exists."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if session is not None and session.session_key and not session.exists(session.session_key):
        return False  # signed out (the session was deleted) since the stream or socket opened
    fresh = get_user_model().objects.filter(pk=user.pk).first()
    return fresh is not None and is_operator(fresh)


def operator_required(view):
    """A page for operators: anonymous visitors to the sign-in page, everyone else 403 with the reason."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_operator(request.user):
            raise PermissionDenied(REFUSED)
        return view(request, *args, **kwargs)

    return wrapped
