"""Request-level guards that hold for every door: the Content-Security-Policy and the NUL-byte refusal.

Both sit in ``MIDDLEWARE`` (config/settings.py). The policy itself is ``CONTENT_SECURITY_POLICY`` in
settings (django-csp); this module only adds what one part of the site needs beyond it.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from csp.constants import UNSAFE_EVAL
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse

from config.middleware import SyncAndAsyncMiddleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with ``'unsafe-eval'`` for the admin only.

    unfold's admin runs Alpine.js, whose standard build evaluates ``x-data`` expressions with
    ``new Function``; our own pages and the API docs need no eval, so they do not get it. Inline
    scripts stay refused everywhere, which is what stops an injected ``<script>``.
    """

    ADMIN_PREFIX = "/admin/"

    def get_policy_parts(self, request: HttpRequest, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(self.ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), "script-src": [UNSAFE_EVAL]}
        return parts


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _json_has_nul(value) -> bool:
    """Any key or string anywhere in a decoded JSON document holds NUL (JSON spells it \\u0000)."""
    if isinstance(value, str):
        return _has_nul(value)
    if isinstance(value, dict):
        return any(_has_nul(key) or _json_has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(item) for item in value)
    return False


class RefuseNulMiddleware(SyncAndAsyncMiddleware):
    """400 for a NUL byte anywhere in the path, the query string, a form or a JSON body.

    PostgreSQL text cannot hold NUL: one that reaches a filter, a lookup by handle or a saved field
    fails inside the database driver as a 500. Forms and serializers already refuse NUL in the
    fields they declare (``ProhibitNullCharactersValidator``); this covers what reaches the ORM
    without one (URL kwargs, filter parameters, hand-read query strings).
    """

    MESSAGE = "NUL characters are not allowed in the request."

    def _refusal(self, request: HttpRequest):
        if _has_nul(request.path) or _has_nul(unquote_plus(request.META.get("QUERY_STRING", ""))):
            return self._bad_request(request)
        is_form = request.method == "POST" and request.content_type in FORM_TYPES
        if is_form and any(_has_nul(key) or any(map(_has_nul, values)) for key, values in request.POST.lists()):
            return self._bad_request(request)
        if request.content_type == "application/json" and b"\\u0000" in request.body:
            # Only bodies that spell NUL are decoded here; the view parses (and refuses bad JSON) itself.
            try:
                document = json.loads(request.body)
            except ValueError:
                return None
            if _json_has_nul(document):
                return self._bad_request(request)
        return None

    def _bad_request(self, request: HttpRequest):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": self.MESSAGE}, status=400)
        return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        return self._refusal(request) or self.get_response(request)

    async def _acall(self, request):
        return self._refusal(request) or await self.get_response(request)
