"""The pages of a plan's actions: list, one action, the spreadsheet upload, leads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import ActionProgress, LeadLink, Plan, ProgressNote
from documents.monitoring.actions import action_progress_update
from documents.monitoring.lead_links import lead_link_set
from governance.models import AuditEvent

from .action_helpers import HEADER, LEADS, adopted_plan, csv_bytes, partnership_person, title


@pytest.fixture
def plan(world: Any, frozen_clock: Any) -> Plan:
    return adopted_plan(world)


def test_the_plan_page_links_to_the_actions(world, plan, client):
    client.force_login(world.lead)
    page = client.get(f"/plans/{plan.pk}/")
    assert f"/plans/{plan.pk}/progress/".encode() in page.content


def test_the_actions_page_lists_every_action_with_lead_status_and_latest_note(
        world, plan, client):
    person = partnership_person(world, "public_health")
    person.first_name, person.last_name = "Sharon", "Stoltz"
    person.save()
    lead_link_set(plan=plan, name=LEADS[0], person=person, actor=world.lead)
    action_progress_update(plan=plan, action_number=1, status="at_risk",
                           noted_on=datetime.date(2016, 7, 2), text="Funding is late.",
                           actor=person)
    client.force_login(world.board_secretary)
    page = client.get(f"/plans/{plan.pk}/progress/")
    html = page.content.decode()
    assert page.status_code == 200
    for number in (1, 2, 3):
        assert title(number) in html
    assert "Sharon Stoltz" in html and "At risk" in html and "Funding is late." in html
    assert "2 July 2016" in html
    assert "Add progress" not in html  # the secretary reports on nothing
    filtered = client.get(f"/plans/{plan.pk}/progress/", {"status": "at_risk"}).content.decode()
    assert title(1) in filtered and title(2) not in filtered
    # An unknown filter is ignored, never a 500.
    assert client.get(f"/plans/{plan.pk}/progress/", {"status": "x"}).status_code == 200


def test_the_actions_page_takes_as_many_queries_for_one_action_as_for_many(
        world, frozen_clock, client, django_assert_num_queries):
    small, big = adopted_plan(world, count=1), adopted_plan(world, count=30)
    for plan in (small, big):
        lead_link_set(plan=plan, name=LEADS[0], person=world.board_chair, actor=world.lead)
        for number in range(1, len(plan.adopted_version.content["actions"]) + 1):
            action_progress_update(plan=plan, action_number=number, status="on_track",
                                   noted_on=datetime.date(2016, 7, 1), text="x",
                                   actor=world.lead)
            action_progress_update(plan=plan, action_number=number, status="complete",
                                   noted_on=datetime.date(2016, 7, 2), actor=world.lead)
    client.force_login(world.lead)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/plans/{small.pk}/progress/").status_code == 200
    with django_assert_num_queries(len(one)):
        page = client.get(f"/plans/{big.pk}/progress/")
    assert page.status_code == 200 and page.content.decode().count("Complete") >= 30


def test_the_lead_officer_adds_a_progress_note_on_the_action_page(world, plan, client):
    client.force_login(world.lead)
    url = f"/plans/{plan.pk}/progress/actions/2/"
    page = client.get(url)
    assert page.status_code == 200 and b"Record the progress" in page.content
    answer = client.post(url, {"status": "on_track", "noted_on": "01/07/2016",
                               "text": "Two schools joined."})
    assert answer.status_code == 302
    note = ProgressNote.objects.get()
    assert (note.progress.action_number, note.noted_on) == (2, datetime.date(2016, 7, 1))
    assert "Two schools joined." in client.get(url).content.decode()


def test_a_wrong_note_is_shown_with_an_error_summary_and_nothing_saved(world, plan, client):
    client.force_login(world.lead)
    url = f"/plans/{plan.pk}/progress/actions/2/"
    answer = client.post(url, {"status": "on_track", "noted_on": "15/07/2016",
                               "text": "Bad\x0bline"})
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "govuk-error-summary" in html and "#id_text" in html
    answer = client.post(url, {"status": "on_track", "noted_on": "15/07/2016"})
    assert answer.status_code == 400 and "is in the future" in answer.content.decode()
    assert "#id_noted_on" in answer.content.decode()
    assert not ProgressNote.objects.exists()


def test_someone_not_leading_the_action_sees_no_form_and_is_refused_403(world, plan, client):
    person = partnership_person(world, "public_health")
    lead_link_set(plan=plan, name=LEADS[0], person=person, actor=world.lead)
    client.force_login(person)
    url = f"/plans/{plan.pk}/progress/actions/2/"
    assert b"Record the progress" not in client.get(url).content
    answer = client.post(url, {"status": "on_track", "noted_on": "01/07/2016"})
    assert answer.status_code == 403
    assert b"Record the progress" in client.get(f"/plans/{plan.pk}/progress/actions/1/").content
    client.force_login(world.board_secretary)
    assert client.post(url, {"status": "on_track", "noted_on": "01/07/2016"}).status_code == 403
    assert not ProgressNote.objects.exists()


def test_pages_of_a_plan_or_action_not_to_see_are_404(world, plan, client):
    client.force_login(world.outsider)
    assert client.get(f"/plans/{plan.pk}/progress/").status_code == 404
    client.force_login(world.lead)
    assert client.get(f"/plans/{plan.pk}/progress/actions/4/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/progress/actions/0/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/progress/template.exe").status_code == 404


def test_the_upload_page_saves_a_good_file(world, plan, client):
    client.force_login(world.lead)
    url = f"/plans/{plan.pk}/progress/upload/"
    assert client.get(url).status_code == 200
    rows = [HEADER, [1, title(1), "on_track", "2016-07-01", "ok"],
            [2, title(2), "complete", "2016-07-01", ""]]
    answer = client.post(url, {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))})
    assert answer.status_code == 302
    assert ActionProgress.objects.count() == 2
    assert AuditEvent.objects.filter(action="action_progress.import").count() == 1


def test_the_upload_page_shows_the_row_report_and_saves_nothing(world, plan, client):
    client.force_login(world.lead)
    rows = [HEADER, [1, title(1), "green", "2016-07-01", ""],
            [2, "An old title", "on_track", "2016-07-01", ""]]
    answer = client.post(f"/plans/{plan.pk}/progress/upload/",
                         {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))})
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "govuk-error-summary" in html and 'id="report"' in html
    assert "&#x27;green&#x27; is not a status" in html and "older version" in html
    assert not ProgressNote.objects.exists()


def test_the_upload_page_refuses_an_oversized_file_and_a_non_lead(world, plan, client,
                                                                   settings):
    settings.PLANGOV_PROGRESS_IMPORT_MAX_BYTES = 1024
    client.force_login(world.lead)
    answer = client.post(f"/plans/{plan.pk}/progress/upload/",
                         {"file": SimpleUploadedFile("p.csv", b"x" * 100_000)})
    assert answer.status_code == 400 and b"MB" in answer.content
    client.force_login(world.board_secretary)
    assert client.get(f"/plans/{plan.pk}/progress/upload/").status_code == 403


@pytest.mark.parametrize("kind, start", [("csv", b"\xef\xbb\xbfaction number"),
                                         ("xlsx", b"PK")])
def test_the_templates_download(world, plan, client, kind, start):
    client.force_login(world.lead)
    answer = client.get(f"/plans/{plan.pk}/progress/template.{kind}")
    assert answer.status_code == 200 and answer.content.startswith(start)
    assert "attachment" in answer["Content-Disposition"]


def test_the_leads_page_links_each_lead_to_a_person_row_by_row(world, plan, client):
    person = partnership_person(world, "public_health")
    client.force_login(world.lead)
    url = f"/plans/{plan.pk}/leads/"
    page = client.get(url).content.decode()
    for name in LEADS:
        assert name in page
    assert page.count("<select") == 3 and 'id="id_lead2_person"' in page
    answer = client.post(url, {"name": LEADS[1], "person": str(person.pk)})
    assert answer.status_code == 302
    assert LeadLink.objects.get().name == LEADS[1]
    assert f'value="{person.pk}" selected' in client.get(url).content.decode()
    answer = client.post(url, {"name": LEADS[1], "person": ""})
    assert answer.status_code == 302 and not LeadLink.objects.exists()


def test_the_leads_page_refuses_a_stranger_and_others_only_read_it(world, plan, client):
    client.force_login(world.lead)
    answer = client.post(f"/plans/{plan.pk}/leads/", {"name": "Head of Nothing",
                                                      "person": str(world.board_chair.pk)})
    assert answer.status_code == 400 and b"govuk-error-summary" in answer.content
    client.force_login(world.board_secretary)
    page = client.get(f"/plans/{plan.pk}/leads/")
    assert page.status_code == 200 and b"<select" not in page.content
    answer = client.post(f"/plans/{plan.pk}/leads/", {"name": LEADS[0],
                                                      "person": str(world.board_chair.pk)})
    assert answer.status_code == 403
    assert not LeadLink.objects.exists()
