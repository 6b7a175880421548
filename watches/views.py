"""The inbox page, the user's watches and alert settings, and the watch button's form posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.teams import check_can, current_team, team_for_writing
from config.querysets import DELETE
from watches.api.serializers import AlertSettingsSerializer, WatchSerializer
from watches.models import AlertSettings, Event, EventKind, Watch

PAGE_SIZE = 50


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Your events, newest first, with the unread count; a POST marks them read."""
    events = Event.objects.restrict(request.user).select_related("profile", "community", "post")
    if request.method == "POST":
        chosen = events.unread()
        if request.POST.get("event"):
            chosen = chosen.filter(pk=request.POST["event"])
        chosen.update(read_at=timezone.now())
        return HttpResponseRedirect(reverse("watches:inbox"))
    unread_only = request.GET.get("unread") == "1"
    shown = events.unread() if unread_only else events
    page = Paginator(shown.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "watches/inbox.html",
        {"page": page, "unread": events.unread().count(), "unread_only": unread_only},
    )


@login_required
def watch_list(request: HttpRequest) -> HttpResponse:
    """Your team's watches and your alert settings (a POST saves the settings; a bad webhook is a message)."""
    prefs = AlertSettings.of(request.user)
    errors = {}
    if request.method == "POST":
        serializer = AlertSettingsSerializer(
            prefs,
            data={
                "email_enabled": request.POST.get("email_enabled") == "on",
                "webhook_url": request.POST.get("webhook_url", "").strip(),
                "frequency": request.POST.get("frequency", prefs.frequency),
            },
        )
        if serializer.is_valid():
            serializer.save()
            messages.success(request, "Alert settings saved.")
            return HttpResponseRedirect(reverse("watches:list"))
        errors = serializer.errors
    team = current_team(request)
    watches = (
        Watch.objects.restrict(request.user, team=team).select_related("profile", "community", "watched_list", "user")
        if team
        else []
    )
    return render(
        request,
        "watches/watch_list.html",
        {
            "watches": watches,
            "prefs": prefs,
            "errors": errors,
            "frequencies": AlertSettings.Frequency.choices,
            "labels": dict(EventKind.choices),
        },
    )


@login_required
@require_POST
def add_watch(request: HttpRequest) -> HttpResponse:
    """Watch a creator, subreddit or list (the watch button); the API's validation, messages on error."""
    team_for_writing(request)
    data = {
        "profile": request.POST.get("profile") or None,
        "community": request.POST.get("community") or None,
        "watched_list": request.POST.get("watched_list") or None,
        "events": request.POST.getlist("events"),
        "brand": request.POST.get("brand", ""),
    }
    for name in ("follower_threshold_pct", "engagement_threshold_pct"):
        if request.POST.get(name):
            data[name] = request.POST[name]
    serializer = WatchSerializer(data=data, context={"request": request})
    if serializer.is_valid():
        watch = serializer.save(team=team_for_writing(request), user=request.user)
        messages.success(request, f"Watching {watch.target}.")
    else:
        messages.error(
            request, " ".join(f"{field}: {' '.join(map(str, errs))}" for field, errs in serializer.errors.items())
        )
    return HttpResponseRedirect(_next(request, reverse("watches:list")))


@login_required
@require_POST
def delete_watch(request: HttpRequest, pk: int) -> HttpResponse:
    watch = get_object_or_404(Watch.objects.restrict(request.user), pk=pk)
    check_can(request.user, watch, DELETE)
    watch.delete()
    messages.success(request, f"Stopped watching {watch.target}.")
    return HttpResponseRedirect(_next(request, reverse("watches:list")))
