"""Anti-automation for the public response form, without a third-party service.

- A **form token** comes with each page: signed (django.core.signing, with its issue time),
  naming the round and a random nonce. A post without a valid, unexpired token for its round
  is not taken (the page asks again, keeping what was typed).
- A **rate limit per token** (PLANGOV_RESPONSES_PER_TOKEN posts per
  PLANGOV_RESPONSES_TOKEN_WINDOW seconds) and a generous **ceiling per address**
  (PLANGOV_RESPONSES_PER_ADDRESS_HOUR), so thirty pupils behind one school address can all
  respond while a script hammering one token is stopped (429 with Retry-After). The counters
  live in the shared cache (plangov.ratelimit), so every web worker counts the same hits.
- One response per token: a second send of the same page (a double click, the back button)
  stores nothing more.
- The honeypot field is the page's (documents.public_site)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from plangov import ratelimit

SALT = "plangov.consultation.form-token"


def form_token_issue(round_id: int) -> str:
    return signing.dumps({"r": round_id, "n": secrets.token_urlsafe(12)}, salt=SALT)


def form_token_nonce(token: str, round_id: int) -> str | None:
    """The token's nonce when it is ours, for this round and not expired; else None."""
    if not token or len(token) > 200:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PLANGOV_FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or data.get("r") != round_id:
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) else None


def address_hit(address: str) -> None:
    """Count a post from ``address``; over the hourly ceiling: TooManyRequests."""
    ratelimit.hit(
        "consult-address", address, limit=settings.PLANGOV_RESPONSES_PER_ADDRESS_HOUR,
        window=3600, detail="Too many responses from your network this hour; try again later.",
    )


def token_hit(nonce: str) -> None:
    """Count a post with the form token ``nonce``; over its limit: TooManyRequests."""
    ratelimit.hit(
        "consult-token", nonce, limit=settings.PLANGOV_RESPONSES_PER_TOKEN,
        window=settings.PLANGOV_RESPONSES_TOKEN_WINDOW,
        detail="This form has been sent too many times; wait a little and try again.",
    )


def _used_key(nonce: str) -> str:
    return f"plangov:consult-token-used:{nonce}"


def token_claim(nonce: str) -> bool:
    """Claim the token for one response (atomic: of two sends at once, one wins). False when
    a response was already taken with it."""
    return bool(cache.add(_used_key(nonce), 1, timeout=settings.PLANGOV_FORM_TOKEN_MAX_AGE))


def token_release(nonce: str) -> None:
    """Give the claim back: the response was not taken (bad answers), so the respondent may
    correct it and send it again with the same page."""
    cache.delete(_used_key(nonce))
