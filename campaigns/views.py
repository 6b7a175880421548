"""Campaign pages for signed-in users: their campaigns, one campaign's pipeline, posts and results, and
the forms that work them (a new campaign, its header, each creator's status, fee and notes, export).

Members of a campaign's team see it (``Campaign.objects.restrict``), superusers see every team's;
anyone else gets a 404, so a campaign's existence does not leak. Changing it is for its author and the
team's owners and managers (``check_can``: teammates 403), as in the API. Every form posts and
redirects, so the pages work without JavaScript; htmx swaps one pipeline row in place when present.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.teams import check_can, current_team, team_for_writing
from campaigns.forms import CampaignForm, EntryForm
from campaigns.metrics import campaign_metrics
from campaigns.models import Campaign, CampaignProfile
from config.formatting import money
from config.querysets import CHANGE
from profiles import exports
from profiles.models import ReviewStatus


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (
        Campaign.objects.restrict(request.user, team=current_team(request))
        .select_related("owner")
        .annotate(creators=Count("campaign_profiles", distinct=True), posts=Count("campaign_posts", distinct=True))
        .order_by("-created_at")
    )
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns, "form": CampaignForm()})


@login_required
@require_POST
def campaign_create(request: HttpRequest) -> HttpResponse:
    """A new campaign in the current team, this user its author (viewers and users of no team: 403)."""
    team = team_for_writing(request)
    form = CampaignForm(request.POST)
    if not form.is_valid():
        campaigns = Campaign.objects.restrict(request.user, team=team).annotate(
            creators=Count("campaign_profiles", distinct=True), posts=Count("campaign_posts", distinct=True)
        )
        return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns, "form": form}, status=400)
    campaign = form.save(commit=False)
    campaign.team, campaign.owner = team, request.user
    campaign.save()
    messages.success(request, f"Created “{campaign.name}”. Add creators from the search or a profile page.")
    return HttpResponseRedirect(reverse("campaigns:detail", args=[campaign.pk]))


def _entries(campaign: Campaign) -> list[CampaignProfile]:
    return list(campaign.campaign_profiles.select_related("profile__avatar_asset").order_by("added_at", "id"))


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.restrict(request.user), pk=pk)
    entries = _entries(campaign)
    can_change = Campaign.objects.can(request.user, campaign, CHANGE)
    for entry in entries:
        entry.form = EntryForm(instance=entry, prefix=f"e{entry.pk}")
    tracked = list(
        campaign.campaign_posts.select_related("post__author")
        .prefetch_related("post__media__asset")
        .order_by("-post__posted_at")
    )
    metrics = campaign_metrics(campaign)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "entries": entries,
            "counts": [
                (label, sum(1 for e in entries if e.status == value))
                for value, label in CampaignProfile.Pipeline.choices
            ],
            "warnings": {
                "rejected": [e for e in entries if e.profile.review_status == ReviewStatus.REJECTED],
                "unreviewed": [e for e in entries if e.profile.review_status == ReviewStatus.UNREVIEWED],
            },
            "tracked": tracked,
            "can_change": can_change,
            "header_form": CampaignForm(instance=campaign) if can_change else None,
            # The API's formulas (campaigns/metrics.py), so page and API never disagree.
            "metrics": metrics,
        },
    )


def _changeable(request: HttpRequest, pk: int) -> Campaign:
    """The campaign when the user may change it: other teams 404, teammates who may not edit 403."""
    campaign = get_object_or_404(Campaign.objects.restrict(request.user), pk=pk)
    check_can(request.user, campaign, CHANGE)
    return campaign


@login_required
@require_POST
def campaign_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's header: name, brand, status, dates, budget."""
    campaign = _changeable(request, pk)
    form = CampaignForm(request.POST, instance=campaign)
    if form.is_valid():
        form.save()
        messages.success(request, f"Saved “{campaign.name}”.")
    else:
        errors = "; ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()
        )
        messages.error(request, f"Not saved. {errors}")
    return HttpResponseRedirect(reverse("campaigns:detail", args=[pk]))


@login_required
@require_POST
def entry_update(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """One creator's status, fee and notes; ``remove`` takes them off the campaign."""
    campaign = _changeable(request, pk)
    entry = get_object_or_404(campaign.campaign_profiles.select_related("profile__avatar_asset"), pk=entry_pk)
    handle = entry.profile.handle
    if "remove" in request.POST:
        entry.delete()
        messages.success(request, f"Removed {handle} from “{campaign.name}”.")
        return HttpResponseRedirect(reverse("campaigns:detail", args=[pk]))
    form = EntryForm(request.POST, instance=entry, prefix=f"e{entry.pk}")
    status = 200
    if form.is_valid():
        form.save()
        fee = money(entry.fee, campaign.currency) if entry.fee is not None else "no fee"
        messages.success(request, f"{handle}: {entry.get_status_display()}, {fee}.")
    else:
        status = 400
        messages.error(request, f"{handle} not saved: " + " ".join(" ".join(e) for e in form.errors.values()))
    if request.headers.get("HX-Request"):
        entry.form = form
        return render(
            request,
            "campaigns/_entry.html",
            {"campaign": campaign, "entry": entry, "can_change": True, "saved": status == 200},
            status=status,
        )
    return HttpResponseRedirect(reverse("campaigns:detail", args=[pk]) + f"#entry-{entry.pk}")


def _campaign_columns(currency: str) -> list[exports.Column]:
    return [
        exports.Column("Pipeline status", lambda e: e.get_status_display()),
        exports.Column(f"Fee ({currency})", lambda e: None if e.fee is None else float(e.fee)),
        exports.Column("Notes", lambda e: e.notes),
        exports.Column("Added (UTC)", lambda e: e.added_at.strftime("%Y-%m-%d")),
        *[
            exports.Column(column.header, lambda e, column=column: column.value(e.profile))
            for column in exports.CREATOR_COLUMNS
        ],
    ]


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's creators with status, fee and notes as CSV (``?format=csv``) or XLSX."""
    campaign = get_object_or_404(Campaign.objects.restrict(request.user), pk=pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        return HttpResponse("format must be csv or xlsx", status=400, content_type="text/plain")
    data = exports.dataset(_entries(campaign), _campaign_columns(campaign.currency), campaign.name)
    return exports.file_response(data, fmt, campaign.name)
