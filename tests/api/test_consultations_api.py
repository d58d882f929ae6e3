"""API for consultation rounds: plans/{id}/consultations/ and consultations/{id}/."""

from __future__ import annotations

from typing import Any

from documents.services import version_create
from governance.consultation.models import ConsultationRound
from governance.models import AuditEvent
from tests.api.conftest import PROBLEM, other_partnership
from tests.conftest import make_plan
from tests.factories import valid_content
from workflows.services import plan_close_consultation, plan_start_consultation

ROUND = {
    "title": "Our priorities",
    "purpose": "To hear what matters to children and young people.",
    "opens_at": "2016-07-20T09:00:00+01:00",
    "closes_at": "2016-09-30T23:59:00+01:00",
    "audiences": ["children-and-young-people", "parents-and-carers"],
    "channels": ["online", "school"],
    "version": 1,
    "questions": [
        {"kind": "agreement", "text": "Being healthy comes first.", "outcome_key": "healthy",
         "children_text": "Is being healthy most important?", "required": True},
        {"kind": "single_choice", "text": "Where do you live?",
         "choices": [{"value": "north", "label": "North"}, {"value": "south", "label": "South"}]},
    ],
}


def url(plan: Any) -> str:
    return f"/api/v1/plans/{plan.pk}/consultations/"


def problem(response: Any, code: int) -> dict[str, Any]:
    assert response.status_code == code, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


def drafted(world: Any) -> Any:
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    return plan


def test_the_lead_sets_up_a_round_with_questions_and_reads_it(world, frozen_clock, as_user):
    plan = drafted(world)
    response = as_user(world.lead).post(url(plan), ROUND, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["version"], body["recorded"]) == (
        1, "draft", 1, False)
    assert body["opens_on"] == "2016-07-20" and body["closes_on"] == "2016-09-30"
    assert body["audiences"] == ["children-and-young-people", "parents-and-carers"]
    assert [q["kind"] for q in body["questions"]] == ["agreement", "single_choice"]
    assert body["questions"][0]["group"] == "Being healthy"
    assert len(body["questions"][0]["choices"]) == 5
    assert [e.action for e in AuditEvent.objects.filter(plan=plan).order_by("seq")][-2:] == [
        "consultation.round_create", "consultation.questions_set"]
    listed = as_user(world.board_secretary).get(url(plan)).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    one = as_user(world.auditor).get(f"/api/v1/consultations/{body['id']}/")
    assert one.status_code == 200 and one.json()["title"] == "Our priorities"


