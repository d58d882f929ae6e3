"""plans/{id}/call-ins/: members' call-in requests and the scrutiny committee's outcome, the
publication of an executive decision's notice, and the task API completing the call-in and
full-council tasks through the same services. Every refusal is a problem document."""

from __future__ import annotations

import datetime

from documents.models import Plan, Stage
from governance.models import AuditEvent, CallInRequest, Decision
from tests.conftest import add_full_council, open_task
from workflows.models import TaskKind
from workflows.services import plan_adopt

from .conftest import call_in_plan, executive_approved_plan, plan_url, problem

REQUEST = {"requesters": ["Cllr Ann Reid", "Cllr Ian Cuthbertson", "Cllr Sian Wiseman"],
           "reasons": "The costs are not in the report.", "requested_on": "2016-07-14"}
OUTCOME = {"outcome": "no_further_action", "decided_on": "2016-07-18", "attendance": 6,
           "minute_reference": "LCS/2016/3", "votes_for": 4, "votes_against": 2}


def post(api, url, data):  # type: ignore[no-untyped-def]
    return api.post(url, data, format="json")


def test_it_records_a_call_in_and_the_committees_outcome(world, as_user, frozen_clock):
    plan = call_in_plan(world)
    api = as_user(world.scrutiny_secretary)
    response = post(api, plan_url(plan, "call-ins/"), REQUEST)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1
    assert body["decision"] == Decision.objects.get(plan=plan, body=world.executive).pk
    assert body["member_count"] == 3
    assert body["requesters"] == REQUEST["requesters"]
    assert body["requested_on"] == "2016-07-14"
    assert body["outcome"] is None
    assert body["recorded_by"] == "scrutiny_secretary"

    listed = as_user(world.auditor).get(plan_url(plan, "call-ins/"))
    assert listed.status_code == 200 and [r["number"] for r in listed.json()] == [1]

    frozen_clock.set(datetime.date(2016, 7, 18))
    api = as_user(world.scrutiny_secretary)
    response = post(api, plan_url(plan, "call-ins/1/outcome/"), OUTCOME)
    assert response.status_code == 201, response.content
    outcome = response.json()["outcome"]
    assert outcome["outcome"] == "no_further_action"
    assert (outcome["body"], outcome["attendance"], outcome["minute_reference"]) == (
        "scrutiny", 6, "LCS/2016/3")
    detail = api.get(plan_url(plan)).json()
    assert (detail["stage"], detail["adopted_on"]) == ("adopted", "2016-07-18")
    problem(post(api, plan_url(plan, "call-ins/1/outcome/"), OUTCOME), 409)


def test_it_answers_each_refusal_with_a_problem(world, as_user, frozen_clock):
    plan = call_in_plan(world)
    events = AuditEvent.objects.count()
    body = problem(post(as_user(world.lead), plan_url(plan, "call-ins/"), REQUEST), 403)
    assert "Scrutiny Committee" in body["detail"]
    api = as_user(world.scrutiny_secretary)
    body = problem(post(api, plan_url(plan, "call-ins/"),
                        {**REQUEST, "requesters": ["Cllr Ann Reid"]}), 400)
    assert list(body["errors"]) == ["requesters"]
    body = problem(post(api, plan_url(plan, "call-ins/"),
                        {**REQUEST, "requested_on": "2016-07-13"}), 400)
    assert "Thursday 14 July 2016" in body["errors"]["requested_on"][0]
    problem(post(api, plan_url(plan, "call-ins/"), {"requesters": "not a list"}), 400)
    problem(post(api, plan_url(plan, "call-ins/9/outcome/"), OUTCOME), 404)
    problem(api.get("/api/v1/plans/99999999999999999999/call-ins/"), 404)
    problem(post(api, plan_url(plan, "call-ins/99999999999999999999/outcome/"), OUTCOME), 404)
    problem(post(api, plan_url(plan, "decisions/99999999999999999999/publication/"),
                 {"published_on": "2016-07-14"}), 404)
    # After the period, a request dated after it is refused; once adopted, any request is 409.
    frozen_clock.set(datetime.date(2016, 7, 25))
    body = problem(post(api, plan_url(plan, "call-ins/"),
                        {**REQUEST, "requested_on": "2016-07-22"}), 400)
    assert "21 July 2016" in body["errors"]["requested_on"][0]
    plan_adopt(plan=plan, actor=None)
    body = problem(post(api, plan_url(plan, "call-ins/"), REQUEST), 409)
    assert body["stage"] == "adopted"
    events = AuditEvent.objects.count()
    assert AuditEvent.objects.count() == events
    assert not CallInRequest.objects.exists()
    # Not a plan you can see: it does not exist for you.
    problem(post(as_user(world.outsider), plan_url(plan, "call-ins/"), REQUEST), 404)


