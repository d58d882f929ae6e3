"""Fixed-window counters in the shared cache (``CACHES["default"]``: the database cache on the
embedded default, Redis in production), so every web worker counts the same hits.

A hit is ``cache.add(key, 0)`` then ``cache.incr(key)``: both atomic in Redis and in
plangov's database cache (plangov.cache), so two workers never lose a hit. Keys carry the
window's start, so a window ends by itself; identities (addresses, tokens) are keyed hashes,
never stored as they came."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .errors import TooManyRequests


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def hit(scope: str, ident: str, *, limit: int, window: int, detail: str) -> int:
    """Count one hit of ``ident`` in ``scope``; over ``limit`` in this ``window`` (seconds):
    TooManyRequests with the seconds until the window ends. Returns the count so far."""
    now = int(time.time())
    start = now - now % window
    key = f"plangov:rl:{scope}:{_digest(ident)}:{start}"
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between the two calls: this is the first hit again
        cache.add(key, 1, timeout=window + 60)
        count = 1
    if count > limit:
        raise TooManyRequests(detail, retry_after=start + window - now)
    return count


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``PLANGOV_TRUSTED_PROXIES`` reverse
    proxies the address the outermost trusted proxy saw (X-Forwarded-For, from the right)."""
    proxies = settings.PLANGOV_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if a.strip()]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return forwarded[0] if forwarded else remote
