"""Serializers of /api/v1/auth/ (token exchange, the user's API tokens) and /api/v1/teams/ (teams, members, invitations)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from rest_framework import serializers

from accounts.models import ApiToken, Invitation, Membership, Team


class CredentialsSerializer(serializers.Serializer):
    """A username and password, checked by ``django.contrib.auth.authenticate`` with the request (so
    every authentication backend and its brute-force limits apply, as on the sign-in page)."""

    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False, write_only=True, help_text="TOTP or recovery code; required when two-factor sign-in is on"
    )

    def validate(self, attrs: dict) -> dict:
        user = authenticate(request=self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError("Unable to log in with provided credentials.", code="authorization")
        attrs["user"] = user
        return self._second_factor(attrs)

    def _second_factor(self, attrs: dict) -> dict:
        """The token endpoint is a door like the sign-in page and asks for the same factors."""
        authenticators = list(Authenticator.objects.filter(user=attrs["user"]))
        if not any(a.type in (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN) for a in authenticators):
            return attrs
        code = attrs.get("otp", "")
        if not code:
            raise serializers.ValidationError(
                {"otp": ["This account uses two-factor sign-in: send the authenticator code as otp."]}, code="required"
            )
        # A security key cannot answer here; its owner sends a TOTP or a recovery code.
        for authenticator in authenticators:
            if authenticator.type != Authenticator.Type.WEBAUTHN and authenticator.wrap().validate_code(code):
                authenticator.record_usage()
                return attrs
        raise serializers.ValidationError({"otp": ["Incorrect code."]}, code="invalid")


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


class MembershipTeamSerializer(serializers.ModelSerializer):
    """One of my teams, with my role in it."""

    slug = serializers.CharField(source="team.slug")
    name = serializers.CharField(source="team.name")
    current = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["slug", "name", "role", "current"]

    def get_current(self, membership: Membership) -> bool:
        current = self.context.get("current_team")
        return current is not None and current.pk == membership.team_id


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.get_username")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ["username", "email", "role", "created_at"]


class TeamSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(help_text="Your role in this team.")
    members = MemberSerializer(many=True)


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.CharField(source="invited_by.get_username", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
        read_only_fields = ["id", "invited_by", "created_at", "expires_at", "accepted_at"]

    def validate_role(self, role: str) -> str:
        inviter = self.context["membership"]
        if role == Membership.Role.OWNER and inviter.role != Membership.Role.OWNER:
            raise serializers.ValidationError("Only owners may invite owners.")
        return role

    def validate_email(self, email: str) -> str:
        team = self.context["membership"].team
        if Membership.objects.filter(team=team, user__email__iexact=email).exists():
            raise serializers.ValidationError("Someone with this address is already a member.")
        return email
