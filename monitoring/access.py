"""Who may watch the monitor: active staff whose session is still valid."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model


def is_staff_still(user: Any, session: Any = None) -> bool:
    """Re-read the user from the database (staff flags change) and, if a session was used, check it still exists.

    ``user`` is the one resolved at connect time; reading the row again is one indexed query, cheap
    next to the message it guards.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if session is not None and session.session_key and not session.exists(session.session_key):
        return False  # logged out (the session was deleted) since the socket opened
    return get_user_model().objects.filter(pk=user.pk, is_active=True, is_staff=True).exists()
