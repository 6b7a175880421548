"""Brands in posts: "@handle" is an @mention, "#tag" a hashtag, anything else a name in the text.

One reading of a brand term for every place that asks (the ``mentions`` filter on the post and
creator lists, "who worked with @brand", watch events, campaign tracking): matching is
case-insensitive, on the whole handle or hashtag (``@nike`` does not match ``@nikerunning``), and
on a substring of caption or body for a name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

MENTION, HASHTAG, NAME = "mention", "hashtag", "name"


@dataclass(frozen=True)
class Brand:
    kind: str
    value: str  # lower-case, without "@" / "#"

    def __str__(self) -> str:
        return {MENTION: "@", HASHTAG: "#"}.get(self.kind, "") + self.value


def parse(term: str) -> Brand | None:
    """``"@Nike"`` → mention ``nike``; ``"#ad"`` → hashtag ``ad``; ``"Nike Air"`` → name; blank → None."""
    text = (term or "").strip()
    if text.startswith("@") and text[1:].strip():
        return Brand(MENTION, text[1:].strip().lower())
    if text.startswith("#") and text[1:].strip():
        return Brand(HASHTAG, text[1:].strip().lower())
    return Brand(NAME, text.lower()) if text else None


def post_q(brand: Brand, prefix: str = "") -> Q:
    """A ``Q`` on ``Post`` (``prefix`` like ``"posts__"`` from another model) for posts naming ``brand``."""
    if brand.kind == NAME:
        return Q(**{f"{prefix}caption__icontains": brand.value}) | Q(**{f"{prefix}body__icontains": brand.value})
    field = "mentions" if brand.kind == MENTION else "hashtags"
    # The JSON text of the array holds each element quoted: '"nike"' matches the whole element only.
    return Q(**{f"{prefix}{field}__icontains": json.dumps(brand.value)})


def creator_q(brand: Brand, *, days: int | float | None = None, paid: bool | None = None) -> Q:
    """A ``Q`` on ``Profile`` for creators with a post naming ``brand`` (in the last ``days``; only
    paid partnerships / sponsored posts with ``paid``)."""
    q = post_q(brand, prefix="posts__")
    if days:
        q &= Q(posts__posted_at__gte=timezone.now() - timedelta(days=int(days)))
    if paid:
        q &= Q(posts__is_paid_partnership=True) | Q(posts__is_sponsored=True)
    return q


def matches(brand: Brand, post) -> bool:
    """The same test as ``post_q`` on a loaded post."""
    if brand.kind == NAME:
        return brand.value in f"{post.caption}\n{post.body}".lower()
    values = post.mentions if brand.kind == MENTION else post.hashtags
    return brand.value in {str(v).lower().lstrip("@#") for v in values or []}
