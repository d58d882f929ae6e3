"""Word-level diffs on the compare page, marked up so that colour is never the only cue: a
deletion is a <del> (struck through) starting with "deleted:" for screen readers, an insertion
an <ins> (underlined) starting with "inserted:". Every word is escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_OPEN = {
    "delete": '<del class="pg-diff-del"><span class="govuk-visually-hidden">deleted: </span>',
    "insert": '<ins class="pg-diff-ins"><span class="govuk-visually-hidden">inserted: </span>',
}
_CLOSE = {"delete": "</del>", "insert": "</ins>"}


def render_runs(ops: list[dict[str, str]], *, hide: str) -> str:
    """The runs as HTML, leaving out those of kind ``hide``: every word escaped, marks
    around the changed runs (the spacing after a changed run stays outside its mark)."""
    parts = []
    for op in ops:
        kind, text = op["op"], op["text"]
        if kind == hide:
            continue
        if kind == "equal":
            parts.append(escape(text))
        else:
            body = text.rstrip()
            parts.append(f"{_OPEN[kind]}{escape(body)}{_CLOSE[kind]}{escape(text[len(body):])}")
    return "".join(parts)


@register.filter
def diff_old(ops: list[dict[str, str]]) -> SafeString:
    """The old text, its deleted words marked."""
    return mark_safe(render_runs(ops, hide="insert"))  # noqa: S308 - every word escaped


@register.filter
def diff_new(ops: list[dict[str, str]]) -> SafeString:
    """The new text, its inserted words marked."""
    return mark_safe(render_runs(ops, hide="delete"))  # noqa: S308 - every word escaped


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
