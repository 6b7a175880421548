"""Baseline admin for posts."""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from posts.models import CommentSentiment, Post, PostMedia


class PostMediaInline(TabularInline):
    model = PostMedia
    extra = 0
    fields = ["position", "kind", "source_url", "asset", "status", "error"]
    raw_id_fields = ["asset"]


@admin.register(Post)
class PostAdmin(ModelAdmin):
    list_display = [
        "external_id",
        "platform",
        "author",
        "community",
        "kind",
        "posted_at",
        "likes_count",
        "comments_count",
        "is_sponsored",
        "is_viral",
        "ai_sentiment",
        "ai_category",
    ]
    list_filter = [
        "platform",
        "kind",
        "is_sponsored",
        "is_viral",
        "ai_status",
        "ai_sentiment",
        "ai_category",
        "ai_language",
    ]
    search_fields = ["external_id", "shortcode", "caption", "author__handle", "community__name"]
    list_select_related = ["author", "community"]
    raw_id_fields = ["author", "community"]
    date_hierarchy = "posted_at"
    inlines = [PostMediaInline]


@admin.register(CommentSentiment)
class CommentSentimentAdmin(ModelAdmin):
    list_display = ["post", "author_handle", "sentiment", "score", "language", "posted_at"]
    list_filter = ["sentiment", "language"]
    search_fields = ["text", "author_handle"]
    raw_id_fields = ["post"]
