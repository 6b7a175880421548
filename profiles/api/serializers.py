"""Serializers for creators, communities, tags, favorites, searches and access grants."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.teams import current_team
from config.api.fields import ModelSerializer
from profiles.audience import audience_block
from profiles.models import (
    Community,
    CommunityRequirements,
    CommunityReviewStatus,
    CommunityReviewSuggestion,
    Contact,
    Favorite,
    Profile,
    ProfileAccess,
    ProfileLink,
    SearchHistory,
    Tag,
)


class TagSerializer(ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Tag
        fields = ["slug", "name", "category", "description"]


class AudienceSerializer(serializers.Serializer):
    """The report's audience block: every figure names its source and date (profiles/audience.py)."""

    verified = serializers.JSONField(
        allow_null=True,
        help_text='source "graph_insights": the creator\'s own Instagram insights (followers and engaged '
        "audience: countries, cities, ages, genders, age_genders as shares 0..1; reach, profile_views), as_of",
    )
    estimates = serializers.JSONField(
        allow_null=True,
        help_text='source "comment_estimate": languages of commenters, commenter reach and comment '
        "authenticity, with as_of and sample_size (comments, commenters, posts)",
    )
    credibility = serializers.JSONField(
        allow_null=True, help_text="score 0-100 (an estimate), formula, and each input with value, score and weight"
    )
    benchmarks = serializers.JSONField(
        allow_null=True, help_text="percentile among peers (platform × follower tier × category) per metric"
    )
    connection = serializers.JSONField(
        allow_null=True, help_text="creator-connect status (active, broken, deleted) and login (instagram, facebook)"
    )


def profile_api_path(profile: Profile) -> str:
    return reverse("api-profile-detail", kwargs={"platform": profile.platform, "handle": profile.handle})


def beyond(summary: list[str], names: tuple[str, ...]) -> list[str]:
    """``names`` not already in ``summary``, in order: what a detail serializer adds to its summary."""
    return [name for name in names if name not in summary]


SUMMARY_FIELDS = [
    "id",
    "platform",
    "handle",
    "full_name",
    "avatar_url",
    "is_verified",
    "is_business",
    "is_private",
    "followers_count",
    "engagement_rate",
    "follower_growth_30d",
    "sponsored_share",
    "ai_primary_content_type",
    "ai_primary_language",
    "review_status",
    "last_scraped_at",
    "permalink",
    "api_url",
]
# The columns a summary reads: a list of creators loads these, not the bio and its search vector.
SUMMARY_COLUMNS = [name for name in SUMMARY_FIELDS if name not in {"permalink", "api_url"}]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "creator",
            value={
                "id": 42,
                "platform": "instagram",
                "handle": "lisbon.eats",
                "full_name": "Ana Costa",
                "avatar_url": "",
                "is_verified": False,
                "is_business": True,
                "is_private": False,
                "followers_count": 182000,
                "engagement_rate": 3.1,
                "follower_growth_30d": 2.4,
                "sponsored_share": 0.12,
                "ai_primary_content_type": "food",
                "ai_primary_language": "pt",
                "review_status": "approved",
                "last_scraped_at": "2026-11-20T06:00:00Z",
                "permalink": "https://www.instagram.com/lisbon.eats/",
                "api_url": "/api/v1/profiles/instagram/lisbon.eats/",
            },
            response_only=True,
        )
    ]
)
class ProfileSummarySerializer(ModelSerializer):
    """A creator in a list: identity, audience size and the headline metrics."""

    permalink = serializers.CharField(read_only=True)
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = SUMMARY_FIELDS
        read_only_fields = SUMMARY_FIELDS

    def get_api_url(self, profile: Profile) -> str:
        return profile_api_path(profile)


class ContactSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["kind", "value", "label", "source"]
        read_only_fields = fields


class LinkedProfileSerializer(serializers.Serializer):
    """The other side of a confirmed ``ProfileLink``, seen from one profile."""

    platform = serializers.CharField()
    handle = serializers.CharField()
    confidence = serializers.FloatField()
    evidence = serializers.ListField(child=serializers.DictField())
    api_url = serializers.CharField(allow_null=True, help_text="The other profile's report, when we track it.")


