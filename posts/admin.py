"""Posts in admin: thumbnails, metrics with hidden values shown as unknown, AI results, export."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from import_export import fields, resources
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateTimeFilter, RangeNumericFilter
from unfold.decorators import display

from config.admin import EstimatedCountPaginator, ExportImportMixin, FastRowsMixin, ReadOnlyInline
from config.celery import enqueue_on_commit
from config.formatting import compact, share
from config.templatetags.creatorscope import asset_url
from posts.models import CommentSentiment, Post, PostMedia

ANALYSE_POSTS_TASK = "intelligence.tasks.analyze_posts"


class PostMediaInline(TabularInline):
    model = PostMedia
    extra = 0
    fields = ["preview", "position", "kind", "source_url", "asset", "status", "error"]
    readonly_fields = ["preview"]
    raw_id_fields = ["asset"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("asset")

    @display(description="preview")
    def preview(self, obj):
        url = asset_url(obj.asset)
        return format_html('<img src="{}" alt="" width="96" height="96" loading="lazy">', url) if url else "—"


class CommentSentimentInline(ReadOnlyInline):
    model = CommentSentiment
    fields = ["author_handle", "text", "sentiment", "score", "language", "posted_at"]


class PostExportResource(resources.ModelResource):
    author = fields.Field(attribute="author__handle", column_name="author")
    community = fields.Field(attribute="community__name", column_name="community")

    class Meta:
        model = Post
        fields = [
            "id",
            "platform",
            "external_id",
            "author",
            "community",
            "kind",
            "posted_at",
            "caption",
            "permalink",
            "likes_count",
            "likes_hidden",
            "score",
            "comments_count",
            "views_count",
            "is_sponsored",
            "is_viral",
            "ai_sentiment",
            "ai_sentiment_score",
            "ai_language",
            "ai_category",
            "ai_model_version",
        ]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("author", "community")


FORMATTED_FLOATS = (
    "upvote_ratio",
    "ai_sentiment_score",
    "ai_sentiment_confidence",
    "ai_language_confidence",
    "ai_category_confidence",
)


@admin.register(Post)
class PostAdmin(FastRowsMixin, ExportImportMixin, ModelAdmin):
    resource_classes = [PostExportResource]
    list_display = [
        "thumb",
        "post",
        "platform",
        "author",
        "community",
        "kind",
        "posted_at",
        "likes",
        "comments",
        "views",
        "is_sponsored",
        "is_viral",
        "sentiment",
        "ai_category",
    ]
    list_display_links = ["post"]
    list_filter = [
        ("platform", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        "is_sponsored",
        "is_viral",
        "is_nsfw",
        ("ai_status", ChoicesDropdownFilter),
        ("ai_sentiment", ChoicesDropdownFilter),
        ("ai_category", ChoicesDropdownFilter),
        ("likes_count", RangeNumericFilter),
        ("posted_at", RangeDateTimeFilter),
    ]
    list_filter_submit = True
    search_fields = ["external_id", "shortcode", "author__handle", "community__name"]
    list_select_related = ["author", "community"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    empty_value_display = "—"
    raw_id_fields = ["author", "community"]
    inlines = [PostMediaInline, CommentSentimentInline]
    actions = ["analyse_now"]
    # What a scrape or the AI wrote is evidence, not something to correct by hand: a re-scrape or a
    # re-analysis would overwrite it anyway. Analysts change posts only through actions. Fractions
    # are shown formatted (87 %, +0.62), not as the stored float.
    exclude = list(FORMATTED_FLOATS)
    readonly_fields = [
        "platform",
        "external_id",
        "author",
        "community",
        *(name for name in Post.SCRAPED_FIELDS if name not in FORMATTED_FLOATS),
        "upvotes",
        *(name for name in Post.AI_FIELDS if name not in FORMATTED_FLOATS),
        "ai_scores",
        "created_at",
        "updated_at",
    ]

    def has_import_permission(self, request):
        return False  # posts come from scraping only

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("media__asset")

    @display(description="upvote ratio")
    def upvotes(self, obj):
        return share(obj.upvote_ratio)

    @display(description="AI scores")
    def ai_scores(self, obj):
        score = "—" if obj.ai_sentiment_score is None else f"{obj.ai_sentiment_score:+.2f}"
        return (
            f"sentiment {score} (−1..+1, {share(obj.ai_sentiment_confidence)} sure) · "
            f"language {share(obj.ai_language_confidence)} sure · category {share(obj.ai_category_confidence)} sure"
        )

    @display(description="")
    def thumb(self, obj):
        for item in obj.media.all():
            url = asset_url(item.asset)
            if url:
                return format_html('<img src="{}" alt="" width="40" height="40" loading="lazy">', url)
        return "—"

    @display(description="post", ordering="posted_at")
    def post(self, obj):
        return (obj.caption[:60] + "…") if len(obj.caption) > 60 else (obj.caption or obj.external_id)

    @display(description="likes", ordering="likes_count")
    def likes(self, obj):
        if obj.likes_hidden:
            return "hidden"
        return compact(obj.score if obj.platform == "reddit" else obj.likes_count)

    @display(description="comments", ordering="comments_count")
    def comments(self, obj):
        return compact(obj.comments_count)

    @display(description="views", ordering="views_count")
    def views(self, obj):
        return compact(obj.views_count)

    @display(
        description="sentiment",
        ordering="ai_sentiment",
        label={"positive": "success", "neutral": "info", "negative": "danger"},
    )
    def sentiment(self, obj):
        return obj.ai_sentiment or "—"

    @admin.action(description="Analyse now (AI)", permissions=["view"])
    def analyse_now(self, request, queryset):
        # Back in the AI backlog, then one batch task by name (posts must not import intelligence).
        ids = list(queryset.values_list("pk", flat=True)[:5000])
        changed = Post.objects.filter(pk__in=ids).update(ai_status="pending", ai_claimed_at=None)
        enqueue_on_commit(ANALYSE_POSTS_TASK, [ids])
        self.message_user(request, f"Queued {changed} post(s) for AI analysis.", messages.SUCCESS)


@admin.register(CommentSentiment)
class CommentSentimentAdmin(ModelAdmin):
    list_display = ["post", "author_handle", "sentiment", "score", "language", "posted_at"]
    list_filter = ["sentiment", "language"]
    search_fields = ["text", "author_handle"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]
    show_full_result_count = False
