"""Word-level diffs on the compare page, marked up so that colour is never the only cue: a
deletion is a <del> (struck through) starting with "deleted:" for screen readers, an insertion
an <ins> (underlined) starting with "inserted:". Every word is escaped."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_MARK = {
    "delete": ('<del class="pg-diff-del"><span class="govuk-visually-hidden">deleted: </span>'
               "{}</del>"),
    "insert": ('<ins class="pg-diff-ins"><span class="govuk-visually-hidden">inserted: </span>'
               "{}</ins>"),
}


def _render(ops: list[dict[str, str]], hide: str) -> SafeString:
    parts = []
    for op in ops:
        if op["op"] == hide:
            continue
        text = op["text"]
        if op["op"] == "equal":
            parts.append(conditional_escape(text))
        else:
            # The spacing after the last word stays outside the mark.
            body = text.rstrip()
            parts.append(format_html(_MARK[op["op"]], body))
            parts.append(conditional_escape(text[len(body):]))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped


@register.filter
def diff_old(ops: list[dict[str, str]]) -> SafeString:
    """The old text, its deleted words marked."""
    return _render(ops, hide="insert")


@register.filter
def diff_new(ops: list[dict[str, str]]) -> SafeString:
    """The new text, its inserted words marked."""
    return _render(ops, hide="delete")


@register.filter
def field_value(value: Any) -> str:
    """A field's value in words: a list joined, nothing as "none"."""
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)
