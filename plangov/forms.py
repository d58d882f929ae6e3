"""Forms that apply plangov.text's policy to every field, with the error beside the field.

Every page form derives from ``Form`` or ``ModelForm`` here (or mixes in ``TextPolicyMixin``):
what was typed into each field is checked as it came, before the field strips or converts it
(Django's fields strip a trailing U+000B as white space, and would hide it), so a page refuses
exactly what the API refuses; the cleaned text has its line separators normalised."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from . import text


class TextPolicyMixin:
    cleaned_data: dict[str, Any]
    _errors: Any

    def _clean_fields(self) -> None:
        refused: dict[str, str] = {}
        for name, bound in self._bound_items():  # type: ignore[attr-defined]
            if isinstance(bound.field, forms.FileField) or bound.field.disabled:
                continue
            raw = bound.data
            for value in raw if isinstance(raw, list | tuple) else [raw]:
                if (message := text.text_error(value)) is not None:
                    refused[name] = message
                    break
        super()._clean_fields()  # type: ignore[misc]
        for name, value in self.cleaned_data.items():
            if isinstance(value, str):
                self.cleaned_data[name] = text.normalise_lines(value)
        for name, message in refused.items():
            # The policy's message replaces whatever the field made of the refused text.
            self._errors.pop(name, None)
            self.cleaned_data.pop(name, None)
            self.add_error(name, message)  # type: ignore[attr-defined]


class Form(TextPolicyMixin, forms.Form):
    pass


class ModelForm(TextPolicyMixin, forms.ModelForm):
    pass


class LoginForm(TextPolicyMixin, AuthenticationForm):
    """The sign-in form: a username with a control character is a field error, never a
    database query (NUL is an error on PostgreSQL)."""


class AdminLoginForm(TextPolicyMixin, AdminAuthenticationForm):
    """The admin's sign-in form, under the same policy."""


def put_back(form: Any, exc: Any, *, rename: dict[str, str] | None = None) -> None:
    """A service's InvalidInput onto the form that sent it: each error under its field (an
    indexed name such as ``points[2]`` under ``points``), the rest above the form.

    ``rename`` maps a service's field name to the form's where they differ: the name exactly
    as the service gave it is looked up first, then its unindexed base."""
    rename = rename or {}
    for field, errors in exc.errors.items():
        base = field.split("[")[0]
        name = rename.get(field, rename.get(base, base))
        for message in errors:
            form.add_error(name if name in form.fields else None, message)
