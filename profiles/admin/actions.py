"""Bulk actions on creators and subreddits, and the action bar's inputs for the value each applies."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.forms import ActionForm

from accounts.teams import current_team
from config.querysets import CHANGE
from profiles import bulk, lists
from profiles.models import CommunityReviewStatus, List, Profile, ReviewStatus, Tag

ACTION_FIELD_CLASS = "group-[.changelist-actions]:!bg-white/20 rounded-default px-2 py-1 text-current *:text-base-700"


def _select(choices, placeholder: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="",
        required=False,
        choices=[("", placeholder), *choices],
        widget=forms.Select(attrs={"class": ACTION_FIELD_CLASS, "aria-label": placeholder}),
    )


class BulkActionForm(ActionForm):
    """The action bar's extra inputs: the value an action applies (status, tag, niche, campaign)."""

    status_choices: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"] = _select(self.status_choices, "status…")
        self.fields["tag"] = _select(bulk.tag_choices(), "tag…")
        self.fields["niche"] = forms.CharField(
            label="",
            required=False,
            max_length=120,
            widget=forms.TextInput(attrs={"class": ACTION_FIELD_CLASS, "placeholder": "niche…"}),
        )
        kind = List.Kind.CREATORS if self.status_choices == ReviewStatus.choices else List.Kind.COMMUNITIES
        named = List.objects.filter(kind=kind).select_related("team").order_by("team__name", "name")
        self.fields["target_list"] = _select([(row.pk, f"{row.team.name}: {row.name}") for row in named], "list…")


class ProfileActionForm(BulkActionForm):
    status_choices = ReviewStatus.choices

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The options are the user's (editable_campaigns), filled per request by ProfileAdmin's
        # changelist: a form the admin builds has no request. The action checks the value again.
        self.fields["campaign"] = forms.CharField(
            label="",
            required=False,
            widget=forms.Select(
                choices=[("", "campaign…")], attrs={"class": ACTION_FIELD_CLASS, "aria-label": "campaign…"}
            ),
        )


def editable_campaigns(request: HttpRequest) -> QuerySet:
    """Campaigns of the current team the user may change (the team rule, ``restrict(..., CHANGE)``): what
    the bulk "add to campaign" offers, and all it accepts."""
    campaign_model = Profile._meta.get_field("campaigns").related_model
    return (
        campaign_model.objects.restrict(request.user, team=current_team(request), action=CHANGE)
        .exclude(status="archived")
        .order_by("name")
    )


class CommunityActionForm(BulkActionForm):
    status_choices = CommunityReviewStatus.choices

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["niche"]


class BulkActionsMixin:
    """Admin actions shared by profiles and communities; each says how many rows it changed."""

    noun = "rows"

    def _run(self, request: HttpRequest, queryset: QuerySet, operation: str, verb: str, **params) -> None:
        try:
            result = bulk.run(
                queryset, operation, request.user, description=f"{verb} ({self.noun})", request=request, **params
            )
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        if result.job:
            self.message_user(
                request,
                f"{result.job.total:,} {self.noun} selected: “{verb}” runs in the background; "
                "you will see the result here when it is done.",
                messages.INFO,
            )
        else:
            self.message_user(request, f"{verb}: {result.changed:,} {self.noun} changed.", messages.SUCCESS)

    @admin.action(description="Add to list (choose it in the action bar)", permissions=["view"])
    def add_to_list(self, request, queryset):
        chosen = List.objects.restrict(request.user, action=CHANGE).filter(
            pk=self._form_value(request, "target_list") or 0
        )
        target = chosen.first()
        if target is None:
            self.message_user(request, "Choose a list of your team that you may change.", messages.WARNING)
            return
        try:
            added = lists.add(target, queryset, user=request.user)
        except lists.WrongKind as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"Add to “{target.name}”: {added:,} {self.noun} added.", messages.SUCCESS)

    def _form_value(self, request: HttpRequest, name: str) -> str:
        return (request.POST.get(name) or "").strip()

    def _status_action(self, request, queryset, status: str) -> None:
        label = dict(self.model._meta.get_field("review_status").choices)[status]
        self._run(request, queryset, "set_review_status", f"Set review status to {label}", status=status)

    @admin.action(description="Set review status (choose it in the action bar)", permissions=["change"])
    def set_status(self, request, queryset):
        status = self._form_value(request, "status")
        if not status:
            self.message_user(request, "Choose a status in the action bar first.", messages.WARNING)
            return
        self._status_action(request, queryset, status)

    @admin.action(description="Add tag (choose it in the action bar)", permissions=["change"])
    def add_tag(self, request, queryset):
        tag = self._tag(request)
        if tag:
            self._run(request, queryset, "add_tag", f"Add tag “{tag}”", tag_id=tag.pk)

    @admin.action(description="Remove tag (choose it in the action bar)", permissions=["change"])
    def remove_tag(self, request, queryset):
        tag = self._tag(request)
        if tag:
            self._run(request, queryset, "remove_tag", f"Remove tag “{tag}”", tag_id=tag.pk)

    def _tag(self, request) -> Tag | None:
        tag = Tag.objects.select_related("category").filter(pk=self._form_value(request, "tag") or None).first()
        if tag is None:
            self.message_user(request, "Choose a tag in the action bar first.", messages.WARNING)
        return tag

    @admin.action(description="Accept all pending AI tag suggestions", permissions=["change"])
    def accept_suggestions(self, request, queryset):
        self._run(request, queryset, "decide_suggestions", "Accept AI tag suggestions", accept=True)

    @admin.action(description="Reject all pending AI tag suggestions", permissions=["change"])
    def reject_suggestions(self, request, queryset):
        self._run(request, queryset, "decide_suggestions", "Reject AI tag suggestions", accept=False)

    @admin.action(description="Scrape now", permissions=["change"])
    def scrape_now(self, request, queryset):
        self._run(request, queryset, "enqueue_scrape", "Queue a scrape")
