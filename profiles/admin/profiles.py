"""Creators: the review changelist, the detail page with analytics, "scrape/analyse now", snapshots,
and the admins of the rest of a creator's records (audience, mentions, related, favorites, access)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import F, OrderBy
from django.db.models.functions import Lower
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import (
    AutocompleteSelectMultipleFilter,
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    RangeNumericFilter,
)
from unfold.decorators import display

from config import formatting
from config.admin import (
    EstimatedCountPaginator,
    ExportImportMixin,
    FastRowsMixin,
    ReadOnlyInline,
    TeamScopedAdminMixin,
)
from config.formatting import compact, pct, signed_pct
from config.templatetags.creatorscope import avatar_url
from posts.analytics import profile_analytics, reddit_figures
from profiles import bulk
from profiles.admin.actions import BulkActionsMixin, ProfileActionForm, editable_campaigns
from profiles.admin.filters import (
    HasEmailFilter,
    LanguageFilter,
    MentionsFilter,
    NsfwPostsFilter,
    PendingSuggestionsFilter,
    TaggedFilter,
)
from profiles.admin.imports import BackgroundImportMixin
from profiles.admin.lists import ContactInline
from profiles.admin.resources import ProfileExportResource, ProfileImportResource
from profiles.admin.review import REVIEW_LABELS, ReviewCountsMixin, ReviewedTargetMixin
from profiles.admin.taxonomy import TagSuggestionInline
from profiles.models import (
    AudienceDemographics,
    Favorite,
    Mention,
    Platform,
    Profile,
    ProfileAccess,
    ProfileSnapshot,
    RelatedProfile,
    ReviewStatus,
    SearchHistory,
)


class SnapshotInline(ReadOnlyInline):
    """Scrape history: every scrape appends one snapshot."""

    model = ProfileSnapshot
    fields = ["captured_at", "followers_count", "following_count", "posts_count", "total_karma", "engagement"]
    verbose_name = "scrape"
    verbose_name_plural = "Scrape history (latest 20)"
    collapsible = True
    hide_title = True

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-captured_at")

    @display(description="engagement")
    def engagement(self, obj):
        return pct(obj.engagement_rate)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        model = self.model

        class Latest(formset):
            # Only the newest 20: a profile scraped daily for years would otherwise render thousands of rows.
            def get_queryset(self):
                if not hasattr(self, "_latest"):
                    ids = list(super().get_queryset().values_list("pk", flat=True)[:20])
                    self._latest = model.objects.filter(pk__in=ids).order_by("-captured_at")
                return self._latest

        return Latest


def _biggest_first(field: str) -> OrderBy:
    """A changelist column's ordering: highest first, unknown last; the reversed click is its mirror."""
    return OrderBy(F(field), descending=True, nulls_last=True)


