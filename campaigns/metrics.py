"""Campaign results: reach, impressions, engagement, EMV, CPM, CPE and ROI.

Per tracked post, then summed per creator and for the campaign:

- **reach** (people who saw it): for a video or reel with a view/play count, ``views_count`` (else
  ``plays_count``); for an Instagram feed post (image, carousel), ``author followers ×
  CAMPAIGN_FEED_REACH_RATE`` (an assumed share of followers who see a feed post; default 0.2 —
  published organic-reach studies put it between 0.1 and 0.3, set it from your own insights); for
  a Reddit post, its view count when Reddit gives one. Otherwise unknown (``None``, counted in
  ``posts_with_unknown_reach``), never 0.
- **impressions**: feed posts ``reach × 1.5`` (people see a feed post more than once); videos and
  Reddit posts ``reach`` (each view is one impression).
- **engagements**: Instagram likes + comments + shares + saves (the ones the platform shows);
  Reddit net score + comments. Hidden likes count as unknown and leave the post out of the sum.
- **engagement rate** = engagements / reach × 100, over posts where both are known.
- **EMV** (earned media value) = ``CAMPAIGN_CPM`` × impressions / 1000 (default CPM 6.50 USD).
- **cost** = the sum of the creators' fees; the campaign budget when no fee is set.
- **CPM** = cost / impressions × 1000; **CPE** = cost / engagements; **ROI** = (EMV − cost) / cost; all three
  unknown (``None``) while no post is tracked, so a new campaign does not show ROI −100 %.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from campaigns.models import Campaign
from posts.models import Post, PostKind
from profiles.models import Profile

FEED_KINDS = {PostKind.IMAGE, PostKind.CAROUSEL}
VIDEO_KINDS = {PostKind.VIDEO, PostKind.REEL}
FEED_IMPRESSIONS_PER_REACH = 1.5


def post_reach(post: Post, followers: int | None) -> float | None:
    """People reached by one post (formula in the module docstring); ``None`` when unknown."""
    if post.kind in VIDEO_KINDS and (post.views_count or post.plays_count):
        return float(post.views_count or post.plays_count)
    if post.platform == "instagram" and post.kind in FEED_KINDS:
        return followers * settings.CAMPAIGN_FEED_REACH_RATE if followers else None
    return float(post.views_count) if post.views_count else None


def post_impressions(post: Post, reach: float | None) -> float | None:
    if reach is None:
        return None
    return reach * FEED_IMPRESSIONS_PER_REACH if post.kind in FEED_KINDS else reach


def post_engagements(post: Post) -> int | None:
    if post.platform == "reddit":
        return None if post.score is None else post.score + (post.comments_count or 0)
    if post.likes_count is None:
        return None
    extras = (post.comments_count, post.shares_count, post.saves_count)
    return post.likes_count + sum(value or 0 for value in extras)


@dataclass
class Totals:
    """Sums for a set of posts, and the ratios derived from them (``None`` where undefined)."""

    posts: int = 0
    reach: float = 0.0
    impressions: float = 0.0
    engagements: int = 0
    posts_with_unknown_reach: int = 0
    posts_with_unknown_engagement: int = 0
    # Engagement rate only over posts where both reach and engagements are known.
    _rate_reach: float = field(default=0.0, repr=False)
    _rate_engagements: int = field(default=0, repr=False)

    def add(self, reach: float | None, impressions: float | None, engagements: int | None) -> None:
        self.posts += 1
        if reach is None:
            self.posts_with_unknown_reach += 1
        else:
            self.reach += reach
            self.impressions += impressions or 0
        if engagements is None:
            self.posts_with_unknown_engagement += 1
        else:
            self.engagements += engagements
        if reach and engagements is not None:
            self._rate_reach += reach
            self._rate_engagements += engagements

    def figures(self, cost: Decimal | None) -> dict[str, Any]:
        cpm_rate = settings.CAMPAIGN_CPM
        emv = cpm_rate * self.impressions / 1000
        # Before anything is published there is nothing to price: no CPM, CPE or ROI (not −100 %).
        spend = float(cost) if cost is not None and self.posts else None
        return {
            "posts": self.posts,
            "reach": round(self.reach),
            "impressions": round(self.impressions),
            "engagements": self.engagements,
            "engagement_rate": _ratio(100 * self._rate_engagements, self._rate_reach, 3),
            "emv": round(emv, 2),
            "cost": float(cost) if cost is not None else None,
            "cpm": _ratio(1000 * spend, self.impressions, 2) if spend is not None else None,
            "cpe": _ratio(spend, self.engagements, 4) if spend is not None else None,
            "roi": _ratio(emv - spend, spend, 4) if spend is not None else None,
            "posts_with_unknown_reach": self.posts_with_unknown_reach,
            "posts_with_unknown_engagement": self.posts_with_unknown_engagement,
        }


def _ratio(numerator: float, denominator: float, digits: int) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def campaign_metrics(campaign: Campaign) -> dict[str, Any]:
    """The campaign's totals and a per-creator breakdown; three queries whatever its size."""
    entries = {
        entry.profile_id: entry for entry in campaign.campaign_profiles.select_related("profile").order_by("added_at")
    }
    posts = list(
        Post.objects.filter(campaign_entries__campaign=campaign)
        .select_related("author")
        .only(
            "platform",
            "kind",
            "likes_count",
            "score",
            "comments_count",
            "shares_count",
            "saves_count",
            "views_count",
            "plays_count",
            "author__id",
            "author__handle",
            "author__platform",
            "author__followers_count",
        )
    )
    total = Totals()
    per_author: dict[int | None, Totals] = defaultdict(Totals)
    authors: dict[int, Profile] = {entry.profile_id: entry.profile for entry in entries.values()}
    for post in posts:
        followers = post.author.followers_count if post.author else None
        reach = post_reach(post, followers)
        impressions = post_impressions(post, reach)
        engagements = post_engagements(post)
        total.add(reach, impressions, engagements)
        per_author[post.author_id].add(reach, impressions, engagements)
        if post.author is not None:
            authors.setdefault(post.author_id, post.author)

    fees = [entry.fee for entry in entries.values() if entry.fee is not None]
    cost = sum(fees, Decimal(0)) if fees else campaign.budget
    creators = []
    for author_id, profile in authors.items():
        entry = entries.get(author_id)
        creators.append(
            {
                "profile_id": author_id,
                "platform": profile.platform,
                "handle": profile.handle,
                "status": entry.status if entry else None,
                **per_author[author_id].figures(entry.fee if entry else None),
            }
        )
    return {
        "campaign_id": campaign.pk,
        "currency": campaign.currency,
        "cpm_rate": settings.CAMPAIGN_CPM,
        "feed_reach_rate": settings.CAMPAIGN_FEED_REACH_RATE,
        "cost_basis": "fees" if fees else ("budget" if campaign.budget is not None else None),
        "totals": total.figures(cost),
        "creators": creators,
        "formulas": {
            "reach": "views (videos/reels); followers × feed_reach_rate (feed posts); Reddit views when given",
            "impressions": "reach × 1.5 for feed posts; reach for videos and Reddit",
            "engagement_rate": "engagements / reach × 100",
            "emv": "cpm_rate × impressions / 1000",
            "cpm": "cost / impressions × 1000",
            "cpe": "cost / engagements",
            "roi": "(emv − cost) / cost",
        },
    }
