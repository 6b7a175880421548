"""Background tasks of the campaigns app (thin: ids in, call a function)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="campaigns.tasks.track_posts", ignore_result=True)
def track_posts(post_ids: list[int]) -> None:
    """Attach freshly collected posts to the campaigns they match (posts that are gone are skipped)."""
    from campaigns.tracking import track_posts as attach

    attach(post_ids)


@shared_task(name="campaigns.tasks.track_campaign", ignore_result=True)
def track_campaign(campaign_id: int) -> None:
    """Match a campaign's creators' collected posts after its handles, hashtags or window changed."""
    from campaigns.models import Campaign
    from campaigns.tracking import track_campaign as attach

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None:
        attach(campaign)
