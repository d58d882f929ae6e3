"""API throttling: requests per signed-in user, and per address for anonymous clients,
counted in the shared cache (``CACHES["default"]``: the database cache on the embedded
default, Redis in production), so every web worker counts the same requests.

The rates come from PLANGOV_API_RATE_USER and PLANGOV_API_RATE_ANON (e.g. "600/min"), read
at each request; empty means no limit. Counting is plangov.ratelimit's fixed window (an
atomic ``add`` and ``incr`` per request), not DRF's default history of timestamps, which
rewrites a list of up to the whole rate on every request and loses hits when two workers
write at once. Over the limit: 429 problem+json with Retry-After (plangov.problems)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from . import ratelimit
from .errors import TooManyRequests

_parse_rate = SimpleRateThrottle.parse_rate


class _WindowThrottle(BaseThrottle):
    scope = ""
    rate_setting = ""

    def __init__(self) -> None:
        self._wait: int | None = None

    def rate(self) -> tuple[int, int] | None:
        raw = getattr(settings, self.rate_setting, None)
        if not raw:
            return None
        return _parse_rate(self, raw)  # type: ignore[arg-type]

    def ident(self, request: Any) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Any, view: Any) -> bool:
        rate = self.rate()
        ident = self.ident(request) if rate is not None else None
        if rate is None or ident is None:
            return True
        limit, window = rate
        try:
            ratelimit.hit(self.scope, ident, limit=limit, window=window, detail="")
        except TooManyRequests as exc:
            self._wait = exc.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return self._wait


class UserThrottle(_WindowThrottle):
    """Per signed-in user (by id), whatever token or session the request comes with."""

    scope = "api-user"
    rate_setting = "PLANGOV_API_RATE_USER"

    def ident(self, request: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return f"user:{user.pk}"


class AnonThrottle(_WindowThrottle):
    """Per address, for requests without credentials (the token endpoint among them)."""

    scope = "api-anon"
    rate_setting = "PLANGOV_API_RATE_ANON"

    def ident(self, request: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return f"addr:{ratelimit.client_address(request)}"
