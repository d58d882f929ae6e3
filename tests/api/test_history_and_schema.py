"""plans/{id}/history/ (the audit events of a plan) and the OpenAPI schema at /api/schema/."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command

from documents.services import version_create
from governance.models import AuditEvent
from tests.conftest import make_plan, submitted_plan
from tests.factories import valid_content
from workflows.services import plan_adopt

from .conftest import external_auditor, other_partnership_plan, plan_url, problem


def post(api: Any, url: str, data: dict[str, Any]) -> dict[str, Any]:
    response = api.post(url, data, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def walk_through_the_api(world: Any, as_user: Any, frozen_clock: Any) -> int:
    """Create, write, consult, submit, approve and endorse a plan through the API; the
    call-in period then runs out and the beat scan adopts it. Returns the plan's id."""
    lead = as_user(world.lead)
    plan_id = post(lead, "/api/v1/plans/", {
        "title": "Children and Young People's Plan", "kind": "cypp",
        "period_start": "2009-04-01", "period_end": "2012-03-31", "partnership": "yorok",
        "owning_body": "yorok-board", "approving_bodies": ["yorok-board"],
        "executive_body": "executive",
    })["id"]
    base = f"/api/v1/plans/{plan_id}/"
    post(lead, base + "versions/", {"content": valid_content(), "note": "Draft for consultation"})
    post(lead, base + "actions/start_consultation/", {"reason": "Round one: priorities"})
    post(lead, base + "actions/close_consultation/", {"reason": "6,300 parent responses"})
    round_id = lead.get(base + "consultations/").json()["results"][0]["id"]
    post(lead, f"/api/v1/consultations/{round_id}/publication/", {})
    post(lead, base + "actions/submit/", {"reason": "Ready for the board"})
    board = as_user(world.board_secretary)
    post(board, base + "decisions/", {"body": "yorok-board", "outcome": "approved",
                                      "decided_on": "2016-07-14", "attendance": 9,
                                      "votes_for": 9, "reasons": "Unanimous"})
    post(as_user(world.executive_member), base + "decisions/", {
        "body": "executive", "outcome": "approved", "decided_on": "2016-07-14",
        "attendance": 5, "votes_for": 5, "reasons": "Approved",
    })
    frozen_clock.set(datetime.date(2016, 7, 22))
    plan_adopt(plan=world.partnership.plans.get(pk=plan_id), actor=None)
    return plan_id


def test_it_lists_a_plans_events_in_order_with_actor_and_reason(world, as_user, frozen_clock):
    plan_id = walk_through_the_api(world, as_user, frozen_clock)
    response = as_user(world.auditor).get(f"/api/v1/plans/{plan_id}/history/")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 10
    events = page["results"]
    assert [(e["action"], e["actor"], e["reason"]) for e in events] == [
        ("plan.create", "lead", ""),
        ("version.create", "lead", "Draft for consultation"),
        ("consultation.round_create", "lead", ""),
        ("plan.start_consultation", "lead", "Round one: priorities"),
        ("plan.close_consultation", "lead", "6,300 parent responses"),
        ("consultation.summary_publish", "lead", ""),
        ("plan.submit", "lead", "Ready for the board"),
        ("decision.record", "board_secretary", "Unanimous"),
        ("decision.record", "executive_member", "Approved"),
        ("plan.adopt", "system", ""),
    ]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # The round's own events (set up, summary published) carry no stage: the plan's do.
    assert [e["after"].get("stage") for e in events] == [
        "drafting", "drafting", None, "consultation", "drafting", None, "partnership_approval",
        "executive_approval", "call_in", "adopted",
    ]
    assert events[-1]["before"]["stage"] == "call_in"
    assert events[7]["after"]["body"] == "yorok-board"
    assert events[7]["object_type"] == "governance.decision"
    for earlier, later in zip(events, events[1:], strict=False):
        assert later["prev_hash"] == earlier["hash"]  # one plan only: its events are the chain


def test_it_lists_only_the_plans_own_events(world, as_user, frozen_clock):
    first = make_plan(world)
    second = submitted_plan(world)
    response = as_user(world.lead).get(plan_url(first, "history/"))
    assert [e["action"] for e in response.json()["results"]] == ["plan.create"]
    response = as_user(world.lead).get(plan_url(second, "history/"))
    assert response.json()["count"] == 7
    assert {e["object_id"] for e in response.json()["results"] if e["action"] == "plan.submit"} == {
        str(second.pk)
    }


def test_it_pages_the_history(world, as_user, frozen_clock):
    plan = submitted_plan(world)
    page = as_user(world.lead).get(plan_url(plan, "history/"), {"limit": 2, "offset": 3}).json()
    assert page["count"] == 7
    assert [e["action"] for e in page["results"]] == [
        "plan.start_consultation", "plan.close_consultation",
    ]
    assert page["next"] and page["previous"]


def test_it_lists_one_event_or_many_in_the_same_number_of_queries(
    world, as_user, frozen_clock, count_queries
):
    plan = make_plan(world)
    api = as_user(world.board_secretary)
    one = count_queries(lambda: api.get(plan_url(plan, "history/")))
    for n in range(5):
        version_create(plan=plan, actor=world.lead, content=valid_content(vision=f"v{n}"))
    assert api.get(plan_url(plan, "history/")).json()["count"] == 6
    assert count_queries(lambda: api.get(plan_url(plan, "history/"))) == one


@pytest.mark.parametrize("role", ["lead", "board_secretary", "scrutiny_secretary", "auditor"])
def test_it_shows_the_history_to_people_of_the_partnership(world, as_user, role):
    plan = make_plan(world)
    assert as_user(world.users[role]).get(plan_url(plan, "history/")).status_code == 200