@admin.register(Profile)
class ProfileAdmin(
    FastRowsMixin,
    BulkActionsMixin,
    ReviewedTargetMixin,
    ReviewCountsMixin,
    BackgroundImportMixin,
    ExportImportMixin,
    ModelAdmin,
):
    noun = "profiles"
    suggestion_field = "profile"
    action_form = ProfileActionForm
    resource_classes = [ProfileExportResource]
    import_resource_classes = [ProfileImportResource]
    list_display = [
        "creator",
        "followers",
        "engagement",
        "growth",
        "content",
        "review",
        "tag_list",
        "scraped",
    ]
    list_display_links = ["creator"]
    list_filter = [
        ("platform", ChoicesDropdownFilter),
        ("review_status", ChoicesDropdownFilter),
        ("ai_primary_content_type", ChoicesDropdownFilter),
        LanguageFilter,
        ("followers_count", RangeNumericFilter),
        ("engagement_rate", RangeNumericFilter),
        ("is_verified", BooleanRadioFilter),
        TaggedFilter,
        ("tags", AutocompleteSelectMultipleFilter),
        PendingSuggestionsFilter,
        NsfwPostsFilter,
        ("scrape_status", ChoicesDropdownFilter),
        HasEmailFilter,
        MentionsFilter,
    ]
    list_filter_submit = True
    search_fields = ["handle", "full_name"]
    search_help_text = "Handle or name"
    list_select_related = ["avatar_asset"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    # The exact count of a filtered 100,000-row table is one more full scan per page view.
    show_full_result_count = False
    # Instagram creators biggest first, then Reddit users (who have karma, no follower count). This is
    # the order of the (platform, -followers_count) index, so the first page reads 50 index entries
    # instead of sorting 100,000 rows (about 10x faster at 100,000 creators, bench/bench_pages.py).
    ordering = ["platform", "-followers_count"]

    def get_ordering(self, request):
        """The default order, or only the clicked column (then the primary key, which Django adds).

        Django appends the default order to a clicked column's; for the creators whose value is
        unknown (300,000 Reddit users have no follower count, at full size) that tail made
        PostgreSQL sort them all before the first page (~400 ms), where the column's index alone
        gives the page at once.
        """
        return [] if "o" in request.GET else super().get_ordering(request)

    empty_value_display = "—"
    autocomplete_fields = ["tags"]
    actions = [
        "approve",
        "reject",
        "watchlist",
        "set_status",
        "set_niche",
        "add_tag",
        "remove_tag",
        "accept_suggestions",
        "reject_suggestions",
        "scrape_now",
        "analyse_now",
        "add_to_campaign",
        "add_to_list",
    ]
    inlines = [ContactInline, TagSuggestionInline, SnapshotInline]
    # The analytics first: a reviewer decides from the numbers, then edits the few analyst fields below.
    change_form_before_template = "admin/profiles/analytics_panel.html"
    readonly_fields = [
        "platform",
        "handle",
        "full_name",
        "bio",
        "external_url",
        "is_verified",
        "is_private",
        "is_business",
        "category",
        "followers_count",
        "following_count",
        "posts_count",
        "total_karma",
        "account_created_at",
        "tags_by_category",
        "scrape_status",
        "last_error",
        "last_scraped_at",
        "metrics_computed_at",
        "ai_analyzed_at",
        "created_at",
        "updated_at",
        "discovered_via",
        "reviewed_at",
        "audience_credibility",
        "audience_estimated_at",
        "benchmarks",
    ]
    fieldsets = [
        ("Review", {"fields": ["review_status", "niche", "tags", "tags_by_category", "notes", "reviewed_at"]}),
        (
            "Platform data (from the last scrape, read-only)",
            {
                "fields": [
                    ("platform", "handle"),
                    "full_name",
                    "bio",
                    "external_url",
                    ("is_verified", "is_private", "is_business"),
                    "category",
                    ("followers_count", "following_count", "posts_count", "total_karma"),
                    "account_created_at",
                ]
            },
        ),
        (
            "Audience (estimates from public data; formula on the profile page)",
            {"fields": [("audience_credibility", "audience_estimated_at"), "benchmarks"]},
        ),
        (
            "Scraping",
            {
                "fields": [
                    ("scrape_enabled", "scrape_priority"),
                    ("scrape_status", "last_scraped_at"),
                    "last_error",
                    ("metrics_computed_at", "ai_analyzed_at"),
                    ("discovered_via", "created_at", "updated_at"),
                ]
            },
        ),
    ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/enqueue/<str:what>/",
                self.admin_site.admin_view(self.enqueue_view),
                name="profiles_profile_enqueue",
            ),
            *super().get_urls(),
        ]

    def enqueue_view(self, request, pk: int, what: str):
        if request.method != "POST" or not self.has_change_permission(request):
            messages.error(request, "Scrape and analyse need a POST by someone who may change profiles.")
        elif what in ("scrape", "analyse"):
            operation = "enqueue_scrape" if what == "scrape" else "enqueue_analysis"
            bulk.run(Profile.objects.filter(pk=pk), operation, request.user, description=what)
            messages.success(request, f"{'Scrape' if what == 'scrape' else 'Analysis'} queued.")
        return HttpResponseRedirect(reverse("admin:profiles_profile_change", args=[pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        profile = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if profile is not None:
            extra["analytics"] = profile_analytics(profile)
            extra["recent_posts"] = list(
                profile.posts.select_related("community").prefetch_related("media__asset").order_by("-posted_at")[:12]
            )
            if profile.platform == Platform.REDDIT:
                extra["reddit"] = reddit_figures(profile, extra["recent_posts"])
            extra["viral_posts"] = list(
                profile.posts.filter(is_viral=True).prefetch_related("media__asset").order_by("-posted_at")[:6]
            )
            extra["profile"] = profile
        return super().change_view(request, object_id, form_url, extra)

    # -- columns

    # Case-insensitive, as the unique (LOWER(handle), platform) index is: at 1,000,000 creators sorting
    # by it reads 50 index entries instead of sorting the table (3.3 s, issue #23).
    @display(header=True, description="creator", ordering=Lower("handle"))
    def creator(self, obj):
        picture = avatar_url(obj)
        initials = (obj.full_name or obj.handle)[:2].upper()
        subtitle = " · ".join(part for part in (obj.get_platform_display(), obj.full_name) if part)
        handle = obj.handle + (" ✔" if obj.is_verified else "")
        return [handle, subtitle, initials, {"path": picture, "squared": False} if picture else None]

    # The number columns sort highest first on the first click, unknown values last, in the order of
    # their (column DESC NULLS LAST, id) indexes (migrations 0005 and 0017): at 1,000,000 creators
    # sorting by followers, engagement, growth or last scrape read 50 index entries instead of sorting
    # the table (1.2-1.6 s a page, issue #23).
    @display(description="followers", ordering=_biggest_first("followers_count"))
    def followers(self, obj):
        return compact(obj.followers_count if obj.platform == Platform.INSTAGRAM else obj.total_karma)

    @display(description="engagement", ordering=_biggest_first("engagement_rate"))
    def engagement(self, obj):
        return pct(obj.engagement_rate)

    @display(description="growth 30d", ordering=_biggest_first("follower_growth_30d"))
    def growth(self, obj):
        return signed_pct(obj.follower_growth_30d)

    @display(description="last scraped", ordering=_biggest_first("last_scraped_at"))
    def scraped(self, obj):
        return obj.last_scraped_at

    @display(description="category · language", ordering="ai_primary_content_type")
    def content(self, obj):
        category = obj.get_ai_primary_content_type_display() or "—"
        return f"{category} · {obj.ai_primary_language}" if obj.ai_primary_language else category

    @display(description="review", ordering="review_status", label=REVIEW_LABELS)
    def review(self, obj):
        return obj.review_status

    # -- actions (the shared ones live in BulkActionsMixin)

    @admin.action(description="Approve", permissions=["change"])
    def approve(self, request, queryset):
        self._status_action(request, queryset, ReviewStatus.APPROVED)

    @admin.action(description="Reject", permissions=["change"])
    def reject(self, request, queryset):
        self._status_action(request, queryset, ReviewStatus.REJECTED)

    @admin.action(description="Put on watchlist", permissions=["change"])
    def watchlist(self, request, queryset):
        self._status_action(request, queryset, ReviewStatus.WATCHLIST)

    @admin.action(description="Set niche (type it in the action bar)", permissions=["change"])
    def set_niche(self, request, queryset):
        niche = self._form_value(request, "niche")
        if not niche:
            self.message_user(request, "Type the niche in the action bar first.", messages.WARNING)
            return
        self._run(request, queryset, "set_niche", f"Set niche to “{niche}”", niche=niche)

    @admin.action(description="Analyse now (AI)", permissions=["change"])
    def analyse_now(self, request, queryset):
        self._run(request, queryset, "enqueue_analysis", "Queue AI analysis")

    @admin.action(description="Add to campaign (choose it in the action bar)", permissions=["change"])
    def add_to_campaign(self, request, queryset):
        campaign_id = self._form_value(request, "campaign")
        if not campaign_id.isdigit():
            self.message_user(request, "Choose a campaign in the action bar first.", messages.WARNING)
            return
        if not request.user.has_perm("campaigns.add_campaignprofile"):
            self.message_user(request, "You may not add creators to campaigns.", messages.ERROR)
            return
        campaign = editable_campaigns(request).filter(pk=campaign_id).first()
        if campaign is None:
            self.message_user(request, "Choose a campaign of your current team that you may change.", messages.ERROR)
            return
        self._run(request, queryset, "add_to_campaign", f"Add to campaign “{campaign}”", campaign_id=campaign.pk)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        form = getattr(response, "context_data", {}).get("action_form")
        if form is not None and "campaign" in form.fields:  # this user's campaigns (editable_campaigns)
            choices = list(editable_campaigns(request).values_list("pk", "name"))
            form.fields["campaign"].widget.choices = [("", "campaign…"), *choices]
        return response


@admin.register(ProfileSnapshot)
class ProfileSnapshotAdmin(ModelAdmin):
    list_display = ["profile", "captured_at", "followers_count", "following_count", "posts_count", "total_karma"]
    list_filter = [("profile__platform", ChoicesDropdownFilter)]
    search_fields = ["profile__handle"]
    raw_id_fields = ["profile"]
    list_select_related = ["profile"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False


# --- The rest of a creator's records --------------------------------------------------------------


@admin.register(AudienceDemographics)
class AudienceDemographicsAdmin(ModelAdmin):
    list_display = ["profile", "source", "segment", "captured_on", "sample_size"]
    list_filter = ["source", "segment"]
    search_fields = ["profile__handle"]
    raw_id_fields = ["profile"]
    list_select_related = ["profile"]


@admin.register(Mention)
class MentionAdmin(ModelAdmin):
    list_display = ["profile", "mentioned_handle", "mentioned_profile", "times", "last_seen_at"]
    list_filter = ["platform"]
    search_fields = ["profile__handle", "mentioned_handle"]
    raw_id_fields = ["profile", "mentioned_profile"]
    list_select_related = ["profile", "mentioned_profile"]


@admin.register(RelatedProfile)
class RelatedProfileAdmin(ModelAdmin):
    list_display = ["profile", "related", "source", "similarity"]
    list_filter = ["source"]
    search_fields = ["profile__handle", "related__handle"]
    raw_id_fields = ["profile", "related"]
    list_select_related = ["profile", "related"]

    @display(description="score", ordering="score")
    def similarity(self, obj):
        return formatting.number(obj.score, 2)


@admin.register(Favorite)
class FavoriteAdmin(TeamScopedAdminMixin, ModelAdmin):
    list_display = ["user", "team", "profile", "created_at"]
    search_fields = ["user__username", "team__name", "profile__handle"]
    raw_id_fields = ["profile"]
    list_select_related = ["user", "team", "profile"]


@admin.register(ProfileAccess)
class ProfileAccessAdmin(TeamScopedAdminMixin, ModelAdmin):
    list_display = ["user", "team", "profile", "granted_at", "expires_at"]
    search_fields = ["user__username", "team__name", "profile__handle"]
    raw_id_fields = ["profile"]
    list_select_related = ["user", "team", "profile"]


@admin.register(SearchHistory)
class SearchHistoryAdmin(TeamScopedAdminMixin, ModelAdmin):
    list_display = ["user", "team", "query", "result_count", "created_at"]
    search_fields = ["user__username", "team__name", "query"]
    list_select_related = ["user", "team"]
