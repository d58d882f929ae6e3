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


def test_the_api_docs_load_everything_from_this_site(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js">' \
        in html
    # No other host: no CDN, no web fonts.
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "googleapis" not in html and "cdn" not in html.lower()
    assert client.get("/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
                      ).status_code == 200


# What a new user met on the pages, mended (issue 9, item 1) ------------------------------

def page(response) -> str:
    return response.content.decode()


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", page(response), re.S)
    assert match, "no <title>"
    return match.group(1).strip()


def banner(response) -> str:
    match = re.search(r'<div class="govuk-notification-banner govuk-notification-banner--success"'
                      r'.*?</div>\s*</div>', page(response), re.S)
    return match.group(0) if match else ""


def test_withdraw_is_a_warning_button_to_a_confirmation_page_that_asks_why(
        world, frozen_clock, client):
    from documents.models import Stage
    from tests.conftest import submitted_plan

    plan = submitted_plan(world)
    client.force_login(world.lead)
    html = page(client.get(f"/plans/{plan.pk}/"))
    confirm = f"/plans/{plan.pk}/actions/withdraw/confirm/"
    assert re.search(rf'<a href="{confirm}" role="button" draggable="false" '
                     r'class="govuk-button govuk-button--warning"', html)
    # The confirmation page says what will happen and asks for the reason.
    response = client.get(confirm)
    html = page(response)
    assert response.status_code == 200 and title_of(response).startswith("Withdraw the plan")
    assert "Open tasks on it are cancelled" in html and "cannot be undone" in html
    assert '<textarea name="reason"' in html and 'id="id_reason"' in html
    assert 'class="govuk-button govuk-button--warning"' in html
    # Without a reason: the page again, the error linked to the field and naming it.
    response = client.post(confirm, {"reason": ""})
    assert response.status_code == 400
    assert title_of(response).startswith("Error: ")
    assert re.search(r'<a href="#id_reason">Reason for withdrawing the plan: Say why the plan is '
                     r'withdrawn', page(response))
    plan.refresh_from_db()
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    # With one: withdrawn, and the plan's page says what happened and what next.
    response = client.post(confirm, {"reason": "Replaced by the joint strategy."})
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    plan.refresh_from_db()
    assert plan.stage == Stage.WITHDRAWN
    response = client.get(f"/plans/{plan.pk}/")
    assert "Plan withdrawn." in banner(response)
    assert "open tasks were cancelled" in banner(response)
    # British spelling on every page that shows the cancelled tasks.
    assert re.search(r'<td class="govuk-table__cell">cancelled</td>', page(response))
    assert "canceled" not in page(response).lower()
    client.force_login(world.board_secretary)
    archive = page(client.get("/tasks/?view=archive"))
    assert "cancelled" in archive and "canceled" not in archive.lower()


def test_the_old_withdraw_post_without_a_reason_shows_the_confirmation_page(
        world, frozen_clock, client):
    from tests.conftest import submitted_plan

    plan = submitted_plan(world)
    client.force_login(world.lead)
    response = client.post(f"/plans/{plan.pk}/actions/withdraw/", {})
    assert response.status_code == 400
    assert 'id="id_reason"' in page(response) and "govuk-error-summary" in page(response)


def test_supersede_asks_for_confirmation_and_says_what_happened(world, frozen_clock, client):
    from documents.models import Stage
    from tests.documents.test_signed_documents import adopt

    plan = adopt(world, frozen_clock)
    client.force_login(world.lead)
    confirm = f"/plans/{plan.pk}/actions/supersede/confirm/"
    assert f'href="{confirm}"' in page(client.get(f"/plans/{plan.pk}/"))
    response = client.get(confirm)
    assert "no longer in force" in page(response)
    assert "Mark as superseded</button>" in page(response)
    response = client.post(confirm, {"reason": "The 2012-15 plan replaces it."}, follow=True)
    plan.refresh_from_db()
    assert plan.stage == Stage.SUPERSEDED
    assert "Plan marked as superseded." in banner(response)


def test_a_confirmation_page_for_an_action_not_possible_now_says_why(world, client):
    from tests.conftest import make_plan

    plan = make_plan(world)
    client.force_login(world.lead)
    html = page(client.get(f"/plans/{plan.pk}/actions/supersede/confirm/"))
    assert "This cannot be done at the moment: the plan is at the drafting stage." in html
    assert "govuk-button--warning" not in html


def test_blocked_actions_are_text_with_the_reason_not_buttons(world, client):
    from tests.conftest import make_plan

    plan = make_plan(world)
    client.force_login(world.lead)
    html = page(client.get(f"/plans/{plan.pk}/"))
    blocked = re.search(r'<ul class="pg-blocked-actions">(.*?)</ul>', html, re.S)
    assert blocked, "no list of blocked actions"
    assert re.search(r"<li><strong>Submit for approval</strong>: \S.+</li>", blocked.group(1))
    assert not re.search(r"<button[^>]*>\s*Submit for approval", html)
    assert "Not available yet" in html


def test_the_inbox_opens_on_the_tab_that_holds_work_and_home_shows_counts(
        world, frozen_clock, client):
    from tests.conftest import open_task, submitted_plan

    plan = submitted_plan(world)
    client.force_login(world.board_secretary)
    response = client.get("/tasks/")
    html = page(response)
    assert title_of(response) == "Tasks: queue — plangov"
    assert re.search(r'govuk-tabs__list-item--selected">\s*<a class="govuk-tabs__tab" '
                     r'href="\?view=queue" aria-current="page">Queue \(1\)</a>', html)
    assert "Assigned to me (0)" in html
    home = page(client.get("/"))
    assert '<a class="govuk-link" href="/tasks/?view=mine">0 assigned to you</a>' in home
    assert '<a class="govuk-link" href="/tasks/?view=queue">1 in your queue</a>' in home
    task = open_task(plan, world.board)
    response = client.post(f"/tasks/{task.pk}/claim/", follow=True)
    assert "Task claimed." in banner(response)
    assert title_of(client.get("/tasks/")) == "Tasks: assigned to me — plangov"
    assert '<a class="govuk-link" href="/tasks/?view=mine">1 assigned to you</a>' in page(
        client.get("/"))


def test_each_action_says_what_happened_and_what_happens_next(world, frozen_clock, client):
    from documents.services import version_create
    from tests.conftest import make_plan
    from tests.factories import valid_content

    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    client.force_login(world.lead)
    response = client.post(f"/plans/{plan.pk}/actions/start_consultation/", follow=True)
    assert "Consultation opened." in banner(response)
    response = client.post(f"/plans/{plan.pk}/actions/close_consultation/", follow=True)
    assert "Consultation closed." in banner(response)
    round = plan.consultation_rounds.get()
    response = client.post(f"/consultations/{round.pk}/publish/", follow=True)
    assert "summary of consultation round 1 is published" in banner(response)
    response = client.post(f"/plans/{plan.pk}/actions/submit/", follow=True)
    assert "Plan submitted for approval." in banner(response)
    assert "secretaries have been given their tasks" in banner(response)
    # The banner is shown once.
    assert banner(client.get(f"/plans/{plan.pk}/")) == ""


def test_recording_a_decision_says_what_happens_next(world, frozen_clock, client):
    from tests.conftest import open_task, submitted_plan

    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    form = {"outcome": "approved", "decided_on": "2016-07-14", "attendance": "8",
            "minute_reference": "YB/2016/12", "votes_for": "7", "votes_against": "0",
            "votes_abstaining": "1", "reasons": "Agreed."}
    response = client.post(f"/tasks/{task.pk}/complete/", form, follow=True)
    assert "Decision recorded: Approved." in banner(response)
    assert "waits for the partnership boards" in banner(response)


def test_refusals_are_titled_by_what_happened(world, frozen_clock, client):
    from tests.conftest import make_plan, open_task, submitted_plan

    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    # 403: another body's secretary.
    client.force_login(world.safeguarding_secretary)
    response = client.post(f"/tasks/{task.pk}/claim/")
    assert response.status_code == 403
    assert title_of(response) == "You are not allowed to do this — plangov"
    assert f'href="/tasks/{task.pk}/"' in page(response)  # a way back
    # 409, changed meanwhile: someone else claimed it first.
    client.force_login(world.board_secretary)
    client.post(f"/tasks/{task.pk}/claim/")
    client.force_login(world.board_deputy)
    response = client.post(f"/tasks/{task.pk}/claim/")
    assert response.status_code == 409
    assert title_of(response) == "This changed while you were working on it — plangov"
    # 409, wrong stage.
    client.force_login(world.lead)
    drafting = make_plan(world)
    response = client.post(f"/plans/{drafting.pk}/actions/adopt/")
    assert response.status_code == 409
    assert title_of(response) == "This cannot be done at this stage — plangov"
    # 409, not yet: a guard that is not met.
    response = client.post(f"/plans/{drafting.pk}/actions/submit/")
    assert response.status_code == 409
    assert title_of(response) == "This cannot be done yet — plangov"
    for response in (client.post(f"/plans/{drafting.pk}/actions/adopt/"),):
        assert "This has changed" not in page(response)


def test_non_leads_read_the_executive_report_and_leads_edit_it(world, frozen_clock, client):
    from documents.publishing.executive import executive_report_save
    from tests.conftest import submitted_plan

    plan = submitted_plan(world)
    executive_report_save(plan=plan, actor=world.lead,
                          data={"summary": "The <b>summary</b>.", "recommendations": [
                              {"recommendation": "Endorse the plan", "reason": "It is good"}]})
    url = f"/plans/{plan.pk}/report/"
    client.force_login(world.board_secretary)
    response = client.get(url)
    html = page(response)
    assert response.status_code == 200
    assert "You can read this report but not change it" in html
    assert "The &lt;b&gt;summary&lt;/b&gt;." in html and "Endorse the plan" in html
    assert "<textarea" not in html and "Save the report" not in html
    assert client.post(url, {"summary": "x"}).status_code == 403
    client.force_login(world.lead)
    html = page(client.get(url))
    assert '<textarea class="govuk-textarea" id="id_summary"' in html
    assert "Save the report" in html


def test_page_titles_are_unique_and_say_what_the_page_is(world, frozen_clock, client):
    from tests.conftest import open_task, submitted_plan

    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    urls = ["/", "/tasks/?view=mine", "/tasks/?view=queue", "/tasks/?view=archive",
            f"/tasks/{task.pk}/", f"/plans/{plan.pk}/", "/verify/", "/accessibility/",
            f"/plans/{plan.pk}/report/"]
    titles = [title_of(client.get(url)) for url in urls]
    assert len(set(titles)) == len(titles), titles
    assert all(t.endswith(" — plangov") and len(t) > len(" — plangov") + 4 for t in titles)
    assert f"decision (YorOK Board): {plan.title}".replace("'", "&#x27;") in titles[4]


def test_other_messages_show_in_one_important_banner(rf: RequestFactory, world):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.lead
    request.session = {}
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Draft saved.")
    storage.add(constants.WARNING, "The draft has 2 warnings.\nSee them beside each field.")
    html = render_to_string("base.html", {"messages": storage}, request=request)
    assert html.count("govuk-notification-banner__header") == 2
    assert re.search(r'<div class="govuk-notification-banner" role="region" '
                     r'aria-labelledby="notification-banner-2"', html)
    assert '<p class="govuk-notification-banner__heading">The draft has 2 warnings.</p>' in html


def test_production_collects_static_files_hashed_and_compressed(tmp_path, settings):
    """collectstatic with production's storage (plangov.storage): every file plangov serves
    gets a hashed, compressed copy, and third-party CSS naming files its package lacks
    (viewflow's own UI) does not fail the deploy."""
    import json

    from django.core.management import call_command

    # Django's test signals give staticfiles a fresh storage for each setting changed.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "plangov.storage.StaticFilesStorage"}}
    # Only what plangov serves, and the viewflow stylesheet that names fonts it lacks (the
    # rest would take minutes to compress, and is Django's and the packages' own).
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=[
        "admin", "rest_framework", "drf_spectacular_sidecar", "css", "img", "js",
        "material-icons", "simple-icons", "*.woff", "*.woff2", "*.ttf", "*.eot", "*.svg"])
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    # The stylesheet naming missing fonts was collected (plain WhiteNoise storage fails on it).
    assert any(name.startswith("viewflow/fonts/roboto/") and name.endswith(".css")
               for name in paths)
    for name in ("govuk/govuk-frontend.min.css", "govuk/govuk-frontend.min.js",
                 "plangov/init.js", "plangov/js-enabled.js", "plangov/document-status.js"):
        hashed = paths[name]
        assert hashed != name and (tmp_path / hashed).exists()
        assert (tmp_path / f"{hashed}.gz").exists()
