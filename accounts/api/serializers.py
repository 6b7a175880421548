"""Serializers for the teams API: my teams, their members, invitations."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Invitation, Membership


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
