"""Task counts for every page's navigation and the home page, counted only when a template
reads them (one query each) and only for a signed-in person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .inbox import View, inbox


class TaskCounts:
    """Open tasks assigned to the person, and tasks in their queue (free for them to take)."""

    def __init__(self, user: Any):
        self._user = user
        self._counts: dict[str, int] = {}

    def _count(self, view: str) -> int:
        if view not in self._counts:
            self._counts[view] = inbox(self._user, view=view).count()
        return self._counts[view]

    @property
    def mine(self) -> int:
        return self._count(View.MINE)

    @property
    def queue(self) -> int:
        return self._count(View.QUEUE)

    @property
    def total(self) -> int:
        return self.mine + self.queue


def counts_for(request: HttpRequest) -> TaskCounts:
    """The request's counts, made once: the task list's tabs and the navigation share them."""
    counts = getattr(request, "_plangov_task_counts", None)
    if counts is None:
        counts = request._plangov_task_counts = TaskCounts(request.user)  # type: ignore[attr-defined]
    return counts


def task_counts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"task_counts": None}
    return {"task_counts": SimpleLazyObject(lambda: counts_for(request))}
