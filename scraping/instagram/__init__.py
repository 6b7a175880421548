"""Instagram, through one of two providers chosen by ``INSTAGRAM_PROVIDER``.

``web``: Instagram's own web/mobile JSON, as proxy providers (RapidAPI-style, Decodo-style) pass
it through, optionally inside an envelope (``INSTAGRAM_RESPONSE_ENVELOPE``). ``graph``: the
official Graph API Business Discovery (business and creator accounts only). Both return the same
dataclasses, so ingestion does not know which one ran.
"""

from __future__ import annotations

from typing import Protocol

from scraping import http
from scraping.schemas import Page, ProfileData


class InstagramProvider(Protocol):
    """What every provider offers the scrape."""

    name: str
    stats: http.CallStats

    def profile(self, username: str) -> tuple[ProfileData, Page]:
        """The profile and the first page of its posts (possibly empty)."""
        ...

    def posts(self, profile: ProfileData, cursor: str = "") -> Page:
        """One more page of the profile's posts."""
        ...

    def reels(self, profile: ProfileData, cursor: str = "") -> Page:
        """One page of the profile's reels (with play counts), where the provider has them."""
        ...


def get_provider(stats: http.CallStats | None = None, name: str | None = None) -> InstagramProvider:
    """The provider ``INSTAGRAM_PROVIDER`` names, configured from settings."""
    from django.conf import settings

    name = name or settings.INSTAGRAM_PROVIDER
    if name == "graph":
        from scraping.instagram.graph import GraphProvider

        return GraphProvider.from_settings(stats)
    from scraping.instagram.web import WebProvider

    return WebProvider.from_settings(stats)
