"""TOTP two-factor (django-otp) for password sign-in by those who decide and those who check:
secretaries, executive members, auditors (and external auditors) and staff.

When ``PLANGOV_REQUIRE_2FA_ROLES`` is on (production.py), such a person signed in with a
password sees nothing but the two-factor page until they enter a code from their
authenticator app; on their first sign-in the page enrols one (the secret and the
``otpauth://`` address as text, no script). The API's token endpoint asks for the code in
``otp``; a session-authenticated API call from an unverified session is a 403.

Single sign-on brings the council's own multi-factor: a session whose sign-in set
``request.session["plangov_sso"]`` (the OIDC sign-in does) is never asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.audit import audit_record
from governance.models import Membership, Role
from plangov.forms import Form
from plangov.problems import API_PREFIX, PROBLEM_CONTENT_TYPE
from plangov.txn import service

SSO_SESSION_KEY = "plangov_sso"
ROLES = (Role.SECRETARY, Role.EXECUTIVE_MEMBER, Role.AUDITOR, Role.EXTERNAL_AUDITOR)
DEVICE_NAME = "Authenticator app"
_SESSION_NEEDED = "plangov_2fa_needed"


def required_for(user: Any) -> bool:
    """Whether ``user`` must give a TOTP code to sign in with a password (setting on)."""
    if not settings.PLANGOV_REQUIRE_2FA_ROLES or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.current().filter(user=user, role__in=ROLES).exists()


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def check_code(user: Any, code: Any) -> TOTPDevice | None:
    """The confirmed device ``code`` is good for (django-otp throttles repeated failures)."""
    if not isinstance(code, str) or not code.strip():
        return None
    device = confirmed_device(user)
    if device is not None and device.verify_token(code.strip()):
        return device
    return None


class TwoFactorMiddleware:
    """After OTPMiddleware: an unverified password session that needs two-factor is sent to
    the two-factor page (pages) or refused (API), whatever it asks for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PLANGOV_REQUIRE_2FA_ROLES and self._blocked(request):
            if request.path.startswith(API_PREFIX):
                return JsonResponse(
                    {"type": "urn:plangov:problem:two-factor-required",
                     "title": "Two-factor verification required", "status": 403,
                     "detail": "Verify with your authenticator app on the two-factor page "
                               "first.", "instance": request.get_full_path()},
                    status=403, content_type=PROBLEM_CONTENT_TYPE)
            return redirect(f"{reverse('two-factor')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _blocked(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.session.get(SSO_SESSION_KEY) or user.is_verified():
            return False
        if request.path in (reverse("two-factor"), reverse("logout")) or \
                request.path.startswith(settings.STATIC_URL):
            return False
        needed = request.session.get(_SESSION_NEEDED)
        if needed is None or needed[0] != user.pk:
            needed = [user.pk, required_for(user)]
            request.session[_SESSION_NEEDED] = needed
        return bool(needed[1])


class CodeForm(Form):
    code = forms.CharField(label="Code from your authenticator app", max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))


@service
def two_factor_enrol(*, device: TOTPDevice, actor: Any) -> TOTPDevice:
    """Confirm a new authenticator app for the actor (one audit event, no secret in it)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=actor, action="two_factor_enrol", obj=actor, before={"enrolled": False},
                 after={"enrolled": True})
    return device


@login_required
def two_factor_page(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = settings.LOGIN_REDIRECT_URL
    device = confirmed_device(request.user)
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or \
            TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            if enrolling:
                device = two_factor_enrol(device=device, actor=request.user)
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", "The code is not right. Enter the current code from your "
                               "authenticator app.")
    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        from base64 import b32encode

        context["secret"] = b32encode(device.bin_key).decode()
        context["config_url"] = device.config_url
    response = render(request, "registration/two_factor.html", context,
                      status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response
