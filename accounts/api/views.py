"""The token endpoints under /api/v1/auth/: exchange a password for a token, who a token belongs to,
and the signed-in user's tokens (list, create, revoke)."""

from __future__ import annotations

from axes.helpers import get_lockout_response
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from accounts.api import serializers as s
from accounts.models import ApiToken


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
