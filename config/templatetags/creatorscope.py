"""Template filters for pages and admin: unknown values show as "—", never as 0."""

from __future__ import annotations

from django import template

from config import links
from posts.analytics import FORMULAS

register = template.Library()

UNKNOWN = "—"


@register.filter
def compact(value) -> str:
    """12,345 → 12.3k; None → —."""
    if value is None or value == "":
        return UNKNOWN
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            return f"{number / limit:.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


@register.filter
def pct(value, digits: int = 2) -> str:
    if value is None or value == "":
        return UNKNOWN
    return f"{float(value):.{int(digits)}f} %"


@register.filter
def share(value) -> str:
    """A fraction 0..1 as a whole percentage (0.123 → 12 %)."""
    if value is None or value == "":
        return UNKNOWN
    return f"{100 * float(value):.0f} %"


@register.filter
def signed_pct(value) -> str:
    if value is None or value == "":
        return UNKNOWN
    return f"{float(value):+.1f} %"


@register.filter
def metric(value, digits: int = 2) -> str:
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{int(digits)}f}"


@register.filter
def safe_url(value) -> str:
    """For ``href``/``src``: the URL when it is http(s), else "" (config/links.py)."""
    return links.safe_url(value)


@register.filter
def formula(name: str) -> str:
    return FORMULAS.get(name, "")


def asset_url(asset, prefer_thumbnail: bool = True) -> str:
    """A stored asset's URL (its list-size thumbnail first); "" while nothing is stored yet.

    Goes through the asset's own URL helpers (media/models.py), so the storage decides between a
    local /media/ path, a public S3 URL and a signed one.
    """
    if asset is None:
        return ""
    names = ("thumbnail_url", "url") if prefer_thumbnail else ("url", "thumbnail_url")
    for name in names:
        value = getattr(asset, name, "")
        if value:
            return value
    return ""


@register.filter
def thumbnail_url(asset) -> str:
    return asset_url(asset)


@register.filter
def avatar_url(profile) -> str:
    """The stored avatar when the media worker has fetched it; the platform URL is never hot-linked."""
    return asset_url(getattr(profile, "avatar_asset", None))


@register.filter
def post_thumbnail(post) -> str:
    """The first stored image of a post (uses the prefetched ``media``)."""
    for item in post.media.all():
        url = asset_url(item.asset)
        if url:
            return url
    return ""


@register.filter
def heat(count: int, maximum: int) -> str:
    """Background opacity for a heatmap cell, 0..1 in steps the eye can tell apart."""
    if not maximum or not count:
        return "0"
    return f"{0.15 + 0.85 * count / maximum:.2f}"
