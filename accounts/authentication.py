"""The API's token authentication: knox's class, with the token's use recorded and its scope enforced.

The ``DEFAULT_AUTHENTICATION_CLASSES`` entry. DRF imports it while ``rest_framework.views`` is still
being imported, so it must not import views or drf-spectacular.
"""

from __future__ import annotations

from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from knox import auth
from knox.crypto import hash_token
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

# The header a client names its team in (``accounts.teams.current_team`` reads it too).
TEAM_HEADER = "X-Team"


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token <value>`` through knox (digest lookup, expiry), plus three things:

    - ``last_used`` is recorded, at most once per ``ApiToken.LAST_USED_RESOLUTION``;
    - an expired token answers 401 "Token expired …" and stays listed (knox would delete it, and
      on every request also read all the user's other tokens to delete their expired ones: one
      more query per request, for housekeeping nobody waits on);
    - a token bound to a team refuses an ``X-Team`` header naming another team (403).
    """

    def authenticate_credentials(self, token: bytes):
        self.expired = None
        try:
            return super().authenticate_credentials(token)
        except AuthenticationFailed:
            plain = token.decode("utf-8", "replace")
            if self.expired is not None and compare_digest(hash_token(plain), self.expired.digest):
                raise AuthenticationFailed(
                    _("Token expired on %(date)s; create a new one.") % {"date": self.expired.expiry.date()}
                ) from None
            raise

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.is_expired:
            self.expired = auth_token
            return True
        return False

    def validate_user(self, auth_token):
        user, auth_token = super().validate_user(auth_token)
        auth_token.touch()
        return user, auth_token

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            self.check_team(request, found[1])
        return found

    def check_team(self, request, token) -> None:
        wanted = request.headers.get(TEAM_HEADER)
        if wanted and token.team_id is not None and token.team.slug != wanted:
            raise PermissionDenied(
                f'This token is scoped to the team "{token.team.slug}"; it cannot act for "{wanted}".'
            )
