"""The lookup pages: the "Look up @handle" box posts here, and its progress is polled with htmx.

``/lookups/<id>/`` reads without JavaScript too (it refreshes itself every two seconds until the
lookup ends); once ready it lands on the creator's profile page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.teams import team_for_writing
from profiles.access import AccessLimitReached
from scraping import lookup
from scraping.models import Lookup


def _landing(row: Lookup) -> str | None:
    """Where a ready lookup lands: the creator's profile page (subreddits stay on the lookup page)."""
    if row.status == Lookup.Status.READY and row.profile_id:
        return reverse("profiles:profile", args=[row.profile_id])
    return None


def _context(row: Lookup) -> dict:
    stages = [(value, label) for value, label in Lookup.Status.choices if value != Lookup.Status.FAILED]
    reached = {step["name"] for step in row.steps} | {row.status}
    return {
        "lookup": row,
        "stages": [(value, label, value in reached) for value, label in stages],
        "pending": lookup.pending_parts(row),
        "age_seconds": lookup.age_seconds(row) if row.status == Lookup.Status.READY else None,
    }


@login_required
@require_POST
def lookup_start(request: HttpRequest) -> HttpResponse:
    platform, handle = request.POST.get("platform", ""), request.POST.get("handle", "")
    team = team_for_writing(request)  # a viewer or a user of no team: 403 with the reason
    try:
        row = lookup.request_lookup(request.user, platform, handle, team=team)
    except lookup.BadTarget as exc:
        errors = {exc.field: str(exc)}
        context = {"platform": platform, "handle": handle, "errors": errors}
        return render(request, "scraping/lookup_form.html", context, status=400)
    except AccessLimitReached as exc:
        context = {"platform": platform, "handle": handle, "quota": exc}
        return render(request, "scraping/lookup_form.html", context, status=403)
    return HttpResponseRedirect(_landing(row) or reverse("scraping:lookup", args=[row.pk]))


@login_required
def lookup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lookup.reap()
    row = get_object_or_404(Lookup.objects.restrict(request.user).select_related("profile", "community"), pk=pk)
    if landing := _landing(row):
        return HttpResponseRedirect(landing)
    return render(request, "scraping/lookup.html", _context(row))


@login_required
def lookup_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial htmx swaps in every second; a ready lookup sends the browser on."""
    lookup.reap()
    row = get_object_or_404(Lookup.objects.restrict(request.user).select_related("profile", "community"), pk=pk)
    response = render(request, "scraping/_lookup_progress.html", _context(row))
    if landing := _landing(row):
        response["HX-Redirect"] = landing
    return response


@login_required
def lookup_form(request: HttpRequest) -> HttpResponse:
    context = {"platform": request.GET.get("platform", "instagram")}
    return render(request, "scraping/lookup_form.html", {**context, "handle": request.GET.get("handle", "")})
