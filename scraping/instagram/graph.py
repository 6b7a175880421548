"""Provider ``graph``: the official Instagram Graph API, Business Discovery.

``GET {INSTAGRAM_GRAPH_BASE_URL}/{INSTAGRAM_GRAPH_USER_ID}?fields=business_discovery.username(NAME){...}``
with ``INSTAGRAM_GRAPH_ACCESS_TOKEN``. Only business and creator accounts can be looked up; media
is cursor-paged through ``media.after(CURSOR)``. Graph API errors come as ``{"error": {"code": …}}``;
the transport sorts throttling codes (4, 17, 32, 613) into transient errors.
"""

from __future__ import annotations

from typing import Any

from config.http import PermanentError
from scraping import http
from scraping.instagram import parse
from scraping.schemas import Page, ProfileData, as_str, dig

PROFILE_FIELDS = (
    "id,ig_id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count"
)
MEDIA_FIELDS = "id,caption,comments_count,like_count,media_type,media_product_type,media_url,permalink,timestamp"
PAGE_SIZE = 25


class GraphProvider:
    """Business Discovery through the Graph API."""

    name = "graph"

    def __init__(
        self,
        *,
        base_url: str,
        access_token: str,
        ig_user_id: str,
        upstream: http.Upstream,
        stats: http.CallStats | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.ig_user_id = ig_user_id
        self.upstream = upstream
        self.stats = stats if stats is not None else http.CallStats()

    @classmethod
    def from_settings(cls, stats: http.CallStats | None = None) -> GraphProvider:
        from django.conf import settings

        return cls(
            base_url=settings.INSTAGRAM_GRAPH_BASE_URL,
            access_token=settings.INSTAGRAM_GRAPH_ACCESS_TOKEN,
            ig_user_id=settings.INSTAGRAM_GRAPH_USER_ID,
            upstream=http.Upstream.from_settings(
                "instagram-graph", requests_per_minute=settings.INSTAGRAM_REQUESTS_PER_MINUTE
            ),
            stats=stats,
        )

    def _discover(self, username: str, media: str) -> dict[str, Any]:
        if not (self.access_token and self.ig_user_id):
            raise PermanentError(
                "INSTAGRAM_GRAPH_ACCESS_TOKEN and INSTAGRAM_GRAPH_USER_ID must be set",
                upstream=self.upstream.name,
                reason="unauthorized",
            )
        fields = f"business_discovery.username({username}){{{PROFILE_FIELDS},{media}}}"
        response = http.request(
            self.upstream,
            "GET",
            f"{self.base_url}/{self.ig_user_id}",
            params={"fields": fields, "access_token": self.access_token},
            stats=self.stats,
        )
        business = dig(response.data, "business_discovery")
        if not isinstance(business, dict):
            raise PermanentError(f"@{username} not found", upstream=self.upstream.name, reason="not_found")
        return business

    @staticmethod
    def _page(business: dict[str, Any], owner: ProfileData) -> Page:
        media = business.get("media") or {}
        posts = [parse.parse_graph_media(item, owner) for item in media.get("data") or [] if isinstance(item, dict)]
        cursor = as_str(dig(media, "paging", "cursors", "after")) if dig(media, "paging", "next") else ""
        return Page(posts, cursor)

    def profile(self, username: str) -> tuple[ProfileData, Page]:
        business = self._discover(username, f"media.limit({PAGE_SIZE}){{{MEDIA_FIELDS}}}")
        profile = parse.parse_graph_profile(business)
        if not profile.handle:
            profile.handle = username
        return profile, self._page(business, profile)

    def posts(self, profile: ProfileData, cursor: str = "") -> Page:
        after = f".after({cursor})" if cursor else ""
        business = self._discover(profile.handle, f"media{after}.limit({PAGE_SIZE}){{{MEDIA_FIELDS}}}")
        return self._page(business, profile)

    def reels(self, profile: ProfileData, cursor: str = "") -> Page:
        # Business Discovery lists reels among the media (media_product_type REELS).
        return Page([])
