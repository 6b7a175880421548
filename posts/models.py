"""Posts (Instagram posts and reels, Reddit submissions), their media and comment sentiment."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from posts.querysets import PostQuerySet
from profiles.categories import CATEGORY_CHOICES
from profiles.models import Platform


class PostKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    CAROUSEL = "carousel", "Carousel"
    REEL = "reel", "Reel"
    TEXT = "text", "Text"
    LINK = "link", "Link"
    GALLERY = "gallery", "Gallery"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class AIStatus(models.TextChoices):
    """Where a post stands in the analysis backlog; workers claim rows by moving pending → processing."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Post(models.Model):
    """One Instagram post or reel, or one Reddit submission, with its metrics and AI analysis.

    ``likes_count`` is NULL when the creator hides likes (``likes_hidden`` says so); a metric the
    platform does not give (views on a photo) is NULL, never 0. ``score`` is Reddit's net upvotes.
    """

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=64)
    shortcode = models.CharField(max_length=64, blank=True, default="")
    author = models.ForeignKey(
        "profiles.Profile", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    community = models.ForeignKey(
        "profiles.Community", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    kind = models.CharField(max_length=16, choices=PostKind.choices, default=PostKind.IMAGE)
    caption = models.TextField(blank=True, default="", help_text="Instagram caption or Reddit title.")
    body = models.TextField(blank=True, default="", help_text="Reddit self-text.")
    permalink = models.URLField(max_length=1000, blank=True, default="")
    url = models.URLField(max_length=2000, blank=True, default="", help_text="Linked URL for Reddit link posts.")
    posted_at = models.DateTimeField()

    likes_count = models.BigIntegerField(null=True, blank=True)
    likes_hidden = models.BooleanField(default=False)
    score = models.BigIntegerField(null=True, blank=True)
    comments_count = models.BigIntegerField(null=True, blank=True)
    views_count = models.BigIntegerField(null=True, blank=True)
    plays_count = models.BigIntegerField(null=True, blank=True)
    shares_count = models.BigIntegerField(null=True, blank=True)
    saves_count = models.BigIntegerField(null=True, blank=True)
    upvote_ratio = models.FloatField(null=True, blank=True)
    is_nsfw = models.BooleanField(default=False)

    hashtags = models.JSONField(default=list, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    is_sponsored = models.BooleanField(default=False)
    is_paid_partnership = models.BooleanField(default=False, help_text="The platform's paid-partnership label.")
    sponsor_markers = models.JSONField(default=list, blank=True, help_text="#ad, #sponsored… found in the text.")
    is_viral = models.BooleanField(default=False)
    # Mean sentiment (-1..1) of its analysed comments, and how many (posts/metrics.py).
    comment_sentiment = models.FloatField(null=True, blank=True)
    comments_analyzed = models.PositiveIntegerField(default=0)

    # AI analysis (intelligence/): the nine ai_* result columns plus model version and backlog state.
    ai_sentiment = models.CharField(max_length=16, choices=Sentiment.choices, blank=True, default="")
    ai_sentiment_score = models.FloatField(null=True, blank=True, help_text="-1 (negative) .. +1 (positive)")
    ai_sentiment_confidence = models.FloatField(null=True, blank=True)
    ai_language = models.CharField(max_length=8, blank=True, default="", help_text="ISO 639-1")
    ai_language_confidence = models.FloatField(null=True, blank=True)
    ai_category = models.CharField(max_length=32, choices=CATEGORY_CHOICES, blank=True, default="")
    ai_category_confidence = models.FloatField(null=True, blank=True)
    ai_category_distribution = models.JSONField(default=dict, blank=True)
    ai_analyzed_at = models.DateTimeField(null=True, blank=True)
    ai_model_version = models.CharField(max_length=200, blank=True, default="")
    ai_status = models.CharField(max_length=16, choices=AIStatus.choices, default=AIStatus.PENDING)
    ai_claimed_at = models.DateTimeField(null=True, blank=True)

    last_scraped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What every scrape writes, in field order: scraping/ingest.py upserts these from
    # scraping.schemas.PostData (same names). Author and community are linked, not copied.
    SCRAPED_FIELDS = (
        "shortcode",
        "kind",
        "caption",
        "body",
        "permalink",
        "url",
        "posted_at",
        "likes_count",
        "likes_hidden",
        "score",
        "comments_count",
        "views_count",
        "plays_count",
        "shares_count",
        "saves_count",
        "upvote_ratio",
        "is_nsfw",
        "hashtags",
        "mentions",
        "is_sponsored",
        "is_paid_partnership",
        "sponsor_markers",
    )
    # The analysis results intelligence/pipeline.py writes (ai_claimed_at is its claim, not a result).
    AI_FIELDS = (
        "ai_sentiment",
        "ai_sentiment_score",
        "ai_sentiment_confidence",
        "ai_language",
        "ai_language_confidence",
        "ai_category",
        "ai_category_confidence",
        "ai_category_distribution",
        "ai_analyzed_at",
        "ai_model_version",
        "ai_status",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="post_unique_external_id"),
            models.CheckConstraint(condition=Q(platform__in=Platform.values), name="post_platform_valid"),
            models.CheckConstraint(condition=Q(kind__in=PostKind.values), name="post_kind_valid"),
            models.CheckConstraint(condition=Q(ai_status__in=AIStatus.values), name="post_ai_status_valid"),
            models.CheckConstraint(
                condition=Q(upvote_ratio__isnull=True) | Q(upvote_ratio__gte=0, upvote_ratio__lte=1),
                name="post_upvote_ratio_0_1",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__gte": 0}) | Q(**{f"{f}__isnull": True}), name=f"post_{f}_gte_0"
                )
                for f in ["likes_count", "comments_count", "views_count", "plays_count", "shares_count", "saves_count"]
            ],
        ]
        indexes = [
            models.Index(fields=["author", "-posted_at"], name="post_author_recent"),
            models.Index(fields=["community", "-posted_at"], name="post_community_recent"),
            models.Index(fields=["-posted_at"], name="post_recent"),
            models.Index(fields=["ai_status", "id"], name="post_ai_backlog", condition=Q(ai_status="pending")),
            models.Index(fields=["is_viral", "-posted_at"], name="post_viral", condition=Q(is_viral=True)),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    @property
    def text(self) -> str:
        """What the analyzers read: caption/title plus Reddit self-text."""
        return "\n\n".join(part for part in (self.caption, self.body) if part)


class PostMedia(models.Model):
    """One photo or video of a post, in carousel order; ``asset`` is set once it is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=[("image", "Image"), ("video", "Video")], default="image")
    source_url = models.URLField(max_length=2000)
    asset = models.ForeignKey("media.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["post", "position"]
        verbose_name_plural = "post media"
        constraints = [models.UniqueConstraint(fields=["post", "position"], name="postmedia_unique_position")]
        indexes = [models.Index(fields=["status"], name="postmedia_status")]

    def __str__(self) -> str:
        return f"{self.post} #{self.position}"


class CommentSentiment(models.Model):
    """The sentiment of one comment under a post (what the audience says, not the creator)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comment_sentiments")
    external_id = models.CharField(max_length=64)
    author_handle = models.CharField(max_length=64, blank=True, default="")
    text = models.TextField()
    posted_at = models.DateTimeField(null=True, blank=True)
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices)
    score = models.FloatField()
    confidence = models.FloatField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True, default="")
    model_version = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "-posted_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "external_id"], name="comment_unique_per_post"),
            models.CheckConstraint(condition=Q(score__gte=-1, score__lte=1), name="comment_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.post} comment {self.external_id}: {self.sentiment}"
