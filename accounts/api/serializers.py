"""Serializers of the token endpoints under /api/v1/auth/."""

from __future__ import annotations

from django.contrib.auth import authenticate
from rest_framework import serializers

from accounts.models import ApiToken, Team


class CredentialsSerializer(serializers.Serializer):
    """A username and password, checked by ``django.contrib.auth.authenticate`` with the request (so
    every authentication backend and its brute-force limits apply, as on the sign-in page)."""

    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs: dict) -> dict:
        user = authenticate(request=self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError("Unable to log in with provided credentials.", code="authorization")
        attrs["user"] = user
        return attrs


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send as "Authorization: Token <token>". Shown once: keep it.')
    expiry = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_staff = serializers.BooleanField()


class TeamField(serializers.SlugRelatedField):
    """A team by slug, among the requesting user's teams only."""

    def get_queryset(self):
        return Team.objects.filter(memberships__user=self.context["request"].user)


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never the value, only its first characters (``prefix``)."""

    team = TeamField(
        slug_field="slug", required=False, allow_null=True, help_text="slug of one of your teams; empty: not bound"
    )
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "team", "created", "last_used", "expiry", "expired"]
        read_only_fields = ["prefix", "created", "last_used", "expiry"]
        extra_kwargs = {"name": {"help_text": "what the token is for, e.g. the script that uses it"}}


class CreatedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The plain value, shown this once and never again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
