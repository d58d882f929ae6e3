"""The token endpoints.

- ``POST auth/token/`` ``{"username", "password", "name"?, "otp"?}`` → a new token
  ``{"id", "name", "token", "expires_at"}``. Sign-ins here count towards the lockout
  (plangov.lockout): while locked out, 429 problem+json with Retry-After. Where two-factor
  is required (governance.twofactor) the account's current TOTP code goes in ``otp``.
- ``GET auth/tokens/``: the caller's tokens (no secrets); ``POST auth/tokens/ {"name"}``:
  a new token for the caller; ``DELETE auth/tokens/{id}/``: revoke one of them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from governance import twofactor

from .models import ApiToken
from .services import token_create, token_revoke

FAILED = "Unable to log in with provided credentials."
DEFAULT_NAME = "API client"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(trim_whitespace=False)
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(required=False, max_length=100)
    otp = serializers.CharField(required=False, max_length=12)


class NewTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    token = serializers.CharField(help_text="Shown once; send it as 'Authorization: Token …'.")
    expires_at = serializers.DateTimeField()


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]


class TokenNameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


def _new(token: ApiToken, raw: str) -> dict[str, Any]:
    return {"id": token.pk, "name": token.name, "token": raw, "expires_at": token.expires_at}


class ObtainTokenView(APIView):
    permission_classes = [AllowAny]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(request=TokenRequestSerializer, responses={200: NewTokenSerializer},
                   operation_id="auth_token_create")
    def post(self, request: Request) -> Response:
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # The Django request, so django-axes records the failure (and the lockout) on it.
        user = authenticate(request._request, username=data["username"],
                            password=data["password"])
        if user is None:
            raise serializers.ValidationError(FAILED, code="authorization")
        if twofactor.required_for(user) and not twofactor.check_code(user, data.get("otp")):
            raise serializers.ValidationError(
                {"otp": ["Give the current code from your authenticator app."]})
        token, raw = token_create(user=user, name=data.get("name") or DEFAULT_NAME,
                                  actor=user)
        return Response(NewTokenSerializer(_new(token, raw)).data)


class TokenListView(APIView):
    serializer_class = TokenSerializer

    @extend_schema(responses={200: TokenSerializer(many=True)})
    def get(self, request: Request) -> Response:
        from plangov import clock

        tokens = ApiToken.objects.filter(user=request.user).live(clock.now())
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(request=TokenNameSerializer, responses={201: NewTokenSerializer})
    def post(self, request: Request) -> Response:
        body = TokenNameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, raw = token_create(user=request.user, name=body.validated_data["name"],
                                  actor=request.user)
        return Response(NewTokenSerializer(_new(token, raw)).data,
                        status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    serializer_class = TokenSerializer

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        token_revoke(token_id=pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


token_view = ObtainTokenView.as_view()
