"""plangov.forms.put_back: a service's InvalidInput onto the form that sent it."""

from __future__ import annotations

from django import forms

from plangov.errors import InvalidInput
from plangov.forms import Form, put_back


class _Form(Form):
    title = forms.CharField(required=False)
    points = forms.CharField(required=False)
    opens_at = forms.CharField(required=False)


def _bound() -> _Form:
    form = _Form({})
    assert form.is_valid()
    return form


def test_errors_go_under_their_fields_and_the_rest_above_the_form():
    form = _bound()
    put_back(form, InvalidInput({"title": ["Too long.", "Not text."], "points[2]": ["Empty."],
                                 "nonsense": ["Unknown."]}))
    assert form.errors["title"] == ["Too long.", "Not text."]
    assert form.errors["points"] == ["Empty."]
    assert form.non_field_errors() == ["Unknown."]


def test_rename_maps_the_services_names_to_the_forms():
    form = _bound()
    put_back(form, InvalidInput({"opens_on": ["Past."], "answers.7": ["Required."],
                                 "items[1]": ["Empty."], "other": ["Unknown."]}),
             rename={"opens_on": "opens_at", "answers.7": "title", "items": "points",
                     "other": "no_such_field"})
    assert form.errors["opens_at"] == ["Past."]
    assert form.errors["title"] == ["Required."]
    assert form.errors["points"] == ["Empty."]
    assert form.non_field_errors() == ["Unknown."]
