"""The analyst's tool: triage, review and tag creators and subreddits; decide AI tag suggestions.

Changelists stay fast at 100,000 profiles: no per-row queries (avatars joined, tags prefetched,
pending suggestions as an EXISTS subquery evaluated only for the rows on the page), no second full
count, and review-status counts from one grouped query. Bulk edits go through ``profiles/bulk.py``
so each reports how many rows it actually changed and large selections run in the worker.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from unfold import admin as unfold_admin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import (
    AutocompleteSelectMultipleFilter,
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    DropdownFilter,
    RangeNumericFilter,
)
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import display
from unfold.forms import ActionForm
from unfold.templatetags import unfold_list

from config.templatetags.creatorscope import avatar_url, compact, pct, signed_pct
from posts.analytics import community_analytics, profile_analytics
from profiles import bulk
from profiles.models import (
    AudienceDemographics,
    Community,
    CommunityReviewStatus,
    CommunitySnapshot,
    Favorite,
    Mention,
    Platform,
    Profile,
    ProfileAccess,
    ProfileSnapshot,
    RelatedProfile,
    ReviewStatus,
    SearchHistory,
    Tag,
    TagCategory,
    TagSuggestion,
)

# Site-wide: unfold's changelist rebuilds every column header once per *row* (items_for_result calls
# result_headers), so a 50-row, 9-column page computed 450 headers to use 9. Memoised per changelist,
# the profile list at 100,000 creators renders in about half the time (bench/bench_pages.py).
_unfold_result_headers = unfold_list.result_headers


def _result_headers_once(cl):
    headers = cl.__dict__.get("_cs_headers")
    if headers is None:
        headers = cl.__dict__["_cs_headers"] = list(_unfold_result_headers(cl))
    return iter(headers)


unfold_list.result_headers = _result_headers_once


class FastRowsMixin:
    """Render each row's selection checkbox from one pre-rendered template string.

    unfold renders a widget template per row (about 4 ms each under load at 50 rows); the markup is
    identical apart from the primary key, so it is rendered once and the key substituted.
    """

    _checkbox_html = unfold_admin.checkbox.render(helpers.ACTION_CHECKBOX_NAME, "__PK__")

    @display(description=mark_safe(unfold_admin.checkbox.render("action_toggle_all", 1)))
    def action_checkbox(self, obj):
        return mark_safe(self._checkbox_html.replace("__PK__", escape(str(obj.pk))))


class EstimatedCountPaginator(Paginator):
    """Exact counts for filtered lists; PostgreSQL's row estimate for a whole large table.

    ``COUNT(*)`` over a million posts is a full scan on every page view just to print the total.
    Unfiltered, the planner's estimate (``pg_class.reltuples``, refreshed by autovacuum) is within a
    few percent and free; below ``EXACT_BELOW`` rows, or with any filter, the count is exact.
    """

    EXACT_BELOW = 50_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [query.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] >= self.EXACT_BELOW:
                return int(row[0])
        return super().count


REVIEW_LABELS = {
    "approved": "success",
    "ok": "success",
    "rejected": "danger",
    "banned": "danger",
    "watchlist": "warning",
    "no_seller": "warning",
    "non_related": "warning",
    "user_feed": "warning",
    "unreviewed": "info",
}
ACTION_FIELD_CLASS = "group-[.changelist-actions]:!bg-white/20 rounded-default px-2 py-1 text-current *:text-base-700"


def _tags_cell(obj) -> str:
    """The row's tags, and a marker when AI suggestions wait for a decision (one column, not two)."""
    names = ", ".join(tag.name for tag in obj.tags.all()) or "—"
    if obj.has_pending:
        return format_html('{} <span class="cs-badge" title="AI tag suggestions pending">AI ✨</span>', names)
    return names


# --- Filters -----------------------------------------------------------------------------------


