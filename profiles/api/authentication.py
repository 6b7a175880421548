"""Token authentication that reads a creator report's lookup in the same query as the token."""

from __future__ import annotations

from django.db import models
from drf_spectacular.drainage import set_override
from rest_framework.request import Request

from config.api.authentication import TokenAuthentication
from profiles.models import Profile
from profiles.querysets import REPORT_LOOKUP_FIELDS, attach_viewer, report_join


class ReportTokenAuthentication(TokenAuthentication):
    """The API's token authentication; on ``…/profiles/{platform}/{handle}/…`` it also reads the report's lookup.

    Every report view, cached or not, looks the creator up with the viewer's access and favorite
    (``ProfileQuerySet.for_report``) right after authentication looked the token up: two round
    trips to PostgreSQL, where a cached report needs nothing else from the database. This class
    asks for both in one statement (``profiles.querysets.report_join``) and leaves the lookup on
    the request, where ``ProfileReportMixin.get_profile`` takes it. Answers and errors are the
    plain class's; the tests compare the two. The lookup needs no ``restrict(user)`` here: the
    token's user is signed in, and every signed-in user may read collected creators.
    """

    def authenticate(self, request: Request):
        self.request = request
        return super().authenticate(request)

    def find_token(self, key: str) -> models.Model | None:
        kwargs = (self.request.parser_context or {}).get("kwargs") or {}
        platform, handle = kwargs.get("platform"), kwargs.get("handle")
        if not (isinstance(platform, str) and isinstance(handle, str)):
            return super().find_token(key)
        join = report_join(Profile, Profile.objects.db, REPORT_LOOKUP_FIELDS)
        found = self.fetch_token(key, join, [platform, handle.lower()])
        if found is None:
            return None
        token, (profile,), extras = found
        self.request.report_lookup = attach_viewer(profile, extras)  # None: no such creator
        return token


# To a client both token classes are one security scheme ("tokenAuth": "Authorization: Token …"), so
# the schema names it once instead of warning that two classes share the name.
set_override(ReportTokenAuthentication, "suppress_collision_warning", True)
