"""Template filters for pages and admin: unknown values show as "—", never as 0."""

from __future__ import annotations

import math

from django import template

from config import formatting, links
from posts.analytics import FORMULAS

register = template.Library()

UNKNOWN = formatting.UNKNOWN

# One set of formatters (config/formatting.py) for pages, admin and the exports meant for people.
compact = register.filter(formatting.compact)
number = register.filter(formatting.number)
pct = register.filter(formatting.pct)
signed_pct = register.filter(formatting.signed_pct)
share = register.filter(formatting.share)
money = register.filter(formatting.money)
counted = register.filter(formatting.counted)
relative = register.filter(formatting.relative)
# Older name of ``number`` with two decimals by default, kept for templates that pass digits.
metric = register.filter("metric", lambda value, digits=2: formatting.number(value, digits))


language_name = register.filter(formatting.language_name)


@register.filter
def uncertain(confidence, task: str = "") -> bool:
    """Whether an AI label at ``confidence`` is shown as uncertain: below ``AI_UNCERTAIN_BELOW``, or
    ``AI_CATEGORY_UNCERTAIN_BELOW`` for a content category (``confidence|uncertain:"category"``)."""
    from django.conf import settings

    below = settings.AI_CATEGORY_UNCERTAIN_BELOW if task == "category" else settings.AI_UNCERTAIN_BELOW
    return confidence is not None and confidence != "" and float(confidence) < below


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
def heat_level(count: int, maximum: int) -> int:
    """A heatmap cell's shade, 0 (no posts) to 4 (the peak): four steps the eye can tell apart, each
    light or dark enough that its number keeps a 4.5:1 contrast (dark text on 1–2, white on 3–4)."""
    if not maximum or not count:
        return 0
    return min(4, math.ceil(4 * count / maximum))


@register.filter
def empty_titles(charts) -> list[str]:
    """The titles of the charts that have nothing to draw yet (one sentence instead of empty boxes)."""
    return [chart.title for chart in charts if chart.is_empty]