class TaggedFilter(admin.SimpleListFilter):
    title = "tags"
    parameter_name = "tagged"

    def lookups(self, request, model_admin):
        return [("yes", "Tagged"), ("no", "Untagged")]

    def queryset(self, request, queryset):
        through = queryset.model.tags.through
        column = "profile_id" if queryset.model is Profile else "community_id"
        has_tag = Exists(through.objects.filter(**{column: OuterRef("pk")}))
        if self.value() == "yes":
            return queryset.filter(has_tag)
        if self.value() == "no":
            return queryset.filter(~has_tag)
        return queryset


class PendingSuggestionsFilter(admin.SimpleListFilter):
    title = "AI tag suggestions"
    parameter_name = "suggestions"

    def lookups(self, request, model_admin):
        return [("pending", "Has pending suggestions"), ("none", "No pending suggestions")]

    def queryset(self, request, queryset):
        target = "profile" if queryset.model is Profile else "community"
        pending = Exists(TagSuggestion.objects.filter(**{target: OuterRef("pk")}, status=TagSuggestion.Status.PENDING))
        if self.value() == "pending":
            return queryset.filter(pending)
        if self.value() == "none":
            return queryset.filter(~pending)
        return queryset


class LanguageFilter(DropdownFilter):
    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        # DISTINCT over 100,000 rows on every page view is wasted work: the set of languages the AI has
        # seen changes rarely, so it is kept for ten minutes.
        codes = cache.get("admin:profile-languages")
        if codes is None:
            codes = list(
                Profile.objects.exclude(ai_primary_language="")
                .order_by("ai_primary_language")
                .values_list("ai_primary_language", flat=True)
                .distinct()
            )
            cache.set("admin:profile-languages", codes, 600)
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(ai_primary_language=self.value()) if self.value() else queryset


class NsfwPostsFilter(admin.SimpleListFilter):
    title = "NSFW"
    parameter_name = "nsfw"

    def lookups(self, request, model_admin):
        return [("yes", "Has NSFW posts"), ("no", "No NSFW posts")]

    def queryset(self, request, queryset):
        post_model = Profile._meta.get_field("posts").related_model
        nsfw = Exists(post_model.objects.filter(author=OuterRef("pk"), is_nsfw=True))
        if self.value() == "yes":
            return queryset.filter(nsfw)
        if self.value() == "no":
            return queryset.filter(~nsfw)
        return queryset


# --- Bulk actions --------------------------------------------------------------------------------


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


class ProfileActionForm(BulkActionForm):
    status_choices = ReviewStatus.choices

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaign_model = Profile._meta.get_field("campaigns").related_model
        campaigns = campaign_model.objects.exclude(status="archived").order_by("name").values_list("pk", "name")
        self.fields["campaign"] = _select(list(campaigns), "campaign…")


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
            result = bulk.run(queryset, operation, request.user, description=f"{verb} ({self.noun})", **params)
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


class ReviewedTargetMixin:
    """What the creator and subreddit admins share: pending-suggestion flags, tags, the indexed search,
    no hand-made rows, and review bookkeeping. ``suggestion_field`` names the TagSuggestion foreign key."""

    suggestion_field: str

    def get_queryset(self, request):
        pending = TagSuggestion.objects.filter(
            **{self.suggestion_field: OuterRef("pk")}, status=TagSuggestion.Status.PENDING
        )
        return (
            super()
            .get_queryset(request)
            .annotate(has_pending=Exists(pending))
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.select_related("category")))
        )

    def has_add_permission(self, request):
        # Creators and subreddits enter through scraping, discovery or the CSV import, never by hand.
        return False

    def get_search_results(self, request, queryset, search_term):
        # The shared search (trigram and full-text GIN indexes on PostgreSQL) instead of admin's ILIKE scan.
        return queryset.search(search_term), False

    def save_model(self, request, obj, form, change):
        if "review_status" in form.changed_data:
            obj.reviewed_at = timezone.now()
            bulk.forget_review_counts(self.model)
            transaction.on_commit(lambda: bulk.forget_review_counts(self.model))
        super().save_model(request, obj, form, change)

    @display(description="tags")
    def tag_list(self, obj):
        return _tags_cell(obj)

    @display(description="tags by category")
    def tags_by_category(self, obj):
        groups: dict[str, list[str]] = {}
        for tag in obj.tags.all():
            groups.setdefault(tag.category.name, []).append(tag.name)
        if not groups:
            return "—"
        return format_html_join(
            "", "<div><strong>{}</strong>: {}</div>", ((c, ", ".join(names)) for c, names in groups.items())
        )