def test_it_records_a_decision_notices_publication(world, as_user, frozen_clock, settings):
    settings.PLANGOV_CALL_IN_STARTS = "publication"
    plan = call_in_plan(world)
    assert plan.call_in_ends_on is None
    decision = Decision.objects.get(plan=plan, body=world.executive)
    url = plan_url(plan, f"decisions/{decision.pk}/publication/")
    frozen_clock.set(datetime.date(2016, 7, 18))
    problem(post(as_user(world.scrutiny_secretary), url, {"published_on": "2016-07-15"}), 403)
    problem(post(as_user(world.executive_secretary), url, {"published_on": "2016-07-19"}), 400)
    response = post(as_user(world.executive_secretary), url, {"published_on": "2016-07-15"})
    assert response.status_code == 200, response.content
    assert response.json()["published_on"] == "2016-07-15"
    plan.refresh_from_db()
    assert plan.call_in_ends_on == datetime.date(2016, 7, 22)
    problem(post(as_user(world.executive_secretary), url, {"published_on": "2016-07-15"}), 409)


def test_it_completes_call_in_and_full_council_tasks_through_the_tasks_api(
    world, as_user, frozen_clock
):
    add_full_council(world)
    plan = call_in_plan(world)
    api = as_user(world.scrutiny_secretary)
    task = open_task(plan, kind=TaskKind.CALL_IN)
    item = api.get(f"/api/v1/tasks/{task.pk}/").json()
    assert item["label"] == "Record a call-in request, if any"
    assert item["actions"] == ["claim", "complete", "reassign"]
    problem(post(api, f"/api/v1/tasks/{task.pk}/complete/", {"outcome": "approved"}), 400)
    response = post(api, f"/api/v1/tasks/{task.pk}/complete/", REQUEST)
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 1

    task = open_task(plan, kind=TaskKind.CALL_IN_OUTCOME)
    frozen_clock.set(datetime.date(2016, 7, 18))
    response = post(api, f"/api/v1/tasks/{task.pk}/complete/",
                    {**OUTCOME, "outcome": "referred_to_full_council"})
    assert response.status_code == 201, response.content
    assert response.json()["outcome"]["outcome"] == "referred_to_full_council"
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.stage == Stage.FULL_COUNCIL

    task = open_task(plan, kind=TaskKind.FULL_COUNCIL_DECISION)
    response = post(as_user(world.council_secretary), f"/api/v1/tasks/{task.pk}/complete/",
                    {"outcome": "approved", "decided_on": "2016-07-18", "attendance": 40,
                     "votes_for": 30, "alternatives_considered": "None.",
                     "dispensations": "None."})
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "council"
    assert response.json()["alternatives_considered"] == "None."
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.stage, plan.adopted_on) == (Stage.ADOPTED, datetime.date(2016, 7, 18))


def test_it_refuses_an_endorsement_without_a_full_council(world, as_user, frozen_clock):
    plan = executive_approved_plan(world)
    body = problem(post(as_user(world.executive_member), plan_url(plan, "decisions/"), {
        "body": "executive", "outcome": "endorsed", "decided_on": "2016-07-14",
        "attendance": 5, "votes_for": 5}), 409)
    assert "no full council body" in body["detail"]
    assert not Decision.objects.filter(body=world.executive).exists()


def test_it_documents_the_call_in_operations(db, api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths["/api/v1/plans/{id}/call-ins/"]) >= {"get", "post"}
    outcome = paths["/api/v1/plans/{id}/call-ins/{number}/outcome/"]["post"]
    assert set(outcome["responses"]) >= {"201", "400", "403", "404", "409"}
    assert "/api/v1/plans/{id}/decisions/{decision_id}/publication/" in paths
    components = schema["components"]["schemas"]
    assert set(components["CallInOutcomeKindEnum"]["enum"]) == {
        "no_further_action", "referred_to_executive", "referred_to_full_council"}
    assert "alternatives_considered" in components["DecisionInputRequest"]["properties"]
