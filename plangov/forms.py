"""Forms that apply plangov.text's policy to every text field, with the error beside the field.

Every page form derives from ``Form`` or ``ModelForm`` here (or mixes in ``TextPolicyMixin``):
each CharField (and its kinds: email, slug, username...) refuses the characters the policy
refuses, and its cleaned value has its line separators normalised."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible

from . import text


@deconstructible
class TextPolicyValidator:
    """Refuses a string holding a character plangov.text refuses, naming it and where."""

    code = "text_policy"

    def __call__(self, value: Any) -> None:
        if (message := text.text_error(value)) is not None:
            raise ValidationError(message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextPolicyValidator)

    def __hash__(self) -> int:
        return hash(self.code)


def apply_policy(fields: dict[str, forms.Field]) -> None:
    """Put the policy on every text field (in place of Django's NUL-only check)."""
    for field in fields.values():
        if isinstance(field, forms.CharField):
            field.validators = [
                v for v in field.validators
                if not isinstance(v, ProhibitNullCharactersValidator | TextPolicyValidator)
            ] + [TextPolicyValidator()]


class TextPolicyMixin:
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        apply_policy(self.fields)

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        for name, value in self.cleaned_data.items():
            if isinstance(value, str):
                self.cleaned_data[name] = text.normalise_lines(value)


class Form(TextPolicyMixin, forms.Form):
    pass


class ModelForm(TextPolicyMixin, forms.ModelForm):
    pass


class LoginForm(TextPolicyMixin, AuthenticationForm):
    """The sign-in form: a username with a control character is a field error, never a
    database query (NUL is an error on PostgreSQL)."""
