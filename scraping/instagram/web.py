"""Provider ``web``: Instagram's own JSON, fetched through a proxy provider.

Endpoints (paths as Instagram serves them; the provider's base URL replaces Instagram's host):
``GET /api/v1/users/web_profile_info/?username=`` (profile and first timeline page),
``GET /api/v1/feed/user/{id}/?count=&max_id=`` (feed, mobile item shape),
``POST /api/v1/clips/user/`` (reels with play counts) and
``GET /graphql/query/?query_hash=&variables=`` (timeline pages, ``edge_owner_to_timeline_media``).

Some providers wrap the answer, e.g. Decodo's ``{"results": [{"content": {...}, "status_code": 200}]}``;
``INSTAGRAM_RESPONSE_ENVELOPE`` names the dotted path to Instagram's JSON inside it. An inner
``status_code`` is classified like an HTTP status, so a wrapped 404 is still "not found".
"""

from __future__ import annotations

import json
from typing import Any

from config.http import PermanentError
from scraping import http
from scraping.instagram import parse
from scraping.schemas import Page, ProfileData, dig

# Instagram's public web app id; the web endpoints answer 400 without it.
IG_APP_ID = "936619743392459"
# The user-timeline GraphQL query (the hash instaloader uses for edge_owner_to_timeline_media).
TIMELINE_QUERY_HASH = "003056d32c2554def87228bc3fd9668a"
PAGE_SIZE = 12


def unwrap(payload: Any, envelope: str, upstream: http.Upstream) -> Any:
    """Take Instagram's JSON out of a provider envelope such as ``results.0.content``."""
    if not envelope:
        return payload
    parent: Any = None
    node = payload
    for step in envelope.split("."):
        parent = node
        key: str | int = int(step) if step.isdigit() else step
        node = dig(node, key)
        if node is None:
            raise PermanentError(
                f"answer has no {envelope!r} envelope", upstream=upstream.name, reason="bad_envelope", body=payload
            )
    inner_status = dig(parent, "status_code")
    if isinstance(inner_status, int) and inner_status >= 400:
        raw = node if isinstance(node, str) else json.dumps(node)
        http.classify(upstream, inner_status, {}, raw.encode())
    if isinstance(node, str):
        # Some providers deliver the page as a JSON string inside their JSON.
        return http.classify(upstream, 200, {}, node.encode())
    return node


class WebProvider:
    """Instagram web/mobile JSON through a proxy provider."""

    name = "web"

    def __init__(
        self,
        *,
        base_url: str,
        upstream: http.Upstream,
        headers: dict[str, str] | None = None,
        envelope: str = "",
        stats: http.CallStats | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.upstream = upstream
        self.headers = {"X-IG-App-ID": IG_APP_ID, **(headers or {})}
        self.envelope = envelope
        self.stats = stats if stats is not None else http.CallStats()

    @classmethod
    def from_settings(cls, stats: http.CallStats | None = None) -> WebProvider:
        from django.conf import settings

        return cls(
            base_url=settings.INSTAGRAM_BASE_URL,
            upstream=http.Upstream.from_settings(
                "instagram", requests_per_minute=settings.INSTAGRAM_REQUESTS_PER_MINUTE
            ),
            headers={str(k): str(v) for k, v in settings.INSTAGRAM_PROVIDER_HEADERS.items()},
            envelope=settings.INSTAGRAM_RESPONSE_ENVELOPE,
            stats=stats,
        )

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, data: Any = None) -> Any:
        response = http.request(
            self.upstream,
            method,
            f"{self.base_url}{path}",
            params=params,
            data=data,
            headers=self.headers,
            stats=self.stats,
        )
        return unwrap(response.data, self.envelope, self.upstream)

    def profile(self, username: str) -> tuple[ProfileData, Page]:
        payload = self._call("GET", "/api/v1/users/web_profile_info/", params={"username": username})
        profile, page = parse.parse_web_profile_page(payload or {})
        if profile is None or not profile.handle:
            raise PermanentError(f"@{username} does not exist", upstream=self.upstream.name, reason="not_found")
        return profile, page

    def posts(self, profile: ProfileData, cursor: str = "") -> Page:
        """Feed page in the mobile item shape (has like/view counts and carousel children)."""
        params: dict[str, Any] = {"count": PAGE_SIZE}
        if cursor:
            params["max_id"] = cursor
        return parse.parse_mobile_page(
            self._call("GET", f"/api/v1/feed/user/{profile.external_id}/", params=params) or {}
        )

    def timeline(self, profile: ProfileData, cursor: str = "") -> Page:
        """GraphQL timeline page (``edge_owner_to_timeline_media``)."""
        variables = {"id": profile.external_id, "first": PAGE_SIZE}
        if cursor:
            variables["after"] = cursor
        payload = self._call(
            "GET", "/graphql/query/", params={"query_hash": TIMELINE_QUERY_HASH, "variables": json.dumps(variables)}
        )
        return parse.parse_timeline(dig(payload, "data", "user", default={}))

    def reels(self, profile: ProfileData, cursor: str = "") -> Page:
        data = {"target_user_id": profile.external_id, "page_size": PAGE_SIZE, "include_feed_video": "true"}
        if cursor:
            data["max_id"] = cursor
        return parse.parse_mobile_page(self._call("POST", "/api/v1/clips/user/", data=data) or {})