class ReviewCountsMixin:
    """Counts per review status above the changelist, one grouped query, each a link to its filter."""

    list_before_template = "admin/profiles/review_counts.html"

    def changelist_view(self, request, extra_context=None):
        for job in bulk.pop_finished_jobs(request.user):
            if job.status == "done":
                self.message_user(request, f"{job.description}: {job.changed:,} of {job.total:,} changed.")
            else:
                self.message_user(request, f"{job.description} failed: {job.error}", messages.ERROR)
        counts = bulk.review_counts(self.model)
        current = request.GET.get("review_status__exact", "")
        url = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")
        review_counts = [
            {
                "value": value,
                "label": label,
                "count": counts.get(value, 0),
                "url": f"{url}?review_status__exact={value}",
                "active": value == current,
            }
            for value, label in self.model._meta.get_field("review_status").choices
        ]
        extra_context = {**(extra_context or {}), "review_counts": review_counts, "review_total": sum(counts.values())}
        return super().changelist_view(request, extra_context)


# --- Import / export -------------------------------------------------------------------------------


class TagsWidget(widgets.ManyToManyWidget):
    def render(self, value, obj=None, **kwargs):
        return ", ".join(str(tag) for tag in value.all()) if value is not None else ""


class ProfileExportResource(resources.ModelResource):
    """What an exported creator list holds (CSV/XLSX)."""

    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget(Tag))
    permalink = fields.Field(attribute="permalink", column_name="url")

    class Meta:
        model = Profile
        name = "Creators (full list)"
        fields = [
            "id",
            "platform",
            "handle",
            "full_name",
            "followers_count",
            "following_count",
            "posts_count",
            "total_karma",
            "engagement_rate",
            "engagement_rate_median",
            "avg_likes",
            "avg_comments",
            "posts_per_week",
            "follower_growth_30d",
            "ai_primary_content_type",
            "ai_primary_language",
            "is_verified",
            "review_status",
            "niche",
            "tags",
            "last_scraped_at",
            "permalink",
        ]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags__category")


class ProfileImportResource(resources.ModelResource):
    """A CSV of handles to track: columns ``platform,handle`` (optional ``niche``, ``notes``).

    A handle already known (case-insensitively) is switched to tracked and keeps its review status;
    a new one starts on the watchlist, which is what the scheduler scrapes.
    """

    class Meta:
        model = Profile
        name = "Handles to track (platform, handle, niche, notes)"
        fields = ["platform", "handle", "niche", "notes"]
        import_id_fields = ["platform", "handle"]
        skip_unchanged = False
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        handle = (row.get("handle") or "").strip().lstrip("@")
        platform = (row.get("platform") or "").strip().lower()
        if platform not in Platform.values:
            raise ValueError(f"platform must be one of {', '.join(Platform.values)}, got {platform!r}")
        if not handle or len(handle) > 64 or not all(ch.isalnum() or ch in "._-" for ch in handle):
            raise ValueError(f"not a valid handle: {handle!r}")
        row["handle"], row["platform"] = handle, platform

    def get_instance(self, instance_loader, row):
        return Profile.objects.by_handle(row["platform"], row["handle"]).first()

    def import_instance(self, instance, row, **kwargs):
        is_new = instance.pk is None
        kept = {name: getattr(instance, name) for name in ("handle", "niche", "notes")}
        super().import_instance(instance, row, **kwargs)
        if not is_new:
            # The platform's spelling of a known handle stays; the CSV's "BETA" only found it.
            instance.handle = kept["handle"]
        for name in ("niche", "notes"):
            # An analyst's niche and notes are not overwritten by an empty CSV cell.
            if not (row.get(name) or "").strip():
                setattr(instance, name, kept[name])
        instance.scrape_enabled = True
        instance.next_scrape_at = None
        if is_new:
            instance.review_status = ReviewStatus.WATCHLIST
            instance.discovered_via = "csv import"


