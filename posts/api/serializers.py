"""Serializers for posts, creator analytics and AI insights, and the community report."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from config.api.fields import ModelSerializer
from posts.analytics import engagement_of
from posts.models import Post, PostMedia
from profiles.api.serializers import (
    CommunityRequirementsSerializer,
    CommunityReviewSuggestionSerializer,
    CommunitySummarySerializer,
    ViewerSerializer,
    beyond,
)
from profiles.models import Community


class PostMediaSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The stored copy when there is one, else the platform's URL.")

    class Meta:
        model = PostMedia
        fields = ["position", "kind", "url", "status"]

    def get_url(self, media: PostMedia) -> str:
        if media.asset_id and media.asset.file:
            return media.asset.file.url
        return media.source_url


POST_FIELDS = [
    "id",
    "platform",
    "external_id",
    "author",
    "community",
    *Post.SCRAPED_FIELDS,
    "engagement",
    "is_viral",
    *Post.AI_FIELDS,
    "media",
]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "instagram post",
            response_only=True,
            value={
                "id": 7,
                "platform": "instagram",
                "external_id": "3141592653",
                "author": "lisbon.eats",
                "community": None,
                "shortcode": "C0ffee",
                "kind": "image",
                "caption": "Sunset in Lisbon #travel",
                "body": "",
                "permalink": "https://www.instagram.com/p/C0ffee/",
                "url": "",
                "posted_at": "2026-11-19T18:00:00Z",
                "likes_count": None,
                "likes_hidden": True,
                "score": None,
                "comments_count": 41,
                "views_count": None,
                "plays_count": None,
                "shares_count": None,
                "saves_count": None,
                "upvote_ratio": None,
                "is_nsfw": False,
                "hashtags": ["travel"],
                "mentions": [],
                "is_sponsored": False,
                "is_paid_partnership": False,
                "sponsor_markers": [],
                "engagement": None,
                "is_viral": False,
                "ai_sentiment": "positive",
                "ai_sentiment_score": 0.82,
                "ai_sentiment_confidence": 0.91,
                "ai_language": "en",
                "ai_language_confidence": 0.99,
                "ai_category": "travel",
                "ai_category_confidence": 0.77,
                "ai_category_distribution": {"travel": 0.77, "food": 0.12},
                "ai_analyzed_at": "2026-11-19T18:05:00Z",
                "ai_model_version": "sentiment:vader-3.3.2",
                "ai_status": "done",
                "media": [],
            },
        )
    ]
)
class PostSerializer(ModelSerializer):
    """A post with its counts (``null`` when the platform hides them) and its AI results."""

    author = serializers.SlugRelatedField(slug_field="handle", read_only=True)
    community = serializers.SlugRelatedField(slug_field="name", read_only=True)
    engagement = serializers.SerializerMethodField(
        help_text="likes + comments (Instagram) or net score + comments (Reddit); null when likes are hidden."
    )
    media = PostMediaSerializer(many=True, read_only=True)

    class Meta:
        model = Post
        fields = POST_FIELDS
        read_only_fields = POST_FIELDS

    def get_engagement(self, post: Post) -> int | None:
        return engagement_of(post)


class SeriesPointSerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    followers = serializers.IntegerField(allow_null=True)
    total_karma = serializers.IntegerField(allow_null=True)
    engagement_rate = serializers.FloatField(allow_null=True)


class WeekPointSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday the week starts on.")
    posts = serializers.IntegerField(help_text="Every post of the week, hidden likes included.")
    mean_interactions = serializers.FloatField(
        allow_null=True, help_text="Over the week's posts with known engagement; null when there are none."
    )
    engagement_rate = serializers.FloatField(allow_null=True)


class HeatmapSerializer(serializers.Serializer):
    weekdays = serializers.ListField(child=serializers.CharField())
    counts = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    best_hour = serializers.IntegerField(allow_null=True)
    best_weekday = serializers.CharField(allow_null=True)
    method = serializers.CharField()


class PostBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    permalink = serializers.CharField()
    posted_at = serializers.DateTimeField()
    kind = serializers.CharField()
    caption = serializers.CharField()
    likes_count = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    comments_count = serializers.IntegerField(allow_null=True)
    views_count = serializers.IntegerField(allow_null=True)
    engagement = serializers.IntegerField(allow_null=True)
    is_sponsored = serializers.BooleanField()
    is_viral = serializers.BooleanField()


class TopPostSerializer(PostBriefSerializer):
    author = serializers.CharField(allow_null=True)


class SplitSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    mean_interactions = serializers.FloatField(allow_null=True)
    median_interactions = serializers.FloatField(allow_null=True)
    engagement_rate = serializers.FloatField(allow_null=True)


class SponsoredSplitSerializer(serializers.Serializer):
    sponsored = SplitSerializer()
    organic = SplitSerializer()


class AudienceQualitySerializer(serializers.Serializer):
    score = serializers.IntegerField(allow_null=True, help_text="0-100; null before metrics are computed.")
    signals = serializers.DictField(child=serializers.BooleanField())
    comments_per_100_likes = serializers.FloatField(allow_null=True, required=False)
    following_to_followers = serializers.FloatField(allow_null=True, required=False)
    method = serializers.CharField()


class ShareMapField(serializers.DictField):
    child = serializers.FloatField()


class ProfileAnalyticsSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    followers_series = SeriesPointSerializer(many=True)
    engagement_series = WeekPointSerializer(many=True)
    engagement_method = serializers.CharField()
    posting_heatmap = HeatmapSerializer()
    content_distribution = ShareMapField(help_text="Share of analysed posts per AI category.")
    language_distribution = ShareMapField(help_text="Share of analysed posts per language.")
    analysed_posts = serializers.IntegerField()
    viral_posts = PostBriefSerializer(many=True)
    audience_quality = AudienceQualitySerializer()
    sponsored_vs_organic = SponsoredSplitSerializer()
    viewer = ViewerSerializer()


class SentimentCountsSerializer(serializers.Serializer):
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    negative = serializers.IntegerField()


class AnalysisStatusSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    processing = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()


class ModelVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    posts = serializers.IntegerField()


class SuggestionSerializer(serializers.Serializer):
    tag = serializers.CharField()
    name = serializers.CharField()
    confidence = serializers.FloatField()
    model_version = serializers.CharField()


class AIInsightsSerializer(serializers.Serializer):
    primary_content_type = serializers.CharField(allow_null=True)
    primary_language = serializers.CharField(allow_null=True)
    content_distribution = ShareMapField()
    language_distribution = ShareMapField()
    average_sentiment = serializers.FloatField(allow_null=True)
    content_quality_score = serializers.FloatField(allow_null=True)
    analyzed_at = serializers.DateTimeField(allow_null=True)
    post_sentiment = SentimentCountsSerializer()
    comment_sentiment = SentimentCountsSerializer()
    analysis_status = AnalysisStatusSerializer()
    model_versions = ModelVersionSerializer(many=True)
    pending_tag_suggestions = SuggestionSerializer(many=True)
    viewer = ViewerSerializer()


class PostingHourSerializer(serializers.Serializer):
    hour = serializers.IntegerField()
    posts = serializers.IntegerField(help_text="Every post of the hour, unknown scores included.")
    mean_score = serializers.FloatField(allow_null=True, help_text="Over posts with a known score.")


class BestTimeByKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    posts = serializers.IntegerField(help_text="Sample size: posts of this type in the window.")
    scored_posts = serializers.IntegerField()
    best_hour = serializers.IntegerField(allow_null=True, help_text="UTC; null when no hour has enough posts.")
    best_hour_posts = serializers.IntegerField()
    best_hour_mean_score = serializers.FloatField(allow_null=True)
    best_weekday = serializers.CharField(allow_null=True)
    best_weekday_posts = serializers.IntegerField()


class CommunityInsightsSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    posting_hours = PostingHourSerializer(many=True)
    best_posting_hours = serializers.ListField(child=serializers.IntegerField())
    best_hours_method = serializers.CharField()
    posts = serializers.IntegerField(help_text="Posts in the window (the sample).")
    best_time_by_post_type = BestTimeByKindSerializer(many=True)
    best_time_by_post_type_method = serializers.CharField()
    top_posts = TopPostSerializer(many=True)


class CommunityDetailSerializer(CommunitySummarySerializer):
    """A subreddit's page: rules, metrics, analyst data, best posting hours and recent top posts."""

    insights = serializers.SerializerMethodField()
    requirements = serializers.SerializerMethodField()
    review_suggestion = serializers.SerializerMethodField()

    class Meta(CommunitySummarySerializer.Meta):
        fields = [
            *CommunitySummarySerializer.Meta.fields,
            *beyond(CommunitySummarySerializer.Meta.fields, Community.SCRAPED_FIELDS),
            "comments_per_upvote",
            "best_posting_hour",
            "subscriber_growth_7d",
            "metrics_computed_at",
            *beyond(CommunitySummarySerializer.Meta.fields, Community.ANALYST_FIELDS),
            "scrape_status",
            "created_at",
            "updated_at",
            "comment_sentiment",
            "comments_analyzed",
            "requirements",
            "review_suggestion",
            "insights",
        ]
        read_only_fields = fields

    @extend_schema_field(CommunityInsightsSerializer)
    def get_insights(self, community: Community) -> dict:
        return self.context["insights"]

    @extend_schema_field(CommunityRequirementsSerializer(allow_null=True))
    def get_requirements(self, community: Community) -> dict | None:
        row = getattr(community, "requirements", None)
        return CommunityRequirementsSerializer(row).data if row else None

    @extend_schema_field(CommunityReviewSuggestionSerializer(allow_null=True))
    def get_review_suggestion(self, community: Community) -> dict | None:
        """The pending suggested review status, while the subreddit is unreviewed."""
        pending = community.review_suggestions.filter(status="pending").first()
        return CommunityReviewSuggestionSerializer(pending).data if pending else None


class BrandCreatorSerializer(serializers.Serializer):
    creator = serializers.SerializerMethodField()
    posts_count = serializers.IntegerField(help_text="Posts naming the brand in the window.")
    paid_count = serializers.IntegerField(help_text="Of them, paid partnerships or sponsored.")
    posts = PostSerializer(many=True, help_text="The latest 10 of them.")

    @extend_schema_field({"type": "object"})
    def get_creator(self, row) -> dict:
        from profiles.api.serializers import ProfileSummarySerializer

        return ProfileSummarySerializer(row["creator"], context=self.context).data


class BrandMentionsSerializer(serializers.Serializer):
    brand = serializers.CharField()
    days = serializers.IntegerField()
    creators_count = serializers.IntegerField()
    creators = BrandCreatorSerializer(many=True)
