"""Reddit in depth (issue 21): posting requirements, review suggestions and identity links in admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from config.admin import ReadOnlyInline
from profiles import bulk
from profiles.models import (
    Community,
    CommunityRequirements,
    CommunityReviewSuggestion,
    Decision,
    ProfileLink,
)


class CommunityRequirementsInline(ReadOnlyInline):
    """Who may post, beside the subreddit: stated items with evidence, Reddit's answer, observations."""

    model = CommunityRequirements
    fields = (
        "min_total_karma",
        "min_post_karma",
        "min_comment_karma",
        "min_account_age_days",
        "verification_required",
        "flair_required",
        "allowed_post_types",
        "submission_type",
        "selling_allowed",
        "onlyfans_allowed",
        "promotion_allowed",
        "title_rules",
        "evidence",
        "reddit",
        "observed",
        "contradictions",
        "computed_at",
    )
    tab = True


class ReviewSuggestionInline(ReadOnlyInline):
    model = CommunityReviewSuggestion
    fields = ("suggested_status", "confidence", "signals", "status", "decided_by", "decided_at")
    tab = True


@admin.register(CommunityReviewSuggestion)
class CommunityReviewSuggestionAdmin(ModelAdmin):
    """Suggested review statuses: accepting one sets the subreddit's review status; a rejection is kept."""

    list_display = ("community", "suggested_status", "confidence_pct", "status", "created_at")
    list_filter = ("status", "suggested_status")
    search_fields = ("community__name",)
    list_select_related = ("community",)
    readonly_fields = (
        "community",
        "suggested_status",
        "confidence",
        "signals",
        "model_version",
        "decided_by",
        "decided_at",
    )
    fields = (*readonly_fields, "status")
    actions = ["accept", "reject"]

    @display(description="Confidence", ordering="confidence")
    def confidence_pct(self, obj: CommunityReviewSuggestion) -> str:
        return f"{obj.confidence:.0%}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        """Deciding a suggestion sets the subreddit's review status: the pages' and the API's rule."""
        return request.user.has_perm("profiles.change_community")

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.has_review_permission(request)

    @action(description="Accept: set the subreddit's review status", permissions=["review"])
    def accept(self, request, queryset) -> None:
        done = 0
        with transaction.atomic():
            for suggestion in queryset.filter(status=Decision.PENDING).select_related("community"):
                suggestion.accept(request.user)
                done += 1
        bulk.forget_review_counts(Community)
        messages.success(request, f"{done} suggestion(s) accepted.")

    @action(description="Reject: never suggest it again", permissions=["review"])
    def reject(self, request, queryset) -> None:
        done = 0
        for suggestion in queryset.filter(status=Decision.PENDING):
            suggestion.reject(request.user)
            done += 1
        messages.success(request, f"{done} suggestion(s) rejected.")


@admin.register(ProfileLink)
class ProfileLinkAdmin(ModelAdmin):
    """The same person on two platforms: confirm or reject suggestions (a rejected pair never comes back)."""

    list_display = ("profile", "platform", "handle", "linked", "confidence_pct", "status", "updated_at")
    list_filter = ("status", "platform")
    search_fields = ("profile__handle", "handle", "linked__handle")
    list_select_related = ("profile", "linked")
    readonly_fields = ("profile", "linked", "platform", "handle", "confidence", "evidence", "decided_by", "decided_at")
    fields = (*readonly_fields, "status")
    actions = ["confirm", "reject"]

    @display(description="Confidence", ordering="confidence")
    def confidence_pct(self, obj: ProfileLink) -> str:
        return f"{obj.confidence:.0%}"

    def has_add_permission(self, request) -> bool:
        return False

    @action(description="Confirm: the same person", permissions=["change"])
    def confirm(self, request, queryset) -> None:
        self._decide(request, queryset, ProfileLink.Status.CONFIRMED)

    @action(description="Reject: not the same person", permissions=["change"])
    def reject(self, request, queryset) -> None:
        self._decide(request, queryset, ProfileLink.Status.REJECTED)

    def _decide(self, request, queryset, status: str) -> None:
        links = list(queryset)
        for link in links:
            link.decide(status, request.user)
        messages.success(request, f"{len(links)} link(s) {status}.")

    def save_model(self, request, obj, form, change) -> None:
        if "status" in form.changed_data:
            obj.decided_by = request.user
            obj.decided_at = timezone.now()
        super().save_model(request, obj, form, change)
