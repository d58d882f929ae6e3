"""API throttling: requests per signed-in user, and per address for anonymous clients,
counted in the shared cache (``CACHES["default"]``: the database cache on the embedded
default, Redis in production), so every web worker counts the same requests.

The rates come from PLANGOV_API_RATE_USER and PLANGOV_API_RATE_ANON (e.g. "600/min"), read
at each request; empty means no limit. Over the limit: 429 problem+json with Retry-After
(plangov.problems)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .ratelimit import client_address


class _SharedCacheMixin:
    scope_setting = ""

    def __init__(self) -> None:
        # The shared cache by name, never a per-process one.
        self.cache = caches["default"]
        super().__init__()  # type: ignore[call-arg]

    def get_rate(self) -> str | None:
        return getattr(settings, self.scope_setting, None) or None

    def get_ident(self, request) -> str:  # type: ignore[no-untyped-def]
        return client_address(request)


class UserThrottle(_SharedCacheMixin, UserRateThrottle):
    """Per signed-in user (by id); an anonymous request is left to AnonThrottle."""

    scope_setting = "PLANGOV_API_RATE_USER"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class AnonThrottle(_SharedCacheMixin, AnonRateThrottle):
    """Per address, for requests without credentials (including the token endpoint)."""

    scope_setting = "PLANGOV_API_RATE_ANON"