def test_it_hides_the_history_from_an_outsider(world, as_user):
    problem(as_user(world.outsider).get(plan_url(make_plan(world), "history/")), 404)


def test_it_hides_another_partnerships_history_but_not_from_the_external_auditor(
    world, as_user
):
    theirs = other_partnership_plan()
    problem(as_user(world.lead).get(plan_url(theirs, "history/")), 404)
    problem(as_user(world.auditor).get(plan_url(theirs, "history/")), 404)
    reader = external_auditor(world)
    assert as_user(reader).get(plan_url(theirs, "history/")).json()["count"] == 1


def test_it_keeps_the_history_read_only(world, as_user):
    plan = make_plan(world)
    problem(as_user(world.lead).post(plan_url(plan, "history/"), {"action": "x"}), 405)
    assert AuditEvent.objects.count() == 1


# The schema


@pytest.fixture
def schema(db, api) -> dict[str, Any]:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_it_serves_an_openapi_document_to_anyone(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "plangov API"
    assert schema["info"]["license"]["name"] == "AGPL-3.0-or-later"


def test_it_documents_the_plan_content_schema(schema):
    content = schema["components"]["schemas"]["PlanContent"]
    assert set(content["properties"]) == {
        "vision", "outcomes", "indicators", "actions", "cross_cutting_themes", "joint_priorities",
    }
    assert set(content["required"]) >= {"vision", "outcomes"}
    assert content["properties"]["outcomes"]["items"]["$ref"] == "#/components/schemas/Outcome"
    assert "Unknown keys are refused" in content["description"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/token/",
        "/api/v1/bodies/",
        "/api/v1/plans/",
        "/api/v1/plans/{id}/",
        "/api/v1/plans/{id}/versions/",
        "/api/v1/plans/{id}/versions/{number}/",
        "/api/v1/plans/{id}/actions/{action_name}/",
        "/api/v1/plans/{id}/decisions/",
        "/api/v1/plans/{id}/history/",
        "/api/v1/plans/{id}/consultations/",
        "/api/v1/consultations/{id}/",
        "/api/v1/consultations/{id}/publication/",
    ],
)
def test_it_documents_every_endpoint(schema, path):
    assert path in schema["paths"]


def test_it_documents_the_problem_answers(schema):
    versions = schema["paths"]["/api/v1/plans/{id}/versions/"]["post"]["responses"]
    assert set(versions) >= {"201", "400", "403", "409"}
    actions = schema["paths"]["/api/v1/plans/{id}/actions/{action_name}/"]["post"]["responses"]
    assert set(actions) >= {"200", "400", "403", "404", "409"}
    plan_id = schema["paths"]["/api/v1/plans/{id}/"]["get"]["parameters"][0]
    assert plan_id["schema"]["type"] == "integer"


def test_it_generates_a_valid_schema_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    assert "PlanContent:" in out.read_text()


def test_it_serves_the_api_docs(db, api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert b"/api/schema/" in response.content


# The schema is the truth (issue 12, item 6)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_error_answer_is_a_problem_document(schema):
    problem_ref = "#/components/schemas/Problem"
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": problem_ref}}
                }, (method, path, code)
    assert {"type", "title", "status", "detail"} <= set(
        schema["components"]["schemas"]["Problem"]["required"]
    )


def test_every_operation_lists_the_errors_it_can_answer(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        assert "400" in codes, (method, path)
        # Public operations read no credentials, so never answer 401.
        if path not in {"/api/v1/documents/verify/", "/api/v1/consultations/{id}/responses/"}:
            assert "401" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method == "post":
            assert {"413", "415"} <= codes or operation.get("requestBody") is None, (method, path)
    changes = [("/api/v1/plans/{id}/actions/{action_name}/", "post"),
               ("/api/v1/plans/{id}/versions/", "post"), ("/api/v1/plans/{id}/decisions/", "post"),
               ("/api/v1/tasks/{id}/complete/", "post"), ("/api/v1/documents/", "post")]
    for path, method in changes:
        assert {"403", "409"} <= set(schema["paths"][path][method]["responses"]), path


def test_request_bodies_are_json_except_the_uploads(schema):
    uploads = {"/api/v1/documents/verify/", "/api/v1/plans/{id}/draft/import/",
               "/api/v1/consultations/{id}/imports/"}
    for path, method, operation in _operations(schema):
        if "requestBody" not in operation:
            continue
        media = set(operation["requestBody"]["content"])
        expected = {"multipart/form-data"} if path in uploads else {"application/json"}
        if path == "/api/v1/plans/{id}/actions-progress/":  # JSON updates, or a spreadsheet
            expected = {"application/json", "multipart/form-data"}
        assert media == expected, (method, path)


@pytest.mark.parametrize("tail", ["versions/", "decisions/", "history/"])
def test_the_plan_lists_are_paginated_as_the_schema_says(schema, tail):
    operation = schema["paths"][f"/api/v1/plans/{{id}}/{tail}"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    limit = {p["name"]: p["schema"] for p in operation["parameters"]}["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 500)


def test_a_body_without_a_parent_matches_the_schema(schema, world, as_user):
    assert schema["components"]["schemas"]["Body"]["properties"]["parent"]["nullable"] is True
    assert as_user(world.lead).get(f"/api/v1/bodies/{world.board.pk}/").json()["parent"] is None


def test_the_token_endpoint_reads_json_only(world, api):
    response = api.post("/api/v1/auth/token/", {"username": "lead", "password": "x"},
                        format="multipart")
    problem(response, 415)