class CommunityExportResource(resources.ModelResource):
    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget(Tag))

    class Meta:
        model = Community
        fields = [
            "id",
            "name",
            "title",
            "subscribers",
            "active_users",
            "is_nsfw",
            "posts_per_day",
            "avg_upvotes",
            "comments_per_upvote",
            "subscriber_growth_30d",
            "primary_category",
            "review_status",
            "tags",
            "verification_required",
            "last_scraped_at",
        ]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags__category")


class ExportImportMixin(ImportExportModelAdmin):
    import_form_class = ImportForm
    export_form_class = ExportForm
    export_formats = [CSV, XLSX]
    import_formats = [CSV]

    def has_import_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")


# --- Taxonomy ----------------------------------------------------------------------------------


class TagInline(TabularInline):
    model = Tag
    extra = 0
    fields = ["name", "slug", "description", "is_sensitive"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(TagCategory)
class TagCategoryAdmin(ModelAdmin):
    list_display = ["name", "slug", "position", "tag_count"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    ordering = ["position", "name"]
    inlines = [TagInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tag_count=Count("tags"))

    @display(description="tags", ordering="tag_count")
    def tag_count(self, obj):
        return obj.tag_count


@admin.register(Tag)
class TagAdmin(ModelAdmin):
    list_display = ["name", "category", "is_sensitive", "profile_count", "created_at"]
    list_filter = ["category", "is_sensitive"]
    list_select_related = ["category"]
    # Autocomplete answers "Niche: Skincare" grouped by category order (the model's ordering).
    search_fields = ["name", "category__name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(profile_count=Count("profiles", distinct=True))

    @display(description="creators", ordering="profile_count")
    def profile_count(self, obj):
        return obj.profile_count


# --- Tag suggestions -------------------------------------------------------------------------------


def _suggestion_buttons(suggestion: TagSuggestion) -> str:
    if suggestion.status != TagSuggestion.Status.PENDING:
        return suggestion.get_status_display()
    # formaction buttons post the surrounding admin form (CSRF token included) to the decide view.
    return format_html(
        '<span class="cs-decide">'
        '<button type="submit" class="cs-btn cs-btn-ok" formaction="{}" formmethod="post" '
        'data-suggestion="{}" title="Add the tag and mark the suggestion accepted">Accept</button> '
        '<button type="submit" class="cs-btn cs-btn-no" formaction="{}" formmethod="post">Reject</button></span>',
        reverse("admin:profiles_tagsuggestion_decide", args=[suggestion.pk, "accept"]),
        suggestion.pk,
        reverse("admin:profiles_tagsuggestion_decide", args=[suggestion.pk, "reject"]),
    )


class TagSuggestionInline(TabularInline):
    model = TagSuggestion
    fk_name = "profile"
    extra = 0
    can_delete = False
    fields = ["tag", "confidence_display", "model_version", "status", "decide"]
    readonly_fields = fields
    verbose_name = "AI tag suggestion"
    verbose_name_plural = "AI tag suggestions"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tag__category").order_by("status", "-confidence")

    def has_add_permission(self, request, obj=None):
        return False

    @display(description="confidence")
    def confidence_display(self, obj):
        return f"{obj.confidence:.0%}"

    @display(description="decide")
    def decide(self, obj):
        return _suggestion_buttons(obj)


class CommunityTagSuggestionInline(TagSuggestionInline):
    fk_name = "community"


@admin.register(TagSuggestion)
class TagSuggestionAdmin(FastRowsMixin, ModelAdmin):
    list_display = ["tag", "target", "confidence_display", "status", "model_version", "created_at", "decide"]
    # All categories (a small table), not RelatedOnly: that one scans every suggestion for DISTINCT.
    list_filter = [("status", ChoicesDropdownFilter), "tag__category"]
    search_fields = ["tag__name", "profile__handle", "community__name"]
    # Targets prefetched for the page's rows only: joining them first made PostgreSQL join every pending
    # suggestion with 100,000 profiles before sorting by confidence.
    list_select_related = ["tag__category"]
    raw_id_fields = ["profile", "community"]
    readonly_fields = ["decided_by", "decided_at", "created_at"]
    actions = ["accept_selected", "reject_selected"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("profile", "community")

    def get_urls(self):
        return [
            path(
                "<int:pk>/<str:decision>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="profiles_tagsuggestion_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int, decision: str):
        return decide_suggestion(request, pk, decision)

    @display(description="for")
    def target(self, obj):
        return obj.profile or obj.community

    @display(description="confidence", ordering="confidence")
    def confidence_display(self, obj):
        return f"{obj.confidence:.0%}"

    @display(description="decide")
    def decide(self, obj):
        return _suggestion_buttons(obj)

    def _decide(self, request, queryset, accept: bool) -> None:
        decided = 0
        for suggestion in queryset.filter(status=TagSuggestion.Status.PENDING).select_related("profile", "community"):
            suggestion.accept(request.user) if accept else suggestion.reject(request.user)
            decided += 1
        self.message_user(request, f"{'Accepted' if accept else 'Rejected'} {decided} suggestion(s).")

    @admin.action(description="Accept selected suggestions", permissions=["change"])
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description="Reject selected suggestions", permissions=["change"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, accept=False)


@require_POST
@staff_member_required
def decide_suggestion(request, pk: int, decision: str):
    """One click: accept or reject one AI suggestion, then go back where the analyst was."""
    if not request.user.has_perm("profiles.change_tagsuggestion"):
        messages.error(request, "You may not decide tag suggestions.")
        return HttpResponseRedirect(request.META.get("HTTP_REFERER") or reverse("admin:index"))
    suggestion = get_object_or_404(TagSuggestion.objects.select_related("tag", "profile", "community"), pk=pk)
    if decision not in ("accept", "reject"):
        messages.error(request, f"Unknown decision {decision!r}.")
    elif suggestion.status != TagSuggestion.Status.PENDING:
        messages.info(request, f"“{suggestion.tag}” was already {suggestion.get_status_display().lower()}.")
    elif decision == "accept":
        suggestion.accept(request.user)
        messages.success(request, f"Tag “{suggestion.tag}” added to {suggestion.target}.")
    else:
        suggestion.reject(request.user)
        messages.success(request, f"Suggestion “{suggestion.tag}” rejected for {suggestion.target}.")
    return HttpResponseRedirect(request.META.get("HTTP_REFERER") or reverse("admin:profiles_tagsuggestion_changelist"))


# --- Profiles ------------------------------------------------------------------------------------


class SnapshotInline(TabularInline):
    """Scrape history: every scrape appends one snapshot."""

    model = ProfileSnapshot
    extra = 0
    can_delete = False
    max_num = 0
    fields = ["captured_at", "followers_count", "following_count", "posts_count", "total_karma", "engagement_rate"]
    readonly_fields = fields
    verbose_name = "scrape"
    verbose_name_plural = "Scrape history (latest 20)"
    collapsible = True
    hide_title = True

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-captured_at")

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


@admin.register(Profile)
class ProfileAdmin(
    FastRowsMixin, BulkActionsMixin, ReviewedTargetMixin, ReviewCountsMixin, ExportImportMixin, ModelAdmin
):
    noun = "profiles"
    suggestion_field = "profile"
    action_form = ProfileActionForm
    resource_classes = [ProfileExportResource, ProfileImportResource]
    list_display = [
        "creator",
        "followers",
        "engagement",
        "growth",
        "content",
        "review",
        "tag_list",
        "last_scraped_at",
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
    ]
    inlines = [TagSuggestionInline, SnapshotInline]
    change_form_after_template = "admin/profiles/analytics_panel.html"
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
            extra["recent_posts"] = list(profile.posts.prefetch_related("media__asset").order_by("-posted_at")[:12])
            extra["viral_posts"] = list(
                profile.posts.filter(is_viral=True).prefetch_related("media__asset").order_by("-posted_at")[:6]
            )
            extra["profile"] = profile
        return super().change_view(request, object_id, form_url, extra)

    # -- columns

    @display(header=True, description="creator", ordering="handle")
    def creator(self, obj):
        picture = avatar_url(obj)
        initials = (obj.full_name or obj.handle)[:2].upper()
        subtitle = " · ".join(part for part in (obj.get_platform_display(), obj.full_name) if part)
        handle = obj.handle + (" ✔" if obj.is_verified else "")
        return [handle, subtitle, initials, {"path": picture, "squared": False} if picture else None]

    @display(description="followers", ordering="followers_count")
    def followers(self, obj):
        return compact(obj.followers_count if obj.platform == Platform.INSTAGRAM else obj.total_karma)

    @display(description="engagement", ordering="engagement_rate")
    def engagement(self, obj):
        return pct(obj.engagement_rate)

    @display(description="growth 30d", ordering="follower_growth_30d")
    def growth(self, obj):
        return signed_pct(obj.follower_growth_30d)

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
        self._run(request, queryset, "add_to_campaign", "Add to campaign", campaign_id=int(campaign_id))


@admin.register(ProfileSnapshot)
class ProfileSnapshotAdmin(ModelAdmin):
    list_display = ["profile", "captured_at", "followers_count", "following_count", "posts_count", "total_karma"]
    list_filter = [("profile__platform", ChoicesDropdownFilter)]
    search_fields = ["profile__handle"]
    raw_id_fields = ["profile"]
    list_select_related = ["profile"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False


# --- Communities ---------------------------------------------------------------------------------


class CommunitySnapshotInline(SnapshotInline):
    model = CommunitySnapshot
    fields = ["captured_at", "subscribers", "visitors", "active_users"]
    readonly_fields = fields


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
        "posts_per_day",
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
    ]
    inlines = [CommunityTagSuggestionInline, CommunitySnapshotInline]
    change_form_after_template = "admin/profiles/community_panel.html"
    readonly_fields = [
        "name",
        "title",
        "public_description",
        "description",
        "subscribers",
        "visitors",
        "active_users",
        "is_nsfw",
        "created_utc",
        "subreddit_type",
        "rules_display",
        "allowed_post_types",
        "verification_required",
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

    @display(description="subreddit", ordering="name")
    def subreddit(self, obj):
        return f"r/{obj.name}"

    @display(description="subscribers", ordering="subscribers")
    def subscriber_count(self, obj):
        return compact(obj.subscribers)

    @display(description="active", ordering="active_users")
    def active(self, obj):
        return compact(obj.active_users)

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


# --- The rest of the profiles app ------------------------------------------------------------------


@admin.register(AudienceDemographics)
class AudienceDemographicsAdmin(ModelAdmin):
    list_display = ["profile", "source", "captured_on"]
    list_filter = ["source"]
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
    list_display = ["profile", "related", "source", "score"]
    list_filter = ["source"]
    search_fields = ["profile__handle", "related__handle"]
    raw_id_fields = ["profile", "related"]
    list_select_related = ["profile", "related"]


@admin.register(Favorite)
class FavoriteAdmin(ModelAdmin):
    list_display = ["user", "profile", "created_at"]
    search_fields = ["user__username", "profile__handle"]
    raw_id_fields = ["profile"]
    list_select_related = ["user", "profile"]


@admin.register(ProfileAccess)
class ProfileAccessAdmin(ModelAdmin):
    list_display = ["user", "profile", "granted_at", "expires_at"]
    search_fields = ["user__username", "profile__handle"]
    raw_id_fields = ["profile"]
    list_select_related = ["user", "profile"]


@admin.register(SearchHistory)
class SearchHistoryAdmin(ModelAdmin):
    list_display = ["user", "query", "result_count", "created_at"]
    search_fields = ["user__username", "query"]
    list_select_related = ["user"]
