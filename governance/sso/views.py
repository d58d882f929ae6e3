"""The two single sign-on pages: off to the council's provider, and back from it."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .identity import SignInRefused, sso_enabled

SSO_SESSION_KEY = "plangov_sso"


class SignInRequestView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/``: sends the browser to the provider (code flow, PKCE, nonce)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().get(request)


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: signs in the person the token names, or says why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().get(request)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        # Signed in by the council's provider, with its own multi-factor: plangov's
        # two-factor check for password sign-in skips this session.
        self.request.session[SSO_SESSION_KEY] = True
        return response

    def login_failure(self) -> HttpResponse:
        refusal: SignInRefused | None = getattr(self.request, "plangov_sso_refusal", None)
        context: dict[str, Any] = {
            "message": refusal.detail if refusal else (
                "Signing in with your council account did not finish. Try again."
            ),
            "code": refusal.code if refusal else "incomplete",
        }
        status = 503 if refusal and refusal.code == "unavailable" else 403 if refusal else 400
        return render(self.request, "registration/sso_refused.html", context, status=status)
