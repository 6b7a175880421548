"""Serializers for campaigns, the creators and posts tracked in them, and their results."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from campaigns.models import Campaign, CampaignPost, CampaignProfile
from config.api.fields import ModelSerializer
from posts.models import Post
from profiles.api.serializers import ProfileSummarySerializer
from profiles.models import Profile


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "spring launch",
            value={
                "name": "Spring launch",
                "brand": "Acme",
                "status": "active",
                "start_date": "2026-03-01",
                "end_date": "2026-04-30",
                "budget": "12000.00",
                "currency": "EUR",
            },
            request_only=True,
        )
    ]
)
class CampaignSerializer(ModelSerializer):
    # Annotated by the list/detail queryset; a campaign just created (POST's 201) has none yet.
    creators_count = serializers.IntegerField(read_only=True, default=0)
    posts_count = serializers.IntegerField(read_only=True, default=0)
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False, help_text="ISO 4217, e.g. USD.")
    track_handles = serializers.ListField(
        child=serializers.RegexField(r"^@?[A-Za-z0-9._]{1,64}$"),
        required=False,
        max_length=50,
        help_text="Brand handles whose @mentions attach a creator's post automatically.",
    )
    track_hashtags = serializers.ListField(
        child=serializers.RegexField(r"^#?\w{1,100}$"),
        required=False,
        max_length=50,
        help_text="Hashtags that attach a creator's post automatically.",
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "brand",
            "description",
            "status",
            "start_date",
            "end_date",
            "budget",
            "currency",
            "track_handles",
            "track_hashtags",
            "creators_count",
            "posts_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "creators_count", "posts_count", "created_at", "updated_at"]
        extra_kwargs = {"budget": {"min_value": 0}}

    def validate(self, data):
        start = data.get("start_date", getattr(self.instance, "start_date", None))
        end = data.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Must be on or after start_date."]})
        return data


class CampaignCreatorSerializer(ModelSerializer):
    profile = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all(), write_only=True)
    creator = ProfileSummarySerializer(source="profile", read_only=True)

    class Meta:
        model = CampaignProfile
        fields = ["id", "profile", "creator", "status", "fee", "notes", "added_at", "updated_at"]
        read_only_fields = ["id", "creator", "added_at", "updated_at"]
        extra_kwargs = {"fee": {"min_value": 0}}

    def validate_profile(self, profile: Profile) -> Profile:
        campaign = self.context["campaign"]
        if self.instance is None and campaign.campaign_profiles.filter(profile=profile).exists():
            raise serializers.ValidationError("This creator is already in the campaign.")
        if self.instance is not None and profile.pk != self.instance.profile_id:
            raise serializers.ValidationError(
                "A campaign entry's creator cannot change; remove it and add the other one."
            )
        return profile


class CampaignCreatorUpdateSerializer(CampaignCreatorSerializer):
    profile = serializers.PrimaryKeyRelatedField(read_only=True)


class CampaignPostSerializer(ModelSerializer):
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all())
    permalink = serializers.CharField(source="post.permalink", read_only=True)
    author = serializers.CharField(source="post.author.handle", read_only=True, allow_null=True)
    posted_at = serializers.DateTimeField(source="post.posted_at", read_only=True)

    class Meta:
        model = CampaignPost
        fields = ["id", "post", "permalink", "author", "posted_at", "source", "matched_on", "added_at"]
        read_only_fields = ["id", "permalink", "author", "posted_at", "source", "matched_on", "added_at"]

    def validate_post(self, post: Post) -> Post:
        entry = self.context["campaign"].campaign_posts.filter(post=post).first()
        if entry is not None and entry.removed_at is None:
            raise serializers.ValidationError("This post is already tracked in the campaign.")
        return post

    def create(self, validated_data):
        # An automatic match an analyst removed and now adds back by hand: it is theirs from now on.
        entry, _ = CampaignPost.objects.update_or_create(
            campaign=validated_data["campaign"],
            post=validated_data["post"],
            defaults={"removed_at": None, "source": CampaignPost.Source.MANUAL},
        )
        return entry


class FiguresSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    reach = serializers.IntegerField()
    impressions = serializers.IntegerField()
    engagements = serializers.IntegerField()
    engagement_rate = serializers.FloatField(allow_null=True)
    emv = serializers.FloatField()
    cost = serializers.FloatField(allow_null=True)
    cpm = serializers.FloatField(allow_null=True)
    cpe = serializers.FloatField(allow_null=True)
    roi = serializers.FloatField(allow_null=True)
    posts_with_unknown_reach = serializers.IntegerField()
    posts_with_unknown_engagement = serializers.IntegerField()


class CreatorFiguresSerializer(FiguresSerializer):
    profile_id = serializers.IntegerField()
    platform = serializers.CharField()
    handle = serializers.CharField()
    status = serializers.CharField(allow_null=True)


class CampaignMetricsSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    currency = serializers.CharField()
    cpm_rate = serializers.FloatField()
    feed_reach_rate = serializers.FloatField()
    cost_basis = serializers.ChoiceField(choices=["fees", "budget"], allow_null=True)
    totals = FiguresSerializer()
    creators = CreatorFiguresSerializer(many=True)
    formulas = serializers.DictField(child=serializers.CharField())
