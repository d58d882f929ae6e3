"""plans/{id}/decisions/: recording a body's decision, and what follows from it."""

from __future__ import annotations

from typing import Any

import pytest

from documents.models import Plan, Stage
from governance.models import BodyKind, Decision, Meeting, Role
from governance.models import DecisionOutcome as O
from tests.conftest import decide, make_plan, submitted_plan
from tests.factories import BodyFactory, MembershipFactory

from .conftest import (
    POSSIBLE_ACTIONS,
    audit_events,
    call_in_plan,
    executive_approved_plan,
    make_lead_deputy,
    other_partnership,
    plan_in_stage,
    plan_url,
    problem,
    refusal,
)


def decision(body: str, outcome: str = "approved", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "body": body,
        "outcome": outcome,
        "decided_on": "2016-07-14",
        "attendance": 8,
        "minute_reference": f"{body}/2016/12",
        "votes_for": 7,
        "votes_against": 0,
        "votes_abstaining": 1,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def record(api: Any, plan: Plan, data: dict[str, Any]) -> Any:
    return api.post(plan_url(plan, "decisions/"), data, format="json")


class Snapshot:
    """The plan's governed state and the records around it, to show bad input changed
    nothing."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.state = self.take()

    def take(self) -> tuple[Any, ...]:
        self.plan.refresh_from_db()
        return (self.plan.stage, self.plan.call_in_ends_on, Decision.objects.count(),
                Meeting.objects.count(), audit_events())

    def unchanged(self) -> None:
        assert self.take() == self.state


@pytest.fixture
def plan(world, frozen_clock) -> Plan:
    return submitted_plan(world)


# Happy paths


def test_it_records_a_board_approval(world, as_user, plan):
    response = record(as_user(world.board_secretary), plan,
                      decision("yorok-board", reasons="A clear plan.",
                               declarations_of_interest="None."))
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Decision.objects.get()
    assert body["id"] == stored.pk
    assert body["body"] == "yorok-board"
    assert body["outcome"] == "approved"
    assert body["version"] == 1
    assert body["decided_on"] == body["meeting_date"] == "2016-07-14"
    assert body["attendance"] == 8
    assert body["minute_reference"] == "yorok-board/2016/12"
    assert (body["votes_for"], body["votes_against"], body["votes_abstaining"]) == (7, 0, 1)
    assert body["recorded_by"] == "board_secretary"
    assert body["reasons"] == "A clear plan."
    plan.refresh_from_db()
    assert plan.stage == "partnership_approval"  # the safeguarding board has yet to approve
    event = plan.audit_events.order_by("-seq").first()
    assert (event.action, event.actor_label, event.reason) == (
        "decision.record", "board_secretary", "A clear plan.",
    )


def test_it_moves_the_plan_to_the_executive_when_the_last_body_approves(world, as_user, plan):
    record(as_user(world.board_secretary), plan, decision("yorok-board"))
    response = record(as_user(world.safeguarding_secretary), plan,
                      decision("safeguarding-board", "approved_with_amendments"))
    assert response.status_code == 201
    plan.refresh_from_db()
    assert plan.stage == "executive_approval"
    detail = as_user(world.lead).get(plan_url(plan)).json()
    assert detail["stage"] == "executive_approval"
    assert [d["body"] for d in detail["decisions"]] == ["yorok-board", "safeguarding-board"]


def test_it_starts_the_call_in_period_when_the_executive_approves(world, as_user, frozen_clock):
    plan = executive_approved_plan(world)
    response = record(as_user(world.executive_member), plan, decision("executive", "approved"))
    assert response.status_code == 201
    plan.refresh_from_db()
    assert plan.stage == "call_in"
    assert str(plan.call_in_ends_on) == "2016-07-21"


def test_it_lets_the_executive_secretary_record_the_executive_decision(
    world, as_user, frozen_clock
):
    plan = executive_approved_plan(world)
    response = record(as_user(world.executive_secretary), plan, decision("executive"))
    assert response.status_code == 201
    assert response.json()["recorded_by"] == "executive_secretary"


def test_it_takes_no_call_in_as_a_decision_call_in_has_its_own_record(
    world, as_user, frozen_clock
):
    plan = call_in_plan(world)
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.scrutiny_secretary), plan,
                          {"body": "scrutiny", "outcome": "called_in",
                           "decided_on": "2016-07-14"}), 400)
    assert "outcome" in body["errors"]
    body = problem(record(as_user(world.scrutiny_secretary), plan,
                          {"body": "scrutiny", "outcome": "approved",
                           "decided_on": "2016-07-14", "attendance": 5}), 400)
    assert body["errors"] == {"body": [
        "Learning and Culture Scrutiny Committee takes no decision on "
        "Children and Young People's Plan."
    ]}
    snapshot.unchanged()


def test_it_returns_a_referred_back_plan_to_drafting(world, as_user, plan):
    response = record(as_user(world.safeguarding_secretary), plan,
                      decision("safeguarding-board", "referred_back", reasons="Thin on data."))
    assert response.status_code == 201
    plan.refresh_from_db()
    assert plan.stage == "drafting"


def test_it_lets_the_secretarys_deputy_record(world, as_user, plan):
    response = record(as_user(world.board_deputy), plan, decision("yorok-board"))
    assert response.status_code == 201
    assert response.json()["recorded_by"] == "board_deputy"


def test_it_reuses_a_meeting_already_recorded(world, as_user, plan):
    decide(world, plan, world.board, O.DEFERRED)
    response = record(as_user(world.board_secretary), plan,
                      decision("yorok-board", attendance=None))
    assert response.status_code == 201
    assert response.json()["attendance"] == 8
    assert Meeting.objects.count() == 1


def test_it_lets_an_inquorate_meeting_defer(world, as_user, plan):
    response = record(as_user(world.board_secretary), plan,
                      decision("yorok-board", "deferred", attendance=2, votes_for=2,
                               votes_abstaining=0))
    assert response.status_code == 201


def test_it_lists_the_decisions_on_a_plan(world, as_user, plan):
    decide(world, plan, world.board, O.DEFERRED)
    decide(world, plan, world.board, O.APPROVED)
    response = as_user(world.auditor).get(plan_url(plan, "decisions/"))
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2 and page["next"] is None
    assert [(d["body"], d["outcome"]) for d in page["results"]] == [
        ("yorok-board", "deferred"), ("yorok-board", "approved"),
    ]


def test_it_lists_one_decision_or_many_in_the_same_number_of_queries(
    world, as_user, frozen_clock, count_queries
):
    plan = submitted_plan(world, bodies=[world.board])
    decide(world, plan, world.board, O.APPROVED)
    api = as_user(world.board_secretary)
    one = count_queries(lambda: api.get(plan_url(plan, "decisions/")))
    assert api.get(plan_url(plan, "decisions/")).json()["count"] == 1
    decide(world, plan, world.executive, O.DEFERRED)
    frozen_clock.advance(days=7)
    decide(world, plan, world.executive, O.DEFERRED)
    frozen_clock.advance(days=1)
    decide(world, plan, world.executive, O.APPROVED)
    assert len(api.get(plan_url(plan, "decisions/")).json()["results"]) == 4
    assert count_queries(lambda: api.get(plan_url(plan, "decisions/"))) == one


# The body


def test_it_refuses_a_body_not_involved_in_the_plan(world, as_user, frozen_clock):
    plan = submitted_plan(world, bodies=[world.board])
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.safeguarding_secretary), plan,
                          decision("safeguarding-board")), 400)
    assert body["errors"] == {
        "body": ["Children's Safeguarding Board takes no decision on Children and Young "
                 "People's Plan."]
    }
    snapshot.unchanged()


def test_it_refuses_a_body_of_another_partnership(world, as_user, plan):
    other = other_partnership("leeds")
    MembershipFactory(user=world.board_secretary, body=other["board"], role=Role.SECRETARY)
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.board_secretary), plan, decision("leeds-board")), 400)
    assert body["errors"] == {"body": ["This plan's partnership has no body 'leeds-board'."]}
    snapshot.unchanged()


@pytest.mark.parametrize("slug", ["nope", "not a slug", ""])
def test_it_refuses_a_body_that_does_not_exist(world, as_user, plan, slug):
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.board_secretary), plan, decision(slug)), 400)
    assert list(body["errors"]) == ["body"]
    snapshot.unchanged()


# The stage


@pytest.mark.parametrize(
    ("stage", "body_slug", "recorder", "outcome"),
    [
        (Stage.DRAFTING, "yorok-board", "board_secretary", "approved"),
        (Stage.EXECUTIVE_APPROVAL, "yorok-board", "board_secretary", "approved"),
        (Stage.PARTNERSHIP_APPROVAL, "executive", "executive_member", "approved"),
        (Stage.ADOPTED, "executive", "executive_member", "approved"),
        (Stage.WITHDRAWN, "safeguarding-board", "safeguarding_secretary", "rejected"),
    ],
)
def test_it_refuses_a_decision_in_the_wrong_stage(
    world, as_user, frozen_clock, stage, body_slug, recorder, outcome
):
    plan = plan_in_stage(world, frozen_clock, stage)
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.users[recorder]), plan, decision(body_slug, outcome)),
                   409)
    assert body["stage"] == stage
    assert body["possible_actions"] == POSSIBLE_ACTIONS[stage]
    assert f"the plan is in {Stage(stage).label.lower()}" in body["detail"]
    snapshot.unchanged()


def test_it_refuses_a_second_approval_by_the_same_body(world, as_user, plan):
    decide(world, plan, world.board, O.APPROVED)
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.board_secretary), plan, decision("yorok-board")), 409)
    assert body["detail"] == "YorOK Board has already approved version 1."
    snapshot.unchanged()


# The meeting and the vote


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"votes_for": 6, "votes_against": 2, "votes_abstaining": 1},
         {"votes_for": ["9 votes were cast but only 8 members were present."]}),
        ({"decided_on": "2016-07-15"},
         {"decided_on": ["A decision cannot be dated in the future."]}),
        ({"attendance": 2, "votes_for": 2, "votes_abstaining": 0},
         {"attendance": ["YorOK Board was not quorate: 2 present, its quorum is 3. "
                         "An inquorate meeting cannot approve."]}),
        ({"attendance": None},
         {"attendance": ["No meeting of YorOK Board on 2016-07-14 is recorded; "
                         "give attendance."]}),
        ({"outcome": "endorsed"},
         {"outcome": ["'endorsed' is not an outcome YorOK Board can record: approved, "
                      "approved_with_amendments, deferred, referred_back, rejected."]}),
    ],
)
def test_it_refuses_a_decision_that_does_not_add_up(world, as_user, plan, overrides, errors):
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.board_secretary), plan,
                          decision("yorok-board", **overrides)), 400)
    assert body["errors"] == errors
    snapshot.unchanged()


def test_it_refuses_an_attendance_that_contradicts_the_recorded_meeting(world, as_user, plan):
    decide(world, plan, world.board, O.DEFERRED)
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.board_secretary), plan,
                          decision("yorok-board", attendance=9)), 400)
    assert body["errors"] == {"attendance": [
        "The meeting of YorOK Board on 2016-07-14 is recorded with 8 present, not 9."
    ]}
    snapshot.unchanged()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"decided_on": "14/07/2016"}, "decided_on"),
        ({"attendance": -1}, "attendance"),
        ({"attendance": 40000}, "attendance"),
        ({"attendance": "eight"}, "attendance"),
        ({"votes_for": 10**6}, "votes_for"),
        ({"votes_against": -3}, "votes_against"),
        ({"votes_abstaining": 1.5}, "votes_abstaining"),
        ({"minute_reference": "m" * 61}, "minute_reference"),
        ({"body": ["yorok-board"]}, "body"),
        ({"reasons": {"text": "why"}}, "reasons"),
    ],
)
def test_it_names_a_field_of_the_wrong_type(world, as_user, plan, overrides, field):
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.board_secretary), plan,
                          {**decision("yorok-board"), **overrides}), 400)
    assert list(body["errors"]) == [field]
    snapshot.unchanged()


def test_it_names_every_missing_field(world, as_user, plan):
    body = problem(record(as_user(world.board_secretary), plan, {}), 400)
    assert set(body["errors"]) == {"body", "outcome", "decided_on"}


@pytest.mark.parametrize("raw", ['{"body": "yorok-board", ', "[]", "null", '"approved"'])
def test_it_answers_a_malformed_decision_with_a_problem(world, as_user, plan, raw):
    snapshot = Snapshot(plan)
    response = as_user(world.board_secretary).post(
        plan_url(plan, "decisions/"), data=raw, content_type="application/json"
    )
    problem(response, 400)
    snapshot.unchanged()


# Four eyes and who may record


def test_it_does_not_let_the_submitter_approve(world, as_user, frozen_clock):
    make_lead_deputy(world, world.board_secretary)  # the secretary also deputises as lead
    plan = make_plan(world, kind="action_plan")
    api = as_user(world.board_secretary)
    assert api.post(plan_url(plan, "versions/"), {"content": {
        "vision": "v", "outcomes": [{"key": "safe", "title": "Safe"}]}},
        format="json").status_code == 201
    assert api.post(plan_url(plan, "actions/submit/"), {}, format="json").status_code == 200
    snapshot = Snapshot(plan)
    body = problem(record(api, plan, decision("yorok-board")), 403)
    assert body["detail"] == (
        "You submitted this version, so its approval must be recorded by someone else."
    )
    snapshot.unchanged()
    # Someone else can: the secretary's deputy.
    assert record(as_user(world.board_deputy), plan, decision("yorok-board")).status_code == 201


def test_it_lets_the_submitter_record_a_decision_that_does_not_approve(
    world, as_user, frozen_clock
):
    make_lead_deputy(world, world.board_secretary)
    plan = submitted_plan(world)
    plan.current_version.submitted_by = world.board_secretary
    plan.current_version.save(update_fields=["submitted_by"])
    response = record(as_user(world.board_secretary), plan, decision("yorok-board", "deferred"))
    assert response.status_code == 201


@pytest.mark.parametrize("outcome", ["approved", "deferred", "rejected"])
def test_it_does_not_let_the_lead_officer_record_the_executive_decision(
    world, as_user, frozen_clock, outcome
):
    MembershipFactory(user=world.lead, body=world.executive, role=Role.EXECUTIVE_MEMBER)
    make_lead_deputy(world, world.board_chair)
    plan = executive_approved_plan(world)
    plan.current_version.submitted_by = world.board_chair  # the deputy submitted it
    plan.current_version.save(update_fields=["submitted_by"])
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.lead), plan, decision("executive", outcome)), 403)
    assert body["detail"] == (
        "The plan's lead officer (or their deputy) cannot record the executive's decision "
        "on their own plan."
    )
    snapshot.unchanged()


def test_it_does_not_let_the_lead_officers_deputy_record_the_executive_decision(
    world, as_user, frozen_clock
):
    MembershipFactory(user=world.board_chair, body=world.executive, role=Role.EXECUTIVE_MEMBER)
    make_lead_deputy(world, world.board_chair)
    plan = executive_approved_plan(world)
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.board_chair), plan, decision("executive", "approved")),
                   403)
    assert "(or their deputy)" in body["detail"]
    snapshot.unchanged()


@pytest.mark.parametrize(
    ("recorder", "body_slug", "who"),
    [
        ("board_secretary", "safeguarding-board",
         "Only its secretary or their deputy can record decisions of Children's Safeguarding "
         "Board."),
        ("safeguarding_secretary", "yorok-board",
         "Only its secretary or their deputy can record decisions of YorOK Board."),
        ("lead", "yorok-board",
         "Only its secretary or their deputy can record decisions of YorOK Board."),
        ("board_chair", "yorok-board",
         "Only its secretary or their deputy can record decisions of YorOK Board."),
        ("auditor", "yorok-board",
         "Only its secretary or their deputy can record decisions of YorOK Board."),
        ("executive_member", "yorok-board",
         "Only its secretary or their deputy can record decisions of YorOK Board."),
        ("scrutiny_secretary", "safeguarding-board",
         "Only its secretary or their deputy can record decisions of Children's Safeguarding "
         "Board."),
        ("board_secretary", "executive",
         "Only its secretary, their deputy or an executive member can record decisions of "
         "Executive."),
    ],
)
def test_it_lets_only_the_bodys_secretary_record_its_decision(
    world, as_user, plan, recorder, body_slug, who
):
    snapshot = Snapshot(plan)
    body = problem(record(as_user(world.users[recorder]), plan, decision(body_slug)), 403)
    assert body["detail"] == refusal(recorder, who)
    snapshot.unchanged()


def test_it_checks_the_recorder_before_the_stage(world, as_user, frozen_clock):
    plan = make_plan(world)
    body = problem(record(as_user(world.lead), plan, decision("yorok-board")), 403)
    assert "Only its secretary" in body["detail"]


def test_it_hides_the_plan_from_an_outsider_recording_a_decision(world, as_user, plan):
    BodyFactory(partnership=world.partnership, slug="outside", kind=BodyKind.SUB_GROUP)
    snapshot = Snapshot(plan)
    problem(record(as_user(world.outsider), plan, decision("yorok-board")), 404)
    problem(as_user(world.outsider).get(plan_url(plan, "decisions/")), 404)
    snapshot.unchanged()
