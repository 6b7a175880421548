"""Automatic campaign tracking: attach the collected posts that match a campaign.

A post matches a campaign when all hold:

- its author is one of the campaign's creators (``CampaignProfile``);
- it was posted inside the campaign's window (``start_date`` .. ``end_date``, whole days, UTC; an
  open end is open);
- it @mentions one of ``track_handles`` or carries one of ``track_hashtags`` (case-insensitive).

Matching posts are inserted as ``CampaignPost(source="auto")`` with ``ignore_conflicts``, so
running it twice, or after a re-ingest, adds nothing: an existing row of the same post, a
manual one or an automatic one an analyst removed (``removed_at`` set), stays as it is. A
campaign without handles or hashtags tracks nothing automatically.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, CampaignPost
from posts.models import Post


def match(campaign: Campaign, post: Post) -> str:
    """What makes ``post`` a match for ``campaign`` ("@acme", "#acmepartner"); "" when it is not one."""
    if campaign.start_date and post.posted_at < datetime.combine(campaign.start_date, time.min, tzinfo=UTC):
        return ""
    if campaign.end_date and post.posted_at > datetime.combine(campaign.end_date, time.max, tzinfo=UTC):
        return ""
    mentions = {str(m).lower().lstrip("@") for m in post.mentions or []}
    for handle in campaign.track_handles or []:
        if handle in mentions:
            return f"@{handle}"
    hashtags = {str(h).lower().lstrip("#") for h in post.hashtags or []}
    for tag in campaign.track_hashtags or []:
        if tag in hashtags:
            return f"#{tag}"
    return ""


def track_posts(post_ids: Sequence[int]) -> int:
    """Attach these posts to every campaign they match; returns how many rows were added."""
    posts = list(
        Post.objects.filter(pk__in=post_ids, author__isnull=False).only(
            "pk", "author_id", "posted_at", "mentions", "hashtags"
        )
    )
    if not posts:
        return 0
    campaigns = (
        Campaign.objects.filter(campaign_profiles__profile_id__in={p.author_id for p in posts})
        .exclude(Q(track_handles=[]) & Q(track_hashtags=[]))
        .exclude(status=Campaign.Status.ARCHIVED)
        .prefetch_related("campaign_profiles")
        .distinct()
    )
    rows = []
    for campaign in campaigns:
        creators = {entry.profile_id for entry in campaign.campaign_profiles.all()}
        for post in posts:
            if post.author_id in creators and (matched := match(campaign, post)):
                rows.append(
                    CampaignPost(campaign=campaign, post=post, source=CampaignPost.Source.AUTO, matched_on=matched)
                )
    before = CampaignPost.objects.filter(post_id__in=[p.pk for p in posts]).count()
    CampaignPost.objects.bulk_create(rows, ignore_conflicts=True)
    return CampaignPost.objects.filter(post_id__in=[p.pk for p in posts]).count() - before


def track_campaign(campaign: Campaign) -> int:
    """Match every collected post of the campaign's creators (after its terms or creators change)."""
    ids = Post.objects.filter(author__campaign_entries__campaign=campaign).values_list("pk", flat=True)
    return track_posts(list(ids))


def remove(entry: CampaignPost) -> None:
    """Take a post out of the campaign: a manual entry goes, an automatic one is kept as removed."""
    if entry.source == CampaignPost.Source.AUTO:
        CampaignPost.objects.filter(pk=entry.pk).update(removed_at=timezone.now())
    else:
        entry.delete()
