"""Campaign pages for signed-in users: their campaigns, and one campaign's pipeline, posts and results.

Members of a campaign's team see it (``Campaign.objects.restrict``), superusers see every team's;
anyone else gets a 404, so a campaign's existence does not leak. The list shows the current team's.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.teams import check_can, current_team
from campaigns.metrics import campaign_metrics, campaign_timeline
from campaigns.models import Campaign, CampaignPost, CampaignProfile
from campaigns.tracking import remove
from config.querysets import CHANGE


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (
        Campaign.objects.restrict(request.user, team=current_team(request))
        .select_related("owner")
        .annotate(
            creators=Count("campaign_profiles", distinct=True),
            posts=Count("campaign_posts", filter=Q(campaign_posts__removed_at__isnull=True), distinct=True),
        )
        .order_by("-created_at")
    )
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.restrict(request.user), pk=pk)
    entries = list(campaign.campaign_profiles.select_related("profile__avatar_asset").order_by("added_at"))
    columns = [
        {"value": value, "label": label, "entries": [e for e in entries if e.status == value]}
        for value, label in CampaignProfile.Pipeline.choices
    ]
    tracked = list(
        campaign.campaign_posts.tracked()
        .select_related("post__author")
        .prefetch_related("post__media__asset")
        .order_by("-post__posted_at")
    )
    timeline = campaign_timeline(campaign)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "columns": columns,
            "tracked": tracked,
            # The API's formulas (campaigns/metrics.py), so page and API never disagree.
            "metrics": campaign_metrics(campaign),
            "timeline": timeline,
            "timeline_chart": _timeline_chart(timeline),
            "can_change": Campaign.objects.can(request.user, campaign, CHANGE),
        },
    )


def _timeline_chart(timeline: list[dict]) -> dict:
    """Chart.js config for static/js/charts.js: running reach and engagements per tracked post."""
    return {
        "type": "line",
        "labels": [row["post"].posted_at.strftime("%b %d") for row in timeline],
        "datasets": [
            {"label": "Reach so far", "data": [row["cumulative_reach"] for row in timeline]},
            {"label": "Engagements so far", "data": [row["cumulative_engagements"] for row in timeline]},
        ],
    }


@login_required
@require_POST
def remove_post(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Take a post out of a campaign; an automatic match stays out after the next scrape."""
    campaign = get_object_or_404(Campaign.objects.restrict(request.user), pk=pk)
    check_can(request.user, campaign, CHANGE)
    remove(get_object_or_404(CampaignPost.objects.tracked(), campaign=campaign, pk=entry_pk))
    return redirect("campaigns:detail", pk=campaign.pk)
