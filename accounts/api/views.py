"""My teams, their members, and their invitations (``/api/v1/teams/…``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import invitations
from accounts.api import serializers as s
from accounts.models import Invitation, Membership
from accounts.teams import current_team


class TeamViewSet(viewsets.GenericViewSet):
    """The teams I belong to; another team answers 404."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    serializer_class = s.TeamSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Membership.objects.none()
        return Membership.objects.filter(user=self.request.user).select_related("team").order_by("created_at", "id")

    @extend_schema(
        summary="My teams, my role in each, and which is current", responses=s.MembershipTeamSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        context = {"current_team": current_team(request)}
        return Response(s.MembershipTeamSerializer(self.get_queryset(), many=True, context=context).data)

    @extend_schema(summary="A team of mine with its members")
    def retrieve(self, request: Request, slug: str) -> Response:
        membership = self.get_queryset().filter(team__slug=slug).first()
        if membership is None:
            raise Http404
        team = membership.team
        data = {
            "slug": team.slug,
            "name": team.name,
            "role": membership.role,
            "members": team.memberships.select_related("user").order_by("created_at"),
        }
        return Response(s.TeamSerializer(data).data)


@extend_schema_view(
    list=extend_schema(summary="A team's pending and past invitations (owners and managers)"),
    create=extend_schema(
        summary="Invite someone by e-mail (owners and managers); the link is e-mailed, never returned"
    ),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = s.InvitationSerializer

    def get_membership(self) -> Membership:
        if not hasattr(self, "_membership"):
            membership = (
                Membership.objects.filter(user=self.request.user, team__slug=self.kwargs["team_slug"])
                .select_related("team")
                .first()
            )
            if membership is None:
                raise Http404
            if not membership.can_edit:
                raise PermissionDenied("Only the team's owners and managers manage invitations.")
            self._membership = membership
        return self._membership

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no team
            return Invitation.objects.none()
        return self.get_membership().team.invitations.select_related("invited_by")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "team_slug" in self.kwargs and not getattr(self, "swagger_fake_view", False):
            context["membership"] = self.get_membership()
        return context

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = invitations.invite(self.request, self.get_membership().team, data["email"], data["role"])
