"""Dates through the API: a plan's and a version's effective dates, the ``on`` date of
start_consultation, close_consultation and submit, and decisions, each refused out of the
order of events with a problem+json 400 naming the field and both dates."""

from __future__ import annotations

import datetime
from typing import Any

from documents.models import Plan
from documents.services import version_create
from governance.models import Decision, Meeting
from governance.models import DecisionOutcome as O
from tests.conftest import decide as record_decision
from tests.conftest import open_task
from tests.factories import valid_content
from tests.workflows.test_chronology import replayed
from workflows.models import TaskKind

from .conftest import audit_events, plan_url, problem

D = datetime.date


def act(api: Any, plan: Plan, action: str, **data: Any) -> Any:
    return api.post(plan_url(plan, f"actions/{action}/"), data, format="json")


def decide(api: Any, plan: Plan, body: str, outcome: str, on: str) -> Any:
    return api.post(plan_url(plan, "decisions/"), {
        "body": body, "outcome": outcome, "decided_on": on, "attendance": 8, "votes_for": 7,
    }, format="json")


def refused(response: Any, field: str, *dates: str) -> None:
    body = problem(response, 400)
    assert list(body["errors"]) == [field], body
    [message] = body["errors"][field]
    for day in dates:
        assert day in message, (day, message)


def test_a_board_approval_before_the_submission_is_a_400_naming_both_dates(world, as_user,
                                                                          frozen_clock):
    plan = replayed(world)
    counts = (Decision.objects.count(), Meeting.objects.count(), audit_events())
    refused(decide(as_user(world.board_secretary), plan, "yorok-board", "approved",
                   "2009-03-03"), "decided_on", "3 March 2009", "6 March 2009")
    assert (Decision.objects.count(), Meeting.objects.count(), audit_events()) == counts
    response = decide(as_user(world.board_secretary), plan, "yorok-board", "approved",
                      "2009-03-06")
    assert response.status_code == 201, response.content


def test_the_executive_before_the_last_board_approval_is_a_400(world, as_user, frozen_clock):
    plan = replayed(world)
    assert decide(as_user(world.board_secretary), plan, "yorok-board", "approved",
                  "2009-03-10").status_code == 201
    assert decide(as_user(world.safeguarding_secretary), plan, "safeguarding-board",
                  "approved", "2009-03-17").status_code == 201
    events = audit_events()
    refused(decide(as_user(world.executive_member), plan, "executive", "approved",
                   "2009-03-12"), "decided_on", "12 March 2009", "17 March 2009")
    assert audit_events() == events


def test_a_plan_and_its_versions_carry_their_effective_dates(world, as_user, frozen_clock):
    api = as_user(world.lead)
    data = {"title": "Children and Young People's Plan", "kind": "cypp",
            "period_start": "2009-04-01", "period_end": "2012-03-31", "partnership": "yorok",
            "owning_body": "yorok-board", "approving_bodies": ["yorok-board"],
            "executive_body": "executive"}
    refused(api.post("/api/v1/plans/", {**data, "created_on": "2016-07-15"}, format="json"),
            "created_on", "15 July 2016", "14 July 2016")
    assert not Plan.objects.exists()
    response = api.post("/api/v1/plans/", {**data, "created_on": "2008-09-01"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["created_on"] == "2008-09-01"
    plan = Plan.objects.get()
    refused(api.post(plan_url(plan, "versions/"), {"content": valid_content(),
                                                    "effective_on": "2008-08-31"},
                     format="json"),
            "effective_on", "31 August 2008", "1 September 2008")
    response = api.post(plan_url(plan, "versions/"), {"content": valid_content(),
                                                       "effective_on": "2008-09-15"},
                        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["effective_on"] == "2008-09-15"
    assert response.json()["created_at"].startswith("2016-07-14")
    response = api.post(plan_url(plan, "versions/"), {"content": valid_content()},
                        format="json")
    assert response.json()["effective_on"] == "2016-07-14"  # today, by default


def test_consultation_and_submission_take_the_date_they_happened(world, as_user, frozen_clock):
    plan = replayed(world, submit=False)
    api = as_user(world.lead)
    refused(act(api, plan, "start_consultation", on="2008-12-18"),
            "on", "18 December 2008", "19 December 2008")
    assert act(api, plan, "start_consultation", on="2009-01-05").status_code == 200
    refused(act(api, plan, "close_consultation", on="2009-01-04"),
            "on", "4 January 2009", "5 January 2009")
    refused(act(api, plan, "close_consultation", on="2016-07-15"),
            "on", "15 July 2016", "14 July 2016")
    assert act(api, plan, "close_consultation", on="2009-02-27").status_code == 200
    refused(act(api, plan, "submit", on="2009-02-26"), "on", "26 February 2009",
            "27 February 2009")
    response = act(api, plan, "submit", on="2009-03-06")
    assert response.status_code == 200, response.content
    version = response.json()["current_version"]
    assert version["submitted_on"] == "2009-03-06"
    assert version["submitted_at"].startswith("2016-07-14")
    rounds = plan.consultation_rounds.order_by("number")
    assert [(r.opens_on, r.closed_on) for r in rounds] == [
        (D(2008, 10, 1), D(2008, 12, 19)), (D(2009, 1, 5), D(2009, 2, 27))
    ]


def test_on_is_only_for_dated_actions(world, as_user, frozen_clock):
    plan = replayed(world, submit=False)
    refused(act(as_user(world.lead), plan, "withdraw", reason="Replaced.", on="2009-01-05"),
            "on")
    refused(act(as_user(world.lead), plan, "submit", on="5 January 2009"), "on")
    plan.refresh_from_db()
    assert plan.stage == "drafting"


def test_the_schema_documents_the_dates(world, as_user):
    schema = as_user(world.lead).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert "submit" in components["ActionInputRequest"]["properties"]["on"]["description"]
    assert components["ActionInputRequest"]["properties"]["on"]["format"] == "date"
    assert "effective_on" in components["VersionInputRequest"]["properties"]
    assert "created_on" in components["PlanInputRequest"]["properties"]
    assert "not before" in components["DecisionInputRequest"]["properties"]["decided_on"][
        "description"].lower()


def test_a_redraft_task_resubmits_on_the_date_it_happened(world, as_user, frozen_clock):
    plan = replayed(world)
    record_decision(world, plan, world.board, O.REFERRED_BACK, decided_on=D(2009, 3, 10))
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Redrafted."),
                   effective_on=D(2009, 3, 20))
    redraft = open_task(plan, kind=TaskKind.REDRAFT)
    api = as_user(world.lead)
    refused(api.post(f"/api/v1/tasks/{redraft.pk}/complete/",
                     {"reasons": "Redrafted.", "submitted_on": "2009-03-19"}, format="json"),
            "submitted_on", "19 March 2009", "20 March 2009")
    response = api.post(f"/api/v1/tasks/{redraft.pk}/complete/",
                        {"reasons": "Redrafted.", "submitted_on": "2009-04-01"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["current_version"]["submitted_on"] == "2009-04-01"
