"""Baseline admin for campaigns."""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from campaigns.models import Campaign, CampaignPost, CampaignProfile


class CampaignProfileInline(TabularInline):
    model = CampaignProfile
    extra = 0
    raw_id_fields = ["profile"]
    fields = ["profile", "status", "fee", "notes"]


class CampaignPostInline(TabularInline):
    model = CampaignPost
    extra = 0
    raw_id_fields = ["post"]


@admin.register(Campaign)
class CampaignAdmin(ModelAdmin):
    list_display = ["name", "brand", "owner", "status", "start_date", "end_date", "budget"]
    list_filter = ["status"]
    search_fields = ["name", "brand"]
    inlines = [CampaignProfileInline, CampaignPostInline]


@admin.register(CampaignProfile)
class CampaignProfileAdmin(ModelAdmin):
    list_display = ["campaign", "profile", "status", "fee", "added_at"]
    list_filter = ["status"]
    search_fields = ["campaign__name", "profile__handle"]
    raw_id_fields = ["campaign", "profile"]