def test_a_round_recorded_after_the_event_takes_2008_dates(world, frozen_clock, as_user):
    plan = drafted(world)
    response = as_user(world.lead).post(url(plan), {
        "title": "First round", "recorded": True, "opens_at": "2008-06-02T09:00:00+01:00",
        "closes_at": "2008-09-30T17:00:00+01:00"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["opens_on"], response.json()["closes_on"]) == (
        "2008-06-02", "2008-09-30")


def test_bad_input_is_a_400_naming_each_field(world, frozen_clock, as_user):
    plan = drafted(world)
    bad = {**ROUND, "audiences": ["aliens"], "version": 9,
           "questions": [ROUND["questions"][0], ROUND["questions"][1],
                         {"kind": "multiple_choice", "text": "Pick",
                          "choices": [{"value": "a", "label": "A"}]}]}
    body = problem(as_user(world.lead).post(url(plan), bad, format="json"), 400)
    assert set(body["errors"]) == {"audiences", "version"}
    body = problem(as_user(world.lead).post(url(plan), {**ROUND, "questions": bad["questions"]},
                                            format="json"), 400)
    assert set(body["errors"]) == {"questions[2].choices"}
    body = problem(as_user(world.lead).post(url(plan), {**ROUND, "closes_at":
                                                        "2016-07-01T12:00:00+01:00"},
                                            format="json"), 400)
    assert "recorded after the event" in body["errors"]["closes_at"][0]
    body = problem(as_user(world.lead).post(url(plan), {**ROUND, "title": "Bad\u000btitle"},
                                            format="json"), 400)
    assert "title" in body["errors"]
    assert not ConsultationRound.objects.exists()  # nothing half-written


def test_only_the_lead_changes_rounds_and_others_plans_are_404(world, frozen_clock, as_user):
    plan = drafted(world)
    for name in ("board_secretary", "auditor", "executive_member"):
        body = problem(as_user(world.users[name]).post(url(plan), ROUND, format="json"), 403)
        assert "lead officer" in body["detail"]
    problem(as_user(world.outsider).get(url(plan)), 404)
    problem(as_user(world.outsider).post(url(plan), ROUND, format="json"), 404)
    round_id = as_user(world.lead).post(url(plan), ROUND, format="json").json()["id"]
    problem(as_user(world.outsider).get(f"/api/v1/consultations/{round_id}/"), 404)
    problem(as_user(world.board_secretary).patch(f"/api/v1/consultations/{round_id}/",
                                                 {"title": "Mine"}, format="json"), 403)
    leeds = other_partnership()
    problem(as_user(leeds["lead"]).get(f"/api/v1/consultations/{round_id}/"), 404)
    problem(as_user(world.lead).get("/api/v1/consultations/99999999999999999999/"), 404)


def test_questions_are_patched_only_before_the_round_opens(world, frozen_clock, as_user):
    plan = drafted(world)
    api = as_user(world.lead)
    round_id = api.post(url(plan), ROUND, format="json").json()["id"]
    patched = api.patch(f"/api/v1/consultations/{round_id}/",
                        {"questions": ROUND["questions"][1:], "title": "Priorities"},
                        format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "Priorities" and len(patched.json()["questions"]) == 1
    round = ConsultationRound.objects.get(pk=round_id)
    plan_start_consultation(plan=plan, round=round, actor=world.lead)
    body = problem(api.patch(f"/api/v1/consultations/{round_id}/",
                             {"questions": ROUND["questions"]}, format="json"), 409)
    assert "before it opens" in body["detail"]
    extended = api.patch(f"/api/v1/consultations/{round_id}/",
                         {"closes_at": "2016-10-14T23:59:00+01:00"}, format="json")
    assert extended.status_code == 200 and extended.json()["closes_on"] == "2016-10-14"
    problem(api.patch(f"/api/v1/consultations/{round_id}/", {"channels": ["paper"]},
                      format="json"), 409)
    plan_close_consultation(plan=plan, actor=world.lead)
    problem(api.patch(f"/api/v1/consultations/{round_id}/", {"title": "Later"},
                      format="json"), 409)
    assert ConsultationRound.objects.get(pk=round_id).questions.count() == 1


def test_the_schema_has_the_consultation_operations(world, as_user):
    schema = as_user(world.lead).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/plans/{id}/consultations/"]) >= {"get", "post"}
    assert set(paths["/api/v1/consultations/{id}/"]) >= {"get", "patch"}
    patch = paths["/api/v1/consultations/{id}/"]["patch"]
    assert {"400", "403", "404", "409"} <= set(patch["responses"])


def test_the_lead_publishes_the_summary_of_a_closed_round(world, frozen_clock, as_user):
    plan = drafted(world)
    api = as_user(world.lead)
    round_id = api.post(url(plan), ROUND, format="json").json()["id"]
    publication = f"/api/v1/consultations/{round_id}/publication/"
    assert "once it has closed" in problem(api.post(publication, {}, format="json"),
                                           409)["detail"]
    round = ConsultationRound.objects.get(pk=round_id)
    plan_start_consultation(plan=plan, round=round, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    problem(as_user(world.board_secretary).post(publication, {}, format="json"), 403)
    api = as_user(world.lead)
    body = problem(api.post(publication, {"published_on": "2016-08-01"}, format="json"), 400)
    assert "in the future" in body["errors"]["published_on"][0]
    response = api.post(publication, {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["summary_published"] is True
    assert response.json()["summary_published_on"] == "2016-07-14"
