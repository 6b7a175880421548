"""Campaigns in admin: pipeline per creator, tracked posts, export of a campaign's creators."""

from __future__ import annotations

from django.contrib import admin
from import_export import fields, resources
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import display

from campaigns.models import Campaign, CampaignPost, CampaignProfile
from config.admin import ExportImportMixin, TeamChildInlineMixin, TeamScopedAdminMixin
from config.templatetags.creatorscope import compact, pct

PIPELINE_LABELS = {
    "shortlisted": "info",
    "contacted": "info",
    "confirmed": "warning",
    "published": "success",
    "paid": "success",
}


class CampaignProfileInline(TeamChildInlineMixin, TabularInline):
    model = CampaignProfile
    extra = 0
    raw_id_fields = ["profile"]
    fields = ["profile", "status", "fee", "notes"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile")


class CampaignPostInline(TeamChildInlineMixin, TabularInline):
    model = CampaignPost
    extra = 0
    raw_id_fields = ["post"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("post")


@admin.register(Campaign)
class CampaignAdmin(TeamScopedAdminMixin, ModelAdmin):
    list_display = ["name", "brand", "team", "owner", "state", "start_date", "end_date", "budget"]
    list_filter = [("status", ChoicesDropdownFilter), "team"]
    search_fields = ["name", "brand", "team__name"]
    list_select_related = ["team", "owner"]
    inlines = [CampaignProfileInline, CampaignPostInline]

    @display(
        description="status", ordering="status", label={"active": "success", "draft": "info", "archived": "warning"}
    )
    def state(self, obj):
        return obj.status

    def view_on_site(self, obj):
        from django.urls import reverse

        return reverse("campaigns:detail", args=[obj.pk])


class CampaignProfileResource(resources.ModelResource):
    """A campaign's creators as a spreadsheet (CSV/XLSX)."""

    campaign = fields.Field(attribute="campaign__name", column_name="campaign")
    platform = fields.Field(attribute="profile__platform", column_name="platform")
    handle = fields.Field(attribute="profile__handle", column_name="handle")
    followers = fields.Field(attribute="profile__followers_count", column_name="followers")
    engagement_rate = fields.Field(attribute="profile__engagement_rate", column_name="engagement_rate")

    class Meta:
        model = CampaignProfile
        name = "Campaign creators"
        fields = [
            "campaign",
            "platform",
            "handle",
            "followers",
            "engagement_rate",
            "status",
            "fee",
            "notes",
            "added_at",
        ]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("campaign", "profile")


@admin.register(CampaignPost)
class CampaignPostAdmin(TeamScopedAdminMixin, ModelAdmin):
    list_display = ["campaign", "post", "author", "added_at"]
    list_filter = ["campaign"]
    search_fields = ["campaign__name", "post__author__handle", "post__external_id"]
    raw_id_fields = ["campaign", "post"]
    list_select_related = ["campaign", "post__author"]

    @display(description="creator")
    def author(self, obj):
        return obj.post.author or "—"


@admin.register(CampaignProfile)
class CampaignProfileAdmin(TeamScopedAdminMixin, ExportImportMixin, ModelAdmin):
    resource_classes = [CampaignProfileResource]
    list_display = ["campaign", "profile", "followers", "engagement", "pipeline", "fee", "added_at"]
    list_filter = [("status", ChoicesDropdownFilter), "campaign"]
    search_fields = ["campaign__name", "profile__handle"]
    raw_id_fields = ["campaign", "profile"]
    list_select_related = ["campaign", "profile"]
    actions = ["mark_contacted", "mark_confirmed", "mark_published", "mark_paid"]

    def has_import_permission(self, request):
        return False

    @display(description="followers", ordering="profile__followers_count")
    def followers(self, obj):
        return compact(obj.profile.followers_count)

    @display(description="engagement", ordering="profile__engagement_rate")
    def engagement(self, obj):
        return pct(obj.profile.engagement_rate)

    @display(description="pipeline", ordering="status", label=PIPELINE_LABELS)
    def pipeline(self, obj):
        return obj.status

    def _move(self, request, queryset, status: str) -> None:
        changed = queryset.exclude(status=status).update(status=status)
        self.message_user(request, f"{changed} creator(s) moved to {CampaignProfile.Pipeline(status).label}.")

    @admin.action(description="Move to Contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._move(request, queryset, CampaignProfile.Pipeline.CONTACTED)

    @admin.action(description="Move to Confirmed", permissions=["change"])
    def mark_confirmed(self, request, queryset):
        self._move(request, queryset, CampaignProfile.Pipeline.CONFIRMED)

    @admin.action(description="Move to Published", permissions=["change"])
    def mark_published(self, request, queryset):
        self._move(request, queryset, CampaignProfile.Pipeline.PUBLISHED)

    @admin.action(description="Move to Paid", permissions=["change"])
    def mark_paid(self, request, queryset):
        self._move(request, queryset, CampaignProfile.Pipeline.PAID)
