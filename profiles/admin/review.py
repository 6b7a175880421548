"""What the creator and subreddit admins share for reviewing: status labels, tags, review bookkeeping
and the counts per review status above the changelist."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.decorators import display

from accounts import audit
from profiles import bulk
from profiles.models import Tag, TagSuggestion

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


def _tags_cell(obj) -> str:
    """The row's tags, and a marker when AI suggestions wait for a decision (one column, not two)."""
    names = ", ".join(tag.name for tag in obj.tags.all()) or "—"
    if obj.has_pending:
        return format_html('{} <span class="cs-badge" title="AI tag suggestions pending">AI ✨</span>', names)
    return names


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
        if change and "review_status" in form.changed_data:
            audit.record(
                audit.Action.REVIEW_STATUS,
                actor=request.user,
                team=audit.acting_team(request.user, request),
                target=obj,
                request=request,
                old_status=form.initial.get("review_status"),
                status=obj.review_status,
            )

    def save_related(self, request, form, formsets, change):
        before = (
            set(form.instance.tags.values_list("slug", flat=True)) if change and "tags" in form.changed_data else None
        )
        super().save_related(request, form, formsets, change)
        if before is not None:
            after = set(form.instance.tags.values_list("slug", flat=True))
            if before != after:
                audit.record(
                    audit.Action.TAGS_SET,
                    actor=request.user,
                    team=audit.acting_team(request.user, request),
                    target=form.instance,
                    request=request,
                    added=sorted(after - before),
                    removed=sorted(before - after),
                )

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
