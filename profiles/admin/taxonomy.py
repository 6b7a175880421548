"""Tags, tag categories and AI tag suggestions, with the one-click accept/reject view."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import display

from accounts import audit
from config.admin import FastRowsMixin, ReadOnlyInline
from profiles.models import Tag, TagCategory, TagSuggestion


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


class TagSuggestionInline(ReadOnlyInline):
    """A creator's AI tag suggestions, each decided with its own buttons (``decide_suggestion``)."""

    model = TagSuggestion
    fk_name = "profile"
    fields = ["tag", "confidence_display", "model_version", "status", "decide"]
    verbose_name = "AI tag suggestion"
    verbose_name_plural = "AI tag suggestions"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tag__category").order_by("status", "-confidence")

    @display(description="confidence")
    def confidence_display(self, obj):
        return f"{obj.confidence:.0%}"

    @display(description="decide")
    def decide(self, obj):
        return _suggestion_buttons(obj)


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
        decided = []
        with transaction.atomic():
            pending = queryset.filter(status=TagSuggestion.Status.PENDING).select_related("tag", "profile", "community")
            for suggestion in pending:
                suggestion.accept(request.user) if accept else suggestion.reject(request.user)
                decided.append(suggestion)
            if decided:
                # One entry for the whole action, with its count; a single suggestion is named.
                single = decided[0] if len(decided) == 1 else None
                audit.record(
                    audit.Action.SUGGESTION_ACCEPTED if accept else audit.Action.SUGGESTION_REJECTED,
                    actor=request.user,
                    team=audit.acting_team(request.user, request),
                    target=single.target if single else None,
                    request=request,
                    operation="decide_suggestions",
                    count=len(decided),
                    **({"tag": single.tag.slug} if single else {}),
                )
        decided = len(decided)
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
    else:
        with transaction.atomic():
            if decision == "accept":
                suggestion.accept(request.user)
                messages.success(request, f"Tag “{suggestion.tag}” added to {suggestion.target}.")
            else:
                suggestion.reject(request.user)
                messages.success(request, f"Suggestion “{suggestion.tag}” rejected for {suggestion.target}.")
            audit.record(
                audit.Action.SUGGESTION_ACCEPTED if decision == "accept" else audit.Action.SUGGESTION_REJECTED,
                actor=request.user,
                team=audit.acting_team(request.user, request),
                target=suggestion.target,
                request=request,
                tag=suggestion.tag.slug,
                confidence=round(suggestion.confidence, 3),
            )
    return HttpResponseRedirect(request.META.get("HTTP_REFERER") or reverse("admin:profiles_tagsuggestion_changelist"))
