"""What every page shares: the refusal page, titled by what happened."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

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


class IdUrls:
    """URLs of one named route for many ids, as a list page needs one per row: reversed once
    with a stand-in id, then the id put in its place (``reverse`` walks the URL resolver on
    every call, which on a page of 50 rows with three links each was a tenth of the page's
    time). Only for routes whose one argument is an integer id."""

    _STAND_IN = "2147480001"

    def __init__(self, name: str) -> None:
        self._head, found, self._tail = reverse(name, args=[int(self._STAND_IN)]).partition(
            self._STAND_IN)
        if not found or self._STAND_IN in self._tail:
            raise ValueError(f"{name} does not take one integer id.")

    def __call__(self, pk: int) -> str:
        return f"{self._head}{int(pk)}{self._tail}"
