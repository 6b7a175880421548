"""Serializers of watches, inbox events and a user's alert settings."""

from __future__ import annotations

from rest_framework import serializers

from config.http import TransportError
from profiles.models import Community, List, Profile
from watches.delivery import check_webhook_url
from watches.models import AlertSettings, Event, EventKind, Watch

PROFILE_EVENTS = {
    EventKind.FOLLOWER_SPIKE,
    EventKind.FOLLOWER_DROP,
    EventKind.ENGAGEMENT_CHANGE,
    EventKind.SPONSORED_POST,
    EventKind.BRAND_MENTION,
}
COMMUNITY_EVENTS = {EventKind.FOLLOWER_SPIKE, EventKind.FOLLOWER_DROP, EventKind.RULE_CHANGE}


class WatchSerializer(serializers.ModelSerializer):
    profile = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all(), required=False, allow_null=True)
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), required=False, allow_null=True)
    watched_list = serializers.PrimaryKeyRelatedField(queryset=List.objects.all(), required=False, allow_null=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventKind.choices), min_length=1)
    target = serializers.CharField(source="target.__str__", read_only=True)

    class Meta:
        model = Watch
        fields = [
            "id",
            "profile",
            "community",
            "watched_list",
            "target",
            "events",
            "follower_threshold_pct",
            "engagement_threshold_pct",
            "brand",
            "created_at",
        ]
        read_only_fields = ["id", "target", "created_at"]
        extra_kwargs = {
            "follower_threshold_pct": {"min_value": 0.1, "max_value": 1000},
            "engagement_threshold_pct": {"min_value": 0.1, "max_value": 1000},
        }

    def validate_watched_list(self, value: List | None) -> List | None:
        # A list of another team is not found (as it would be through /api/v1/lists/).
        if value is not None and not List.objects.restrict(self.context["request"].user).filter(pk=value.pk).exists():
            raise serializers.ValidationError(f'Invalid pk "{value.pk}" - object does not exist.')
        return value

    def validate(self, data):
        merged = {
            name: data.get(name, getattr(self.instance, name, None))
            for name in ("profile", "community", "watched_list", "events", "brand")
        }
        targets = [name for name in ("profile", "community", "watched_list") if merged[name] is not None]
        if len(targets) != 1:
            raise serializers.ValidationError({"profile": ["Watch exactly one creator, subreddit or list."]})
        on_communities = merged["community"] is not None or (
            merged["watched_list"] is not None and merged["watched_list"].kind == List.Kind.COMMUNITIES
        )
        allowed = COMMUNITY_EVENTS if on_communities else PROFILE_EVENTS
        wrong = [kind for kind in merged["events"] or [] if kind not in allowed]
        if wrong:
            noun = "subreddits" if on_communities else "creators"
            raise serializers.ValidationError({"events": [f"Not an event of {noun}: {', '.join(wrong)}."]})
        if EventKind.BRAND_MENTION in (merged["events"] or []) and not (merged["brand"] or "").strip():
            raise serializers.ValidationError({"brand": ["Name the brand (@handle, #hashtag or name) to watch for."]})
        data["events"] = list(dict.fromkeys(merged["events"] or []))
        return data


class EventSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(required=False)
    profile = serializers.CharField(source="profile.handle", read_only=True, allow_null=True, default=None)
    community = serializers.CharField(source="community.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Event
        fields = [
            "id",
            "kind",
            "title",
            "detail",
            "profile",
            "community",
            "post",
            "watch",
            "created_at",
            "read",
            "read_at",
            "emailed_at",
            "webhook_status",
            "webhook_attempts",
            "webhook_error",
        ]
        read_only_fields = [f for f in fields if f != "read"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["read"] = instance.read_at is not None
        return data


class AlertSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertSettings
        fields = ["email_enabled", "webhook_url", "frequency", "last_digest_at"]
        read_only_fields = ["last_digest_at"]

    def validate_webhook_url(self, value: str) -> str:
        if value:
            try:
                check_webhook_url(value)
            except TransportError as exc:
                raise serializers.ValidationError(str(exc)) from exc
        return value


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