class ProfileDetailSerializer(ProfileSummarySerializer):
    """The full creator report: identity, counts, every cached metric, AI aggregates, analyst data.

    Metrics the platform hides are ``null`` (unknown), never 0. Formulas and windows are in the
    field descriptions (e.g. engagement rate = mean (likes + comments) / followers, last 12 posts).
    """

    tags = TagSerializer(many=True, read_only=True)
    audience = serializers.SerializerMethodField()
    contacts = ContactSummarySerializer(
        many=True,
        read_only=True,
        help_text="E-mail, phone and contact links with their source (analyst entries included).",
    )
    linked_profiles = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = [
            *SUMMARY_FIELDS,
            *beyond(SUMMARY_FIELDS, Profile.SCRAPED_FIELDS),
            "engagement_rate_median",
            "engagement_rate_views",
            "avg_likes",
            "median_likes",
            "avg_comments",
            "median_comments",
            "avg_views",
            "posts_per_week",
            "posting_consistency",
            "best_posting_hour",
            "best_posting_weekday",
            "follower_growth_7d",
            "follower_growth_90d",
            "growth_spike",
            "comments_per_100_likes",
            "views_per_like",
            "is_mass_follower",
            "sponsored_engagement_rate",
            "organic_engagement_rate",
            "metrics_computed_at",
            "ai_content_distribution",
            "ai_language_distribution",
            "ai_average_sentiment",
            "ai_content_quality_score",
            "ai_analyzed_at",
            *beyond(SUMMARY_FIELDS, Profile.ANALYST_FIELDS),
            "scrape_status",
            "audience",
            "contacts",
            "linked_profiles",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LinkedProfileSerializer(many=True))
    def get_linked_profiles(self, profile: Profile) -> list[dict]:
        """The same person elsewhere, as analysts confirmed it ("also on Instagram: …")."""
        return [linked_profile(link, profile) for link in ProfileLink.for_profile(profile)]

    @extend_schema_field(AudienceSerializer(allow_null=True))
    def get_audience(self, profile: Profile) -> dict | None:
        block = audience_block(profile)
        return AudienceSerializer(block).data if block else None


class ViewerSerializer(serializers.Serializer):
    """What the requesting user has to do with this profile (not cached across users)."""

    is_favorite = serializers.BooleanField()
    access_expires_at = serializers.DateTimeField(allow_null=True)


class ProfileReportSerializer(ProfileDetailSerializer):
    viewer = ViewerSerializer(read_only=True)

    class Meta(ProfileDetailSerializer.Meta):
        fields = [*ProfileDetailSerializer.Meta.fields, "viewer"]
        read_only_fields = fields


class RelatedProfileSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="lookalike, provider, mention, community, or category (fallback)")
    score = serializers.FloatField(allow_null=True)
    profile = ProfileSummarySerializer()


class SimilarProfilesSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(
        choices=["related", "category"],
        help_text="related: stored links (AI lookalikes first); category: same platform, category and audience size.",
    )
    results = RelatedProfileSerializer(many=True)


class CommunitySummarySerializer(ModelSerializer):
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    permalink = serializers.CharField(read_only=True)

    class Meta:
        model = Community
        fields = [
            *Community.HEADLINE_FIELDS,
            "subscriber_growth_30d",
            "avg_upvotes",
            "posts_per_day",
            "score",
            "ai_suggested_category",
            "ai_category_confidence",
            "primary_category",
            "review_status",
            "tags",
            "last_scraped_at",
            "permalink",
        ]
        read_only_fields = fields


