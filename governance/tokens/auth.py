"""``Authorization: Token <token>`` for the API, against governance.tokens' tokens: an
unknown, expired or revoked token (or one of a deactivated user) is a 401 problem+json."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

KEYWORD = "Token"


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: give the token after 'Token ', with no spaces.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        from .services import token_user

        found = token_user(raw)
        if found is None:
            # The same answer for unknown, expired and revoked: a token tells nothing of others.
            raise exceptions.AuthenticationFailed("Invalid token.")
        return found

    def authenticate_header(self, request: Any) -> str:
        return KEYWORD


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in the API's schema: ``Authorization: Token <token>``."""

    target_class = "governance.tokens.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token-based authentication: 'Token <token>'. Tokens expire "
                               "and are revoked when their owner's password changes."}
