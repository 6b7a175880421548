"""The /api/v1/auth/ endpoints (token exchange, the user's API tokens) and /api/v1/teams/ (teams, members, invitations)."""

from __future__ import annotations

from axes.helpers import get_lockout_response
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import invitations
from accounts.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from accounts.api import serializers as s
from accounts.models import ApiToken, Invitation, Membership
from accounts.teams import current_team


def issued(token: ApiToken, plain: str) -> dict:
    return {"token": plain, "expiry": token.expiry}


class TokenView(APIView):
    """Exchange a username and password for a new API token (named "Password sign-in")."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    serializer_class = s.CredentialsSerializer

    @extend_schema(
        summary="Get an API token",
        request=s.CredentialsSerializer,
        responses={200: s.IssuedTokenSerializer},
        examples=[
            OpenApiExample("sign in", value={"username": "ana", "password": "…"}, request_only=True),
            OpenApiExample(
                "token",
                value={"token": "6f0c…9a1e", "expiry": "2027-03-07T04:00:00Z"},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        # The serializer calls authenticate(request=...), so django-axes counts this door too. Axes marks
        # DRF's request wrapper (which its middleware never sees) when the account or address is locked
        # out, so the lockout answer is given here, in the project's words (AXES_LOCKOUT_CALLABLE).
        serializer = s.CredentialsSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return get_lockout_response(request)
            raise ValidationError(serializer.errors)
        token, plain = ApiToken.objects.issue(serializer.validated_data["user"], "Password sign-in", request=request)
        return Response(s.IssuedTokenSerializer(issued(token, plain)).data)


class MeView(APIView):
    """Who the credentials belong to (also the cheapest authenticated endpoint: the bench's ceiling)."""

    @extend_schema(summary="The signed-in user", responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "is_staff": user.is_staff})


@extend_schema_view(
    list=extend_schema(summary="Your API tokens (never their values)"),
    create=extend_schema(summary="Create an API token", responses={201: s.CreatedApiTokenSerializer}),
    destroy=extend_schema(summary="Revoke an API token"),
)
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The signed-in user's own tokens; the value of a new one is in the create answer only."""

    serializer_class = s.ApiTokenSerializer
    pagination_class = None  # a handful per user

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).select_related("team")

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, plain = ApiToken.objects.issue(request.user, request=request, **serializer.validated_data)
        token.token = plain
        return Response(s.CreatedApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        instance.revoke(actor=self.request.user, request=self.request)


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
        # "role" is optional (the model's default, analyst): a body without it is not a 500.
        role = data.get("role", Invitation._meta.get_field("role").default)
        serializer.instance = invitations.invite(self.request, self.get_membership().team, data["email"], role)
