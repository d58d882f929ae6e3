"""The compare page's changed items as HTML, built in Python: a large plan has hundreds of
changes, and rendering them through Django's template engine (or format_html for each piece)
took most of the page's time. Every value from the content goes through ``html.escape``
(quotes too) before it is put in markup; the word-level marks are ``plandiff``'s, so an
insertion or deletion reads the same here and in the vision."""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from .templatetags.plandiff import field_value, render_runs

TAG_CLASS = {"added": "govuk-tag--green", "removed": "govuk-tag--red",
             "moved": "govuk-tag--purple", "changed": "govuk-tag--yellow"}


def _row(label: str, value_html: str) -> str:
    return (f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">'
            f'{escape(label)}</dt><dd class="govuk-summary-list__value pg-text">{value_html}'
            "</dd></div>")


def _side(entry: dict[str, Any], *, new: bool, number: int) -> str:
    absent = "added" if not new else "removed"
    if absent in entry["kinds"]:
        body = f'<p class="govuk-body">Not in version {number}.</p>'
    else:
        rows = []
        for row in entry["rows"]:
            if row["diff"]:
                value = render_runs(row["diff"], hide="delete" if new else "insert")
            elif new:
                value = ('<ins class="pg-diff-ins"><span class="govuk-visually-hidden">now: '
                         f'</span>{escape(field_value(row["new"]))}</ins>')
            else:
                value = ('<del class="pg-diff-del"><span class="govuk-visually-hidden">was: '
                         f'</span>{escape(field_value(row["old"]))}</del>')
            rows.append(_row(row["label"], value))
        for row in entry["new_values" if new else "old_values"]:
            rows.append(_row(row["label"], escape(field_value(row["value"]))))
        body = ('<dl class="govuk-summary-list govuk-summary-list--no-border">'
                f'{"".join(rows)}</dl>')
    return ('<div class="govuk-grid-column-one-half pg-side"><span class="pg-side__label '
            f'govuk-body-s govuk-!-font-weight-bold">Version {number}</span>{body}</div>')


def render_entry(section: str, entry: dict[str, Any], old_number: int,
                 new_number: int) -> str:
    tags = "".join(f'<strong class="govuk-tag {TAG_CLASS[kind]}">{kind.capitalize()}</strong>'
                   for kind in entry["kinds"])
    parts = [f'<h3 class="govuk-heading-s">{escape(entry["title"])} {tags}</h3>']
    if entry["parent_text"]:
        what = "Outcome" if section in {"priorities", "indicators"} else "Outcome and priority"
        parts.append(f'<p class="govuk-body-s">{what}: {escape(entry["parent_text"])}</p>')
    if entry["moved_text"]:
        parts.append(f'<p class="govuk-body-s">{escape(entry["moved_text"])}</p>')
    if entry["rows"] or entry["old_values"] or entry["new_values"]:
        parts.append('<div class="govuk-grid-row">'
                     f"{_side(entry, new=False, number=old_number)}"
                     f"{_side(entry, new=True, number=new_number)}</div>")
    return f'<div class="pg-change">{"".join(parts)}</div>'


def render_entries(section: str, entries: list[dict[str, Any]], old_number: int,
                   new_number: int) -> SafeString:
    if not entries:
        return mark_safe('<p class="govuk-body">No change.</p>')
    # Safe: every value from the content is escaped above.
    return mark_safe("".join(render_entry(section, e, int(old_number), int(new_number))  # noqa: S308
                             for e in entries))
