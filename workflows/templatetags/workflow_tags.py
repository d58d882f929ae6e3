"""Words for the inbox pages: a task's status in British English."""

from __future__ import annotations

from django import template

from workflows.inbox import status_word

register = template.Library()


@register.filter
def task_status(status: str) -> str:
    """NEW -> "in the queue", ASSIGNED -> "claimed", DONE -> "done", CANCELED -> "cancelled"."""
    return status_word(status)
