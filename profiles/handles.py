"""What each platform accepts as a username: one rule for the API's paths and the admin's imports."""

from __future__ import annotations

import re

from profiles.models import Platform

# Instagram 1-30 of [A-Za-z0-9._]; Reddit 3-20 of [A-Za-z0-9_-]. A value that cannot be a real
# account is refused where it arrives, never looked up or stored.
HANDLE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    Platform.INSTAGRAM: (
        re.compile(r"[A-Za-z0-9._]{1,30}"),
        "An Instagram handle is 1-30 letters, digits, periods or underscores.",
    ),
    Platform.REDDIT: (
        re.compile(r"[A-Za-z0-9_-]{3,20}"),
        "A Reddit username is 3-20 letters, digits, underscores or hyphens.",
    ),
}


def handle_errors(platform: str, handle: str) -> dict[str, str]:
    """``{}`` when ``handle`` can name an account on ``platform``; else one message per bad field."""
    rule = HANDLE_RULES.get(platform)
    if rule is None:
        return {"platform": f"Unknown platform {platform!r}; expected one of {', '.join(Platform.values)}."}
    pattern, message = rule
    return {} if pattern.fullmatch(handle) else {"handle": message}