class CommunityReviewSerializer(serializers.Serializer):
    """An analyst's decision about one subreddit."""

    review_status = serializers.ChoiceField(choices=CommunityReviewStatus.choices)
    primary_category = serializers.ChoiceField(
        choices=Community._meta.get_field("primary_category").choices, required=False, allow_blank=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    tags = serializers.SlugRelatedField(slug_field="slug", queryset=Tag.objects.all(), many=True, required=False)


class CommunityIdsSerializer(serializers.Serializer):
    """Up to 500 subreddit ids, all of which must exist (nothing is half-applied)."""

    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)

    def validate_ids(self, ids: list[int]) -> list[int]:
        unique = sorted(set(ids))
        found = set(Community.objects.filter(pk__in=unique).values_list("pk", flat=True))
        missing = [pk for pk in unique if pk not in found]
        if missing:
            raise serializers.ValidationError(f"No such communities: {', '.join(map(str, missing[:20]))}.")
        return unique


class CommunityBulkReviewSerializer(CommunityIdsSerializer):
    review_status = serializers.ChoiceField(choices=CommunityReviewStatus.choices)


class FavoriteSerializer(ModelSerializer):
    profile = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all(), write_only=True)
    creator = ProfileSummarySerializer(source="profile", read_only=True)

    class Meta:
        model = Favorite
        fields = ["id", "profile", "creator", "note", "created_at"]
        read_only_fields = ["id", "creator", "created_at"]

    def validate_profile(self, profile: Profile) -> Profile:
        request = self.context["request"]
        exists = Favorite.objects.filter(user=request.user, team=current_team(request), profile=profile)
        if self.instance is not None:
            exists = exists.exclude(pk=self.instance.pk)
        if exists.exists():
            raise serializers.ValidationError("This creator is already in your favorites in this team.")
        return profile


class FavoriteUpdateSerializer(FavoriteSerializer):
    """Only the note changes after a favorite is created."""

    profile = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(FavoriteSerializer.Meta):
        read_only_fields = ["id", "profile", "creator", "created_at"]


class SearchHistorySerializer(ModelSerializer):
    class Meta:
        model = SearchHistory
        fields = ["id", "query", "filters", "result_count", "created_at"]
        read_only_fields = ["id", "result_count", "created_at"]

    def validate_filters(self, filters) -> dict:
        # A saved search must be one the search endpoint accepts (same FilterSet, same errors).
        from profiles.filters import ProfileFilterSet

        if not isinstance(filters, dict):
            raise serializers.ValidationError("Expected an object of filter names to values.")
        unknown = sorted(set(filters) - set(ProfileFilterSet.base_filters) - {"q"})
        if unknown:
            raise serializers.ValidationError(f"Unknown filters: {', '.join(unknown)}.")
        form = ProfileFilterSet(data=filters, queryset=Profile.objects.none()).form
        if not form.is_valid():
            raise serializers.ValidationError({name: errors for name, errors in form.errors.items()})
        return filters


class ProfileAccessSerializer(ModelSerializer):
    creator = ProfileSummarySerializer(source="profile", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ProfileAccess
        fields = ["id", "creator", "granted_at", "expires_at", "is_active"]
        read_only_fields = fields


def linked_profile(link: ProfileLink, seen_from: Profile) -> dict:
    """The other side of ``link`` as seen from ``seen_from`` (either the Reddit user or the linked profile)."""
    if link.profile_id == seen_from.pk:
        other, platform = link.linked, link.platform
        handle = other.handle if other else link.handle
    else:
        other, platform, handle = link.profile, link.profile.platform, link.profile.handle
    return {
        "platform": platform,
        "handle": handle,
        "confidence": link.confidence,
        "evidence": link.evidence,
        "api_url": profile_api_path(other) if other else None,
    }


class CommunityRequirementsSerializer(serializers.ModelSerializer):
    """Who may post: stated (with evidence), Reddit's own answer, observed lower bounds, contradictions.

    ``null`` = unknown: the rules say nothing about it. ``observed`` maps a period in days to the
    lowest author karma and youngest account among posts that stayed up.
    """

    class Meta:
        model = CommunityRequirements
        exclude = ["id", "community"]
        read_only_fields = [f.name for f in CommunityRequirements._meta.fields if f.name not in ("id", "community")]


class CommunityReviewSuggestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommunityReviewSuggestion
        fields = ["id", "suggested_status", "confidence", "signals", "status", "model_version", "created_at"]
        read_only_fields = fields
