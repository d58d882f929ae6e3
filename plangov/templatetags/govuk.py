"""Template tags for GOV.UK Frontend markup around Django's own forms.

``templates/govuk/field.html`` and ``templates/govuk/error_summary.html`` use these: the kind
of GOV.UK component a field's widget becomes, the widget rendered with GOV.UK classes and
``aria-describedby``, and an error message that names its field."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms import widgets

register = template.Library()

# Widget class -> (component, input class). Checked in order: subclasses first.
_WIDGETS: list[tuple[type[forms.Widget], str, str]] = [
    (forms.CheckboxSelectMultiple, "checkboxes", "govuk-checkboxes__input"),
    (forms.RadioSelect, "radios", "govuk-radios__input"),
    (forms.CheckboxInput, "checkbox", "govuk-checkboxes__input"),
    (forms.ClearableFileInput, "file", "govuk-file-upload"),
    (forms.FileInput, "file", "govuk-file-upload"),
    (forms.Textarea, "textarea", "govuk-textarea"),
    (forms.SelectMultiple, "select", "govuk-select"),
    (forms.Select, "select", "govuk-select"),
    (forms.HiddenInput, "hidden", ""),
    (forms.MultipleHiddenInput, "hidden", ""),
    (widgets.Input, "input", "govuk-input"),
]

# Input widths, by widget (GOV.UK sizes inputs to what they hold).
_WIDTHS: list[tuple[type[forms.Widget], str]] = [
    (forms.NumberInput, "govuk-input--width-5"),
    (forms.DateInput, "govuk-input--width-10"),
    (forms.DateTimeInput, "govuk-input--width-20"),
    (forms.TimeInput, "govuk-input--width-5"),
]


def _kind(widget: forms.Widget) -> tuple[str, str]:
    for cls, kind, css in _WIDGETS:
        if isinstance(widget, cls):
            return kind, css
    return "input", "govuk-input"


@register.filter
def govuk_kind(field: forms.BoundField) -> str:
    """The GOV.UK component for this field: input, textarea, select, radios, checkboxes,
    checkbox (one yes/no box), file or hidden."""
    return _kind(field.field.widget)[0]


def described_by(field: forms.BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def govuk_described_by(field: forms.BoundField) -> str:
    return described_by(field)


@register.simple_tag
def govuk_widget(field: forms.BoundField, extra_classes: str = "") -> str:
    """The field's widget with GOV.UK's classes (and the error modifier), its id, and
    ``aria-describedby`` naming its hint and error message."""
    widget = field.field.widget
    kind, css = _kind(widget)
    classes = [c for c in (widget.attrs.get("class", ""), css) if c]
    if kind == "input" and not any(c.startswith("govuk-input--width") for c in classes):
        for cls, width in _WIDTHS:
            if isinstance(widget, cls):
                classes.append(width)
                break
    if field.errors and kind in ("input", "textarea", "select", "file"):
        classes.append(f"{css}--error")
    if extra_classes:
        classes.append(extra_classes)
    attrs: dict[str, Any] = {}
    if css:
        attrs["class"] = " ".join(dict.fromkeys(" ".join(classes).split()))
    if kind == "textarea":
        attrs.setdefault("rows", widget.attrs.get("rows", 5))
    if (describedby := described_by(field)) and kind != "hidden":
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@register.simple_tag
def govuk_choices(field: forms.BoundField) -> list[dict[str, Any]]:
    """Radios or checkboxes, one dict each: id (the first is the field's own id, as GOV.UK
    Frontend does, so an error summary's link lands on it), value, label, checked."""
    items = []
    for index, sub in enumerate(field.subwidgets):
        data = sub.data
        items.append({
            "id": field.auto_id if index == 0 else f"{field.auto_id}_{index}",
            "value": "" if data["value"] is None else data["value"],
            "label": data["label"],
            "checked": bool(data.get("selected")),
        })
    return items


@register.simple_tag
def govuk_error_text(field: forms.BoundField | None, error: str) -> str:
    """An error message that names its field: "Meeting date: Enter a valid date." unless
    the message already names it ("Enter the meeting date")."""
    if field is None:
        return str(error)
    label = str(field.label or field.name.replace("_", " ")).strip().rstrip(":")
    if label and label.lower() in str(error).lower():
        return str(error)
    return f"{label}: {error}"


@register.simple_tag
def govuk_field_errors(form: forms.BaseForm) -> list[dict[str, Any]]:
    """Every error of ``form`` in the order of its fields: {href, text}; non-field errors
    (and errors of hidden fields) have no link."""
    out: list[dict[str, Any]] = [
        {"href": "", "text": str(e)} for e in form.non_field_errors()
    ]
    for field in form:
        for error in field.errors:
            text = govuk_error_text(field, error)
            out.append({"href": "" if field.is_hidden else f"#{field.auto_id}", "text": text})
    return out


@register.simple_tag
def govuk_banners(messages: Any) -> list[dict[str, Any]]:
    """Django's messages as GOV.UK notification banners: one success banner for the success
    messages, one "Important" banner for the rest. Each message is a list of lines: the
    first is the heading (what happened), the others paragraphs (what happens next)."""
    success: list[list[str]] = []
    other: list[list[str]] = []
    for message in messages:
        lines = [line for line in str(message).splitlines() if line.strip()] or [""]
        (success if "success" in message.tags.split() else other).append(lines)
    banners = []
    if success:
        banners.append({"success": True, "title": "Success", "messages": success})
    if other:
        banners.append({"success": False, "title": "Important", "messages": other})
    return banners
