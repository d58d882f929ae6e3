"""The public verify page and API refuse a PDF over PLANGOV_VERIFY_MAX_BYTES before reading it
whole: a body that declares a larger Content-Length is refused unread, and any other is read
through ``plangov.tabular.SizeLimitHandler``, which stops at the limit (the rest of a body
within the multipart framing's room is all that is ever read past it).

``guard(request)`` must run before anything reads the body (the page's CSRF check, DRF's
parsing); ``refusal(request, upload)`` says what is wrong once it has been read, or None."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from plangov import tabular

# Room for the multipart framing and the form's other fields (the CSRF token) beyond the file.
FRAMING_BYTES = 64 * 1024


def limit() -> int:
    return int(settings.PLANGOV_VERIFY_MAX_BYTES)


def too_big(size: int | None = None) -> str:
    """``size``: the declared or stored size; None when the read stopped at the limit."""
    most = limit() // 2**20
    told = f"{size / 2**20:.1f} MB" if size is not None else f"over {most} MB"
    return f"The file is {told}; files over {most} MB are not checked."


def declared_length(request: Any) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def guard(request: Any) -> str | None:
    """Before the body is read: the refusal when its declared length is past the limit (the
    body is left unread), else None with the size-limited handler in place for the read."""
    length = declared_length(request)
    if length > limit() + FRAMING_BYTES:
        return too_big(length)
    request.upload_handlers.insert(0, tabular.SizeLimitHandler(request, limit=limit()))
    return None


def refusal(request: Any, upload: Any) -> str | None:
    """After the read: what is wrong with the upload (too big, missing, empty), or None."""
    seen = getattr(request, "plangov_upload_too_big", None)
    if seen is not None:
        return too_big()
    if upload is None:
        return "Choose a PDF file to check."
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        return "The file is empty; choose the PDF to check."
    if size > limit():
        return too_big(size)
    return None
