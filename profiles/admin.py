"""Baseline admin for profiles, communities and the analyst taxonomy."""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from profiles.models import (
    AudienceDemographics,
    Community,
    CommunitySnapshot,
    Favorite,
    Mention,
    Profile,
    ProfileAccess,
    ProfileSnapshot,
    RelatedProfile,
    SearchHistory,
    Tag,
    TagCategory,
    TagSuggestion,
)


class TagInline(TabularInline):
    model = Tag
    extra = 0
    fields = ["name", "slug", "description", "is_sensitive"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(TagCategory)
class TagCategoryAdmin(ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [TagInline]


@admin.register(Tag)
class TagAdmin(ModelAdmin):
    list_display = ["name", "category", "is_sensitive", "created_at"]
    list_filter = ["category", "is_sensitive"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Profile)
class ProfileAdmin(ModelAdmin):
    list_display = [
        "handle",
        "platform",
        "followers_count",
        "engagement_rate",
        "follower_growth_30d",
        "ai_primary_content_type",
        "ai_primary_language",
        "review_status",
        "last_scraped_at",
    ]
    list_filter = [
        "platform",
        "review_status",
        "is_verified",
        "is_business",
        "ai_primary_content_type",
        "scrape_status",
    ]
    search_fields = ["handle", "full_name", "bio"]
    list_select_related = True
    autocomplete_fields = ["tags"]
    readonly_fields = ["created_at", "updated_at", "last_scraped_at", "metrics_computed_at", "ai_analyzed_at"]
    ordering = ["-followers_count"]


@admin.register(ProfileSnapshot)
class ProfileSnapshotAdmin(ModelAdmin):
    list_display = ["profile", "captured_at", "followers_count", "following_count", "posts_count", "total_karma"]
    list_filter = ["profile__platform"]
    search_fields = ["profile__handle"]
    raw_id_fields = ["profile"]
    date_hierarchy = "captured_at"


@admin.register(Community)
class CommunityAdmin(ModelAdmin):
    list_display = [
        "name",
        "subscribers",
        "active_users",
        "is_nsfw",
        "primary_category",
        "review_status",
        "last_scraped_at",
    ]
    list_filter = ["review_status", "is_nsfw", "primary_category", "verification_required"]
    search_fields = ["name", "title", "public_description"]
    autocomplete_fields = ["tags"]
    ordering = ["-subscribers"]


@admin.register(CommunitySnapshot)
class CommunitySnapshotAdmin(ModelAdmin):
    list_display = ["community", "captured_at", "subscribers", "visitors", "active_users"]
    search_fields = ["community__name"]
    raw_id_fields = ["community"]
    date_hierarchy = "captured_at"


@admin.register(AudienceDemographics)
class AudienceDemographicsAdmin(ModelAdmin):
    list_display = ["profile", "source", "captured_on"]
    list_filter = ["source"]
    search_fields = ["profile__handle"]
    raw_id_fields = ["profile"]


@admin.register(Mention)
class MentionAdmin(ModelAdmin):
    list_display = ["profile", "mentioned_handle", "mentioned_profile", "times", "last_seen_at"]
    list_filter = ["platform"]
    search_fields = ["profile__handle", "mentioned_handle"]
    raw_id_fields = ["profile", "mentioned_profile"]


@admin.register(RelatedProfile)
class RelatedProfileAdmin(ModelAdmin):
    list_display = ["profile", "related", "source", "score"]
    list_filter = ["source"]
    search_fields = ["profile__handle", "related__handle"]
    raw_id_fields = ["profile", "related"]


@admin.register(TagSuggestion)
class TagSuggestionAdmin(ModelAdmin):
    list_display = ["tag", "profile", "community", "confidence", "status", "created_at"]
    list_filter = ["status", "tag__category"]
    search_fields = ["tag__name", "profile__handle", "community__name"]
    raw_id_fields = ["profile", "community"]


@admin.register(Favorite)
class FavoriteAdmin(ModelAdmin):
    list_display = ["user", "profile", "created_at"]
    search_fields = ["user__username", "profile__handle"]
    raw_id_fields = ["profile"]


@admin.register(ProfileAccess)
class ProfileAccessAdmin(ModelAdmin):
    list_display = ["user", "profile", "granted_at", "expires_at"]
    search_fields = ["user__username", "profile__handle"]
    raw_id_fields = ["profile"]


@admin.register(SearchHistory)
class SearchHistoryAdmin(ModelAdmin):
    list_display = ["user", "query", "result_count", "created_at"]
    search_fields = ["user__username", "query"]
