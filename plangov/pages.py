"""What every page shares: the refusal page, titled by what happened."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import PAGE_TITLES, PlangovError, refusal_title


def refused(request: HttpRequest, exc: PlangovError | None = None, *, status: int | None = None,
            detail: str = "", title: str = "", back_url: str = "",
            back_label: str = "") -> HttpResponse:
    """The page refusing an action, with the service's own explanation and a way back.
    The title says what happened (plangov.errors.refusal_title), never "This has changed"
    for everything."""
    if exc is not None:
        status = status or exc.status
        detail = detail or exc.detail
        title = title or refusal_title(exc)
    status = status or 400
    title = title or PAGE_TITLES.get(status, PlangovError.page_title)
    return render(request, "workflows/refused.html", {
        "title": title, "detail": detail, "back_url": back_url, "back_label": back_label,
        "status_code": status,
    }, status=status)
