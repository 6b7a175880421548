"""Campaign pages for signed-in users: their campaigns, and one campaign's pipeline, posts and results.

Members of a campaign's team see it (``Campaign.objects.restrict``), superusers see every team's;
anyone else gets a 404, so a campaign's existence does not leak. The list shows the current team's.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.teams import current_team
from campaigns.metrics import campaign_metrics
from campaigns.models import Campaign, CampaignProfile


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (
        Campaign.objects.restrict(request.user, team=current_team(request))
        .select_related("owner")
        .annotate(creators=Count("campaign_profiles", distinct=True), posts=Count("campaign_posts", distinct=True))
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
        campaign.campaign_posts.select_related("post__author")
        .prefetch_related("post__media__asset")
        .order_by("-post__posted_at")
    )
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "columns": columns,
            "tracked": tracked,
            # The API's formulas (campaigns/metrics.py), so page and API never disagree.
            "metrics": campaign_metrics(campaign),
        },
    )
