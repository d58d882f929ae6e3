"""The compare page's changed items as HTML, built in Python: a large plan has hundreds of
changes, and Django's template engine took most of the page's time for them. Every value is
escaped (format_html, conditional_escape); the word-level marks come from templatetags
``plandiff``, so an insertion or deletion reads the same here and in the vision."""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .templatetags.plandiff import diff_new, diff_old, field_value

TAG_CLASS = {"added": "govuk-tag--green", "removed": "govuk-tag--red",
             "moved": "govuk-tag--purple", "changed": "govuk-tag--yellow"}


def _join(parts: list[Any]) -> SafeString:
    return mark_safe("".join(str(conditional_escape(p)) for p in parts))  # noqa: S308


def _row(label: str, value: SafeString | str) -> SafeString:
    return format_html(
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt>'
        '<dd class="govuk-summary-list__value pg-text">{}</dd></div>', label, value)


def _side(entry: dict[str, Any], *, new: bool, number: int) -> SafeString:
    absent = "added" if not new else "removed"
    if absent in entry["kinds"]:
        body: SafeString = format_html('<p class="govuk-body">Not in version {}.</p>', number)
    else:
        rows = []
        for row in entry["rows"]:
            if row["diff"]:
                value = diff_new(row["diff"]) if new else diff_old(row["diff"])
            elif new:
                value = format_html('<ins class="pg-diff-ins"><span class="govuk-visually-hidden">'
                                    "now: </span>{}</ins>", field_value(row["new"]))
            else:
                value = format_html('<del class="pg-diff-del"><span class="govuk-visually-hidden">'
                                    "was: </span>{}</del>", field_value(row["old"]))
            rows.append(_row(row["label"], value))
        for row in entry["new_values" if new else "old_values"]:
            rows.append(_row(row["label"], field_value(row["value"])))
        body = format_html('<dl class="govuk-summary-list govuk-summary-list--no-border">{}</dl>',
                           _join(rows))
    return format_html('<div class="govuk-grid-column-one-half pg-side">'
                       '<span class="pg-side__label">Version {}</span>{}</div>', number, body)


def render_entry(section: str, entry: dict[str, Any], old_number: int,
                 new_number: int) -> SafeString:
    tags = _join([format_html('<strong class="govuk-tag {}">{}</strong>', TAG_CLASS[kind],
                              kind.capitalize()) for kind in entry["kinds"]])
    parts: list[Any] = [format_html('<h3 class="govuk-heading-s">{} {}</h3>', entry["title"],
                                    tags)]
    if entry["parent_text"]:
        what = "Outcome" if section in {"priorities", "indicators"} else "Outcome and priority"
        parts.append(format_html('<p class="govuk-body-s">{}: {}</p>', what,
                                 entry["parent_text"]))
    if entry["moved_text"]:
        parts.append(format_html('<p class="govuk-body-s">{}</p>', entry["moved_text"]))
    if entry["rows"] or entry["old_values"] or entry["new_values"]:
        parts.append(format_html('<div class="govuk-grid-row pg-columns">{}{}</div>',
                                 _side(entry, new=False, number=old_number),
                                 _side(entry, new=True, number=new_number)))
    return format_html('<div class="pg-change">{}</div>', _join(parts))


def render_entries(section: str, entries: list[dict[str, Any]], old_number: int,
                   new_number: int) -> SafeString:
    if not entries:
        return mark_safe('<p class="govuk-body">No change.</p>')
    return _join([render_entry(section, e, old_number, new_number) for e in entries])
