"""The token endpoints: exchange a username and password for a token, and who a token belongs to."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from axes.helpers import get_lockout_response
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenRequestSerializer(AuthTokenSerializer):
    """Username and password, and the authenticator code when the account uses two-factor sign-in:
    the token endpoint is a door like the sign-in page and asks for the same factors."""

    otp = serializers.CharField(
        required=False, write_only=True, help_text="TOTP or recovery code; required when two-factor sign-in is on"
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
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


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send as "Authorization: Token <token>".')


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_staff = serializers.BooleanField()


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        examples=[
            OpenApiExample("sign in", value={"username": "ana", "password": "…"}, request_only=True),
            OpenApiExample("token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        # The serializer calls authenticate(request=...), so django-axes counts this door too; it
        # marks the request when the account or address is locked out, and answers in the
        # project's words (AXES_LOCKOUT_CALLABLE).
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return get_lockout_response(request)
            raise ValidationError(serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    """Who the credentials belong to (also the cheapest authenticated endpoint: the bench's ceiling)."""

    @extend_schema(summary="The signed-in user", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "is_staff": user.is_staff})
