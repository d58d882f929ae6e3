"""Sign-in lockout (django-axes): after ``AXES_FAILURE_LIMIT`` failed sign-ins for one
username from one address, that pair is refused for ``PLANGOV_LOCKOUT_MINUTES`` on the
sign-in page, the admin's sign-in and the API token endpoint; the right password too.

The answer says when to try again and never whether the username exists (axes counts
failures for any username): a GOV.UK page with status 429 for pages, a 429
application/problem+json with Retry-After under /api/."""

from __future__ import annotations

import datetime
import ipaddress
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .problems import API_PREFIX, PROBLEM_CONTENT_TYPE
from .ratelimit import client_address


class RequestAxesBackend(AxesStandaloneBackend):
    """Axes' guard for sign-ins that come with a request (the pages, the admin, the token
    endpoint). A call of ``authenticate`` without one (the test client's ``login``, a
    management command) has no client to lock out and passes to the next backend."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    """How long a lockout lasts (AXES_COOLOFF_TIME): PLANGOV_LOCKOUT_MINUTES."""
    return datetime.timedelta(minutes=settings.PLANGOV_LOCKOUT_MINUTES)


def client_ip(request: HttpRequest) -> str | None:
    """The address axes keys on: the same one the rate limits use (plangov.ratelimit),
    honouring PLANGOV_TRUSTED_PROXIES; None when the request has none (a request made in
    code), as the database stores only addresses."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def unlocks_at(request: HttpRequest) -> datetime.datetime:
    """When the lockout ends: the cool-off after this (refused) attempt."""
    attempt = getattr(request, "axes_attempt_time", None) or timezone.now()
    return attempt + cool_off(request)


def lockout_message(request: HttpRequest) -> tuple[str, int]:
    until = unlocks_at(request)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    # Round up to the minute shown, so "after 14:05" is never a minute too early.
    shown = timezone.localtime(until)
    if shown.second or shown.microsecond:
        shown = shown.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return f"Too many failed sign-ins; try again after {shown:%H:%M}.", seconds


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer to a sign-in while locked out."""
    detail, seconds = lockout_message(request)
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            {"type": "urn:plangov:problem:locked-out", "title": "Too many failed sign-ins",
             "status": 429, "detail": detail, "instance": request.get_full_path()},
            status=429, content_type=PROBLEM_CONTENT_TYPE,
        )
    else:
        response = render(request, "registration/locked_out.html",
                          {"detail": detail}, status=429)
    response["Retry-After"] = str(seconds)
    return response
