"""The page frame (templates/base.html) and the GOV.UK form includes every page uses."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory

from plangov.forms import Form


class SampleForm(Form):
    title = forms.CharField(label="Plan title", help_text="As it appears on the cover.")
    votes = forms.IntegerField(label="Votes for")
    minute = forms.CharField(label="Minute", widget=forms.Textarea)
    body = forms.ChoiceField(label="Board", choices=[("a", "Schools forum"), ("b", "Health")])
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("approved", "Approved"), ("deferred", "Deferred")],
        widget=forms.RadioSelect,
    )
    themes = forms.MultipleChoiceField(
        label="Themes", required=False, choices=[("x", "Housing"), ("y", "Health")],
        widget=forms.CheckboxSelectMultiple,
    )
    key = forms.BooleanField(label="A key decision", required=False)
    met_on = forms.DateField(label="Meeting date", widget=forms.DateInput)
    file = forms.FileField(label="Word file", required=False)

    def clean(self):
        if self.cleaned_data.get("title") == "clash":
            raise forms.ValidationError("Two plans cannot share a title in one period.")
        return self.cleaned_data


def render(source: str, **context) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


def field_html(form, name: str) -> str:
    return render('{% include "govuk/field.html" with field=f %}', f=form[name])


def test_a_text_field_has_label_hint_classes_and_describedby():
    html = field_html(SampleForm(), "title")
    assert '<label class="govuk-label " for="id_title">Plan title</label>' in html
    assert '<div class="govuk-hint" id="id_title-hint">As it appears on the cover.</div>' in html
    assert 'class="govuk-input"' in html
    assert 'aria-describedby="id_title-hint"' in html
    assert "govuk-form-group--error" not in html


def test_a_field_in_error_shows_its_message_and_the_error_classes():
    form = SampleForm(data={"title": "", "votes": "x", "minute": "", "body": "zz"})
    assert not form.is_valid()
    html = field_html(form, "title")
    assert "govuk-form-group--error" in html
    assert "govuk-input--error" in html
    assert 'aria-describedby="id_title-hint id_title-error"' in html
    assert re.search(r'<p class="govuk-error-message" id="id_title-error">\s*'
                     r'<span class="govuk-visually-hidden">Error:</span> This field is required.',
                     html)
    assert "govuk-textarea--error" in field_html(form, "minute")
    assert "govuk-select--error" in field_html(form, "body")
    assert "govuk-input--width-5" in field_html(form, "votes")


@pytest.mark.parametrize("name, css", [
    ("minute", "govuk-textarea"), ("body", "govuk-select"), ("file", "govuk-file-upload"),
    ("met_on", "govuk-input govuk-input--width-10"),
])
def test_each_widget_gets_its_govuk_class(name, css):
    assert f'class="{css}"' in field_html(SampleForm(), name)


def test_radios_are_a_fieldset_whose_first_input_has_the_fields_id():
    form = SampleForm(data={"outcome": ""})
    form.is_valid()
    html = field_html(form, "outcome")
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_outcome-error">' in html
    assert "<legend" in html and ">Outcome</legend>" in html
    assert 'class="govuk-radios__input" id="id_outcome" name="outcome" type="radio" ' \
           'value="approved"' in html
    assert 'id="id_outcome_1" name="outcome" type="radio" value="deferred"' in html
    assert '<label class="govuk-label govuk-radios__label" for="id_outcome_1">Deferred</label>' \
        in html


def test_checkboxes_keep_what_was_ticked():
    form = SampleForm(data={"themes": ["y"]})
    html = field_html(form, "themes")
    assert 'class="govuk-checkboxes"' in html
    assert 'id="id_themes_1" name="themes" type="checkbox" value="y" checked' in html
    assert 'id="id_themes" name="themes" type="checkbox" value="x">' in html


def test_a_single_checkbox_is_a_govuk_checkbox_with_its_label():
    html = field_html(SampleForm(), "key")
    assert 'class="govuk-checkboxes__input"' in html
    assert '<label class="govuk-label govuk-checkboxes__label" for="id_key">A key decision' in html


def test_the_error_summary_links_each_error_to_its_field_and_names_the_field():
    form = SampleForm(data={"title": "clash", "votes": "", "minute": "m", "body": "a",
                            "outcome": "", "met_on": "32/13/2020"})
    assert not form.is_valid()
    html = render('{% include "govuk/error_summary.html" %}', form=form)
    assert 'class="govuk-error-summary"' in html and 'role="alert"' in html
    assert "There is a problem" in html
    # A whole-form error has no link.
    assert "<li>Two plans cannot share a title in one period.</li>" in html
    assert '<a href="#id_votes">Votes for: This field is required.</a>' in html
    assert '<a href="#id_outcome">Outcome: This field is required.</a>' in html
    assert '<a href="#id_met_on">Meeting date: Enter a valid date.</a>' in html
    # Never a bare message that does not say which field it is about.
    assert ">This field is required.<" not in html


def test_an_error_message_that_names_its_field_is_not_prefixed():
    form = SampleForm(data={})
    form.add_error("title", "Enter the plan title")
    html = render('{% include "govuk/error_summary.html" %}', form=form)
    assert '<a href="#id_title">Enter the plan title</a>' in html


def test_no_error_summary_for_a_form_without_errors():
    assert render('{% include "govuk/error_summary.html" %}', form=SampleForm()).strip() == ""


def test_script_typed_into_a_field_is_shown_as_text():
    form = SampleForm(data={"title": "<script>alert(1)</script>"})
    form.add_error("title", "<b>bad</b>")
    html = field_html(form, "title") + render('{% include "govuk/error_summary.html" %}',
                                               form=form)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


# The frame -----------------------------------------------------------------------------

def test_the_frame_is_govuk_with_the_councils_name_and_no_crown(client, db, settings):
    settings.PLANGOV_ORGANISATION_NAME = "City of York Council"
    html = client.get("/").content.decode()
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert '<body class="govuk-template__body">' in html
    assert 'href="/static/govuk/govuk-frontend.min.css"' in html
    assert '<script src="/static/plangov/js-enabled.js"></script>' in html
    assert '<script type="module" src="/static/plangov/init.js"></script>' in html
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert 'id="main-content"' in html
    assert "City of York Council" in html
    assert "govuk-service-navigation" in html and ">plangov</a>" in html
    assert "crown" not in html.lower() and "crest" not in html.lower()
    assert "Transport" not in html
    assert "https://www.gnu.org/licenses/agpl-3.0.html" in html


def test_no_inline_script_or_style_in_the_frame(client, world):
    client.force_login(world.lead)
    html = client.get("/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and "style=" not in html


def test_administration_shows_to_staff_only(client, world):
    client.force_login(world.lead)
    assert "Administration" not in client.get("/").content.decode()
    world.lead.is_staff = True
    world.lead.save()
    assert ">Administration</a>" in client.get("/").content.decode()


def test_sign_out_is_a_post_form_and_the_navigation_marks_the_current_page(client, world):
    client.force_login(world.lead)
    html = client.get("/tasks/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/"[^>]*>'
                     r'<input type="hidden" name="csrfmiddlewaretoken"', html)
    assert 'href="/tasks/" aria-current="page">Tasks (' in html


def test_the_title_starts_with_error_when_the_form_failed(client, world):
    response = client.post("/accounts/login/", {"username": "lead", "password": "nope"})
    assert "<title>Error: Sign in — plangov</title>" in response.content.decode()
    assert "<title>Sign in — plangov</title>" in client.get("/accounts/login/").content.decode()


def test_messages_show_as_a_success_banner_with_what_happens_next(rf: RequestFactory, world):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.lead
    request.session = {}
    storage = FallbackStorage(request)
    storage.add(25, "Plan submitted.\nThe boards' secretaries have been given their tasks.")
    request._messages = storage
    html = render_to_string("base.html", {"messages": storage}, request=request)
    assert 'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' \
        in html
    assert '<p class="govuk-notification-banner__heading">Plan submitted.</p>' in html
    assert "<p class=\"govuk-body\">The boards&#x27; secretaries have been given their tasks.</p>" \
        in html


def test_static_files_are_served_without_collectstatic(client, db):
    response = client.get("/static/govuk/govuk-frontend.min.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"govuk-template" in css and b"arial" in css
    assert b"GDS Transport" not in css and b"crest" not in css
    assert client.get("/static/plangov/init.js").status_code == 200


def test_the_accessibility_statement_is_linked_from_every_page(client, db):
    assert 'href="/accessibility/"' in client.get("/").content.decode()
    assert "Accessibility statement" in client.get("/accessibility/").content.decode()
