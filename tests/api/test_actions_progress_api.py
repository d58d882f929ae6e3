"""POST and GET /api/v1/plans/{id}/actions-progress/."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import ActionProgress, Plan, ProgressNote
from governance.models import AuditEvent
from tests.documents.action_helpers import HEADER, adopted_plan, csv_bytes, title, xlsx_bytes


@pytest.fixture
def plan(world: Any, frozen_clock: Any) -> Plan:
    return adopted_plan(world)


def url(plan: Plan) -> str:
    return f"/api/v1/plans/{plan.pk}/actions-progress/"


def test_json_updates_are_written_and_listed(world, plan, as_user):
    api = as_user(world.lead)
    answer = api.post(url(plan), {"updates": [
        {"action_number": 1, "status": "on_track", "noted_on": "2016-07-01", "text": "Good."},
        {"action_number": 3, "status": "dropped", "noted_on": "2016-07-14"},
    ]}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["updates"], answer.json()["actions"]) == (2, 2)
    listing = api.get(url(plan)).json()
    assert listing["version"] == 1
    first = listing["actions"][0]
    assert (first["action_number"], first["title"], first["status"]) == (1, title(1),
                                                                        "on_track")
    assert first["latest_note"]["text"] == "Good." and first["lead_person"] is None
    assert listing["actions"][1]["status"] == "not_started"
    dropped = api.get(url(plan), {"status": "dropped"}).json()["actions"]
    assert [a["action_number"] for a in dropped] == [3]
    assert api.get(url(plan), {"status": "green"}).status_code == 400
    assert AuditEvent.objects.filter(action="action_progress.import").count() == 1


def test_bad_json_updates_answer_400_naming_each_field_and_save_nothing(world, plan, as_user):
    answer = as_user(world.lead).post(url(plan), {"updates": [
        {"action_number": 1, "status": "on_track", "noted_on": "2016-07-01"},
        {"action_number": 1, "status": "on_track", "noted_on": "2016-07-01"},
        {"action_number": 1, "status": "on_track", "noted_on": "2016-07-01"},
        {"action_number": 2, "status": "green", "noted_on": "2016-07-01"},
    ]}, format="json")
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/problem+json")
    assert list(answer.json()["errors"]) == ["updates[3].status"]
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize("body", [{}, {"updates": "x"}, {"updates": [], "extra": 1}, [1]])
def test_malformed_bodies_answer_400(world, plan, as_user, body):
    answer = as_user(world.lead).post(url(plan), body, format="json")
    assert answer.status_code == 400, answer.content


def test_a_file_upload_takes_the_same_path_as_the_page(world, plan, as_user):
    rows = [HEADER, [1, title(1), "on_track", "2016-07-01", "ok"]]
    answer = as_user(world.lead).post(url(plan), {
        "file": SimpleUploadedFile("p.xlsx", xlsx_bytes(rows))}, format="multipart")
    assert answer.status_code == 200, answer.content
    assert ActionProgress.objects.get().status == "on_track"


def test_a_bad_file_answers_400_with_the_row_report(world, plan, as_user):
    rows = [HEADER, [1, title(1), "green", "2016-07-01", ""], [2, "Wrong", "on_track",
                                                              "2016-07-01", ""]]
    answer = as_user(world.lead).post(url(plan), {
        "file": SimpleUploadedFile("p.csv", csv_bytes(rows))}, format="multipart")
    assert answer.status_code == 400
    body = answer.json()
    assert body["errors"]["file"][0].startswith("Row 2, status: 'green' is not a status")
    assert [(p["row"], p["column"]) for p in body["report"]] == [(2, "status"),
                                                                 (3, "action title")]
    assert not ProgressNote.objects.exists()


def test_an_oversized_file_is_refused_naming_file(world, plan, as_user, settings):
    settings.PLANGOV_PROGRESS_IMPORT_MAX_BYTES = 1024
    answer = as_user(world.lead).post(url(plan), {
        "file": SimpleUploadedFile("p.csv", b"x" * 200_000)}, format="multipart")
    assert answer.status_code == 400 and "file" in answer.json()["errors"]


def test_a_non_lead_is_refused_403_and_an_outsider_sees_404(world, plan, as_user):
    body = {"updates": [{"action_number": 1, "status": "on_track", "noted_on": "2016-07-01"}]}
    assert as_user(world.board_secretary).post(url(plan), body,
                                               format="json").status_code == 403
    assert as_user(world.outsider).post(url(plan), body, format="json").status_code == 404
    assert as_user(world.outsider).get(url(plan)).status_code == 404
    assert as_user(world.board_secretary).get(url(plan)).status_code == 200
    assert not ProgressNote.objects.exists()


def test_a_plan_not_adopted_answers_409(world, frozen_clock, as_user):
    from tests.conftest import make_plan

    plan = make_plan(world)
    body = {"updates": [{"action_number": 1, "status": "on_track", "noted_on": "2016-07-01"}]}
    assert as_user(world.lead).post(url(plan), body, format="json").status_code == 409
    assert as_user(world.lead).get(url(plan)).json()["actions"] == []


def test_the_operation_is_in_the_schema(world, as_user):
    schema = as_user(world.lead).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/plans/{id}/actions-progress/"]
    assert set(operation) >= {"get", "post"}
    post = operation["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "application/problem+json" in post["responses"]["400"]["content"]


def test_the_list_takes_as_many_queries_for_one_action_as_for_many(
        world, frozen_clock, as_user, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents.monitoring.actions import action_progress_update

    small, big = adopted_plan(world, count=1), adopted_plan(world, count=25)
    for plan in (small, big):
        for number in range(1, len(plan.adopted_version.content["actions"]) + 1):
            action_progress_update(plan=plan, action_number=number, status="on_track",
                                   noted_on="2016-07-01", text="x", actor=world.lead)
    api = as_user(world.lead)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url(small)).json()["actions"]) == 1
    with django_assert_num_queries(len(one)):
        assert len(api.get(url(big)).json()["actions"]) == 25
