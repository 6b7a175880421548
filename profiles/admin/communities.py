"""Subreddits: the review changelist, the detail page with analytics and rules, and their snapshots."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import (
    AutocompleteSelectMultipleFilter,
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    RangeNumericFilter,
)
from unfold.decorators import display

from config.admin import EstimatedCountPaginator, ExportImportMixin, FastRowsMixin
from config.formatting import compact, ratio, signed_pct
from posts.analytics import community_analytics
from profiles.admin.actions import BulkActionsMixin, CommunityActionForm
from profiles.admin.filters import PendingSuggestionsFilter, TaggedFilter
from profiles.admin.profiles import SnapshotInline
from profiles.admin.reddit import CommunityRequirementsInline, ReviewSuggestionInline
from profiles.admin.resources import CommunityExportResource
from profiles.admin.review import REVIEW_LABELS, ReviewCountsMixin, ReviewedTargetMixin
from profiles.admin.taxonomy import TagSuggestionInline
from profiles.models import Community, CommunityReviewStatus, CommunitySnapshot


class CommunityTagSuggestionInline(TagSuggestionInline):
    fk_name = "community"


class CommunitySnapshotInline(SnapshotInline):
    model = CommunitySnapshot
    fields = ["captured_at", "subscribers", "visitors", "active_users"]


@admin.register(Community)
class CommunityAdmin(
    FastRowsMixin, BulkActionsMixin, ReviewedTargetMixin, ReviewCountsMixin, ExportImportMixin, ModelAdmin
):
    noun = "communities"
    suggestion_field = "community"
    action_form = CommunityActionForm
    resource_classes = [CommunityExportResource]
    list_display = [
        "subreddit",
        "subscriber_count",
        "active",
        "activity",
        "growth",
        "nsfw",
        "category",
        "review",
        "tag_list",
        "last_scraped_at",
    ]
    list_display_links = ["subreddit"]
    list_filter = [
        ("review_status", ChoicesDropdownFilter),
        ("primary_category", ChoicesDropdownFilter),
        ("subscribers", RangeNumericFilter),
        ("is_nsfw", BooleanRadioFilter),
        ("verification_required", BooleanRadioFilter),
        TaggedFilter,
        ("tags", AutocompleteSelectMultipleFilter),
        PendingSuggestionsFilter,
        ("scrape_status", ChoicesDropdownFilter),
    ]
    list_filter_submit = True
    search_fields = ["name", "title"]
    list_per_page = 50
    show_full_result_count = False
    ordering = [F("subscribers").desc(nulls_last=True), "id"]
    empty_value_display = "—"
    autocomplete_fields = ["tags"]
    actions = [
        "mark_ok",
        "set_status",
        "add_tag",
        "remove_tag",
        "accept_suggestions",
        "reject_suggestions",
        "scrape_now",
        "add_to_list",
    ]
    inlines = [
        CommunityRequirementsInline,
        ReviewSuggestionInline,
        CommunityTagSuggestionInline,
        CommunitySnapshotInline,
    ]
    change_form_before_template = "admin/profiles/community_panel.html"
    # Everything a scrape writes is read-only here (the fieldsets choose what is shown, and where).
    readonly_fields = [
        *Community.SCRAPED_FIELDS,
        "rules_display",
        "ai_suggested_category",
        "ai_category_confidence",
        "scrape_status",
        "last_error",
        "last_scraped_at",
        "reviewed_at",
        "tags_by_category",
    ]
    fieldsets = [
        (
            "Review",
            {
                "fields": [
                    "review_status",
                    ("primary_category", "ai_suggested_category", "ai_category_confidence"),
                    "tags",
                    "tags_by_category",
                    "notes",
                    "reviewed_at",
                ]
            },
        ),
        ("Rules", {"fields": ["rules_display", "allowed_post_types", "verification_required"]}),
        (
            "Subreddit (from the last scrape, read-only)",
            {
                "fields": [
                    ("name", "title"),
                    "public_description",
                    "description",
                    ("subscribers", "visitors", "active_users"),
                    ("is_nsfw", "subreddit_type", "created_utc"),
                ]
            },
        ),
        ("Scraping", {"fields": ["scrape_enabled", ("scrape_status", "last_scraped_at"), "last_error"]}),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        community = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if community is not None:
            extra["analytics"] = community_analytics(community)
            extra["recent_posts"] = list(
                community.posts.select_related("author").prefetch_related("media__asset").order_by("-posted_at")[:12]
            )
        return super().change_view(request, object_id, form_url, extra)

    # Case-insensitive, as the unique index on LOWER(name) is: sorting by it reads 50 index entries
    # (the rest of the order is an incremental sort of equal names) instead of sorting every subreddit.
    @display(description="subreddit", ordering=Lower("name"))
    def subreddit(self, obj):
        return f"r/{obj.name}"

    @display(description="subscribers", ordering="subscribers")
    def subscriber_count(self, obj):
        return compact(obj.subscribers)

    @display(description="active", ordering="active_users")
    def active(self, obj):
        return compact(obj.active_users)

    @display(description="posts / day", ordering="posts_per_day")
    def activity(self, obj):
        return ratio(obj.posts_per_day, 1)

    @display(description="growth 30d", ordering="subscriber_growth_30d")
    def growth(self, obj):
        return signed_pct(obj.subscriber_growth_30d)

    @display(description="NSFW", boolean=True, ordering="is_nsfw")
    def nsfw(self, obj):
        return obj.is_nsfw

    @display(description="category", ordering="primary_category")
    def category(self, obj):
        if obj.primary_category:
            return obj.get_primary_category_display()
        if obj.ai_suggested_category:
            return f"{obj.get_ai_suggested_category_display()} (AI)"
        return "—"

    @display(description="review", ordering="review_status", label=REVIEW_LABELS)
    def review(self, obj):
        return obj.review_status

    @display(description="rules")
    def rules_display(self, obj):
        if not obj.rules:
            return "—"
        return format_html(
            "<ol class='cs-rules'>{}</ol>",
            format_html_join(
                "",
                "<li><strong>{}</strong> <span class='cs-muted'>({})</span><br>{}</li>",
                (
                    (rule.get("short_name", ""), rule.get("kind", "all"), rule.get("description", ""))
                    for rule in obj.rules
                ),
            ),
        )

    @admin.action(description="Mark OK", permissions=["change"])
    def mark_ok(self, request, queryset):
        self._status_action(request, queryset, CommunityReviewStatus.OK)


@admin.register(CommunitySnapshot)
class CommunitySnapshotAdmin(ModelAdmin):
    list_display = ["community", "captured_at", "subscribers", "visitors", "active_users"]
    search_fields = ["community__name"]
    raw_id_fields = ["community"]
    list_select_related = ["community"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
