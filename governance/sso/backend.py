"""mozilla-django-oidc's authorization code flow, with plangov's rules for who may sign in.

The library fetches the tokens and checks the ID token's signature, expiry and nonce; this
backend adds the issuer and audience checks, reads the identity from the ID token itself
(the userinfo endpoint, when configured, only adds claims the token lacks and must name the
same subject) and hands the claims to ``sign_in_identity_resolve``. A refusal is kept on
the request for the callback page to explain.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .identity import SignInRefused, sign_in_identity_resolve, sso_enabled

log = logging.getLogger(__name__)


class PlangovOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads its settings here; plangov reads them only when single sign-on
        # is configured, so password sign-in works on a server without it.
        self.UserModel = get_user_model()

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or not sso_enabled() or "code" not in request.GET:
            return None
        super().__init__()
        try:
            return super().authenticate(request, **kwargs)
        except SignInRefused as refusal:
            request.plangov_sso_refusal = refusal
        except SuspiciousOperation as exc:
            log.warning("single sign-on refused a token: %s", exc)
            request.plangov_sso_refusal = SignInRefused("claims")
        except requests.RequestException as exc:
            log.warning("single sign-on could not reach the provider: %s", exc)
            request.plangov_sso_refusal = SignInRefused("unavailable")
        return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The ID token's issuer is not the configured one.")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was not issued to plangov.")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The ID token's authorised party is not plangov.")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SignInRefused("claims")
            for name, value in userinfo.items():
                claims.setdefault(name, value)
        return sign_in_identity_resolve(claims=claims)

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        # A closed account's sessions end at once, as with password sign-in.
        return user if user is not None and user.is_active else None
