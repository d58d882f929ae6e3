"""plans/{id}/actions/{action}/: firing lifecycle actions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from documents.models import Plan, Stage
from documents.services import version_create
from governance.models import ConsultationRound
from tests.conftest import make_plan, publish_summary
from tests.factories import valid_content
from workflows.services import plan_close_consultation, plan_start_consultation

from .conftest import (
    MEMBERS,
    POSSIBLE_ACTIONS,
    USER_ACTIONS,
    audit_events,
    call_in_plan,
    make_lead_deputy,
    other_partnership_plan,
    plan_in_stage,
    plan_url,
    problem,
    refusal,
)

WRONG_STAGE = [
    (stage, action)
    for stage in Stage.values
    for action in USER_ACTIONS
    if action not in POSSIBLE_ACTIONS[stage]
]


def act(api: Any, plan: Plan, action: str, **data: Any) -> Any:
    return api.post(plan_url(plan, f"actions/{action}/"), data, format="json")


def unchanged(plan: Plan, *, stage: str, events: int) -> None:
    plan.refresh_from_db()
    assert plan.stage == stage
    assert audit_events() == events


def last_event(plan: Plan) -> Any:
    return plan.audit_events.order_by("-seq").first()


# Happy paths, one per action


def test_it_starts_a_consultation(world, as_user, frozen_clock):
    plan = make_plan(world)
    response = act(as_user(world.lead), plan, "start_consultation", title="Priorities",
                   closes_on="2016-09-30", reason="First round, on priorities.")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stage"] == "consultation"
    assert [a["action"] for a in body["available_actions"]] == ["close_consultation", "withdraw"]
    consultation = ConsultationRound.objects.get(plan=plan)
    assert (consultation.title, consultation.closes_on) == ("Priorities",
                                                           datetime.date(2016, 9, 30))
    event = last_event(plan)
    assert (event.action, event.actor_label) == ("plan.start_consultation", "lead")
    assert event.reason == "First round, on priorities."
    assert (event.before["stage"], event.after["stage"]) == ("drafting", "consultation")


def test_it_closes_a_consultation(world, as_user, frozen_clock):
    plan = plan_in_stage(world, frozen_clock, Stage.CONSULTATION)
    response = act(as_user(world.lead), plan, "close_consultation")
    assert response.json()["stage"] == "drafting"
    assert ConsultationRound.objects.get(plan=plan).status == "closed"


def test_it_submits_a_consulted_plan(world, as_user, frozen_clock):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    body = act(as_user(world.lead), plan, "submit").json()
    assert body["stage"] == "partnership_approval"
    assert body["current_version"]["submitted"] is True
    assert body["current_version"]["submitted_at"] is not None


def test_it_submits_an_action_plan_without_consultation(world, as_user):
    plan = make_plan(world, kind="action_plan")
    version_create(plan=plan, actor=world.lead, content=valid_content())
    assert act(as_user(world.lead), plan, "submit").json()["stage"] == "partnership_approval"


def test_it_adopts_once_the_call_in_period_is_over(world, as_user, frozen_clock):
    plan = call_in_plan(world)
    frozen_clock.set(datetime.date(2016, 7, 22))
    body = act(as_user(world.lead), plan, "adopt").json()
    assert body["stage"] == "adopted"
    assert body["adopted_version"] == 1


@pytest.mark.parametrize(
    ("stage", "action", "reached"),
    [
        (Stage.ADOPTED, "revise", "drafting"),
        (Stage.ADOPTED, "supersede", "superseded"),
        (Stage.DRAFTING, "withdraw", "withdrawn"),
        (Stage.CONSULTATION, "withdraw", "withdrawn"),
        (Stage.PARTNERSHIP_APPROVAL, "withdraw", "withdrawn"),
        (Stage.EXECUTIVE_APPROVAL, "withdraw", "withdrawn"),
    ],
)
def test_it_moves_the_plan_and_records_why(world, as_user, frozen_clock, stage, action, reached):
    plan = plan_in_stage(world, frozen_clock, stage)
    events = audit_events()
    response = act(as_user(world.lead), plan, action, reason="Agreed by the board.")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == reached
    assert audit_events() == events + 1
    event = last_event(plan)
    assert (event.action, event.reason, event.actor_label) == (
        f"plan.{action}", "Agreed by the board.", "lead",
    )


def test_it_supersedes_a_plan_with_its_successor(world, as_user, frozen_clock):
    plan = plan_in_stage(world, frozen_clock, Stage.ADOPTED)
    successor = make_plan(world)
    response = act(as_user(world.lead), plan, "supersede", successor=successor.pk)
    assert response.json()["stage"] == "superseded"
    plan.refresh_from_db()
    assert plan.superseded_by == successor
    assert last_event(plan).after["superseded_by"] == successor.pk


def test_it_lets_the_leads_deputy_act(world, as_user):
    make_lead_deputy(world, world.board_chair)
    plan = make_plan(world)
    assert act(as_user(world.board_chair), plan, "start_consultation").status_code == 200
    assert last_event(plan).actor_label == "board_chair"


def test_it_ignores_a_stage_filter_on_an_action(world, as_user):
    plan = make_plan(world)
    response = as_user(world.lead).post(
        plan_url(plan, "actions/start_consultation/") + "?stage=drafting", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "consultation"


# Wrong stage: every action, every stage


@pytest.mark.parametrize(("stage", "action"), WRONG_STAGE)
def test_it_refuses_an_action_in_the_wrong_stage(world, as_user, frozen_clock, stage, action):
    plan = plan_in_stage(world, frozen_clock, stage)
    events, rounds = audit_events(), ConsultationRound.objects.count()
    body = problem(act(as_user(world.lead), plan, action, reason="Because."), 409)
    assert body["type"] == "urn:plangov:problem:wrong-stage"
    assert body["stage"] == stage
    assert body["possible_actions"] == POSSIBLE_ACTIONS[stage]
    assert f"'{action}' is not possible while the plan is in {Stage(stage).label}" in (
        body["detail"]
    )
    unchanged(plan, stage=stage, events=events)
    assert ConsultationRound.objects.count() == rounds


def test_it_checks_the_stage_before_the_person(world, as_user, frozen_clock):
    plan = plan_in_stage(world, frozen_clock, Stage.WITHDRAWN)
    body = problem(act(as_user(world.auditor), plan, "submit"), 409)
    assert body["possible_actions"] == []


# Unknown actions


@pytest.mark.parametrize(
    "action", ["frobnicate", "refer_back", "complete_partnership_approval", "call_in", "approve"]
)
def test_it_answers_404_for_an_action_that_cannot_be_fired_by_name(world, as_user, action):
    plan = make_plan(world)
    body = problem(act(as_user(world.lead), plan, action), 404)
    assert f"There is no action '{action}'." in body["detail"]
    assert "start_consultation" in body["detail"]
    unchanged(plan, stage="drafting", events=1)


@pytest.mark.parametrize("action", ["Submit", "submit-now", "s%C3%BCbmit", "42"])
def test_it_answers_404_with_a_problem_for_an_action_name_no_route_matches(
    world, as_user, action
):
    plan = make_plan(world)
    problem(act(as_user(world.lead), plan, action), 404)
    unchanged(plan, stage="drafting", events=1)


def test_it_answers_404_for_an_action_on_a_plan_that_does_not_exist(world, as_user):
    problem(as_user(world.lead).post("/api/v1/plans/999/actions/submit/", {}), 404)


def test_it_refuses_get_on_an_action(world, as_user):
    problem(as_user(world.lead).get(plan_url(make_plan(world), "actions/submit/")), 405)


# Bad input


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_it_refuses_to_withdraw_without_a_reason(world, as_user, reason):
    plan = make_plan(world)
    data = {} if reason is None else {"reason": reason}
    body = problem(act(as_user(world.lead), plan, "withdraw", **data), 400)
    assert body["errors"] == {"reason": ["Say why the plan is withdrawn; the record keeps it."]}
    unchanged(plan, stage="drafting", events=1)


def test_it_refuses_a_consultation_that_closes_before_it_opens(world, as_user, frozen_clock):
    plan = make_plan(world)
    body = problem(act(as_user(world.lead), plan, "start_consultation", closes_on="2016-07-13"),
                   400)
    assert body["errors"] == {"closes_on": [
        "A consultation cannot close before it opens: the closing date 13 July 2016 is before "
        "the opening date 14 July 2016."
    ]}
    unchanged(plan, stage="drafting", events=1)
    assert not ConsultationRound.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": ["why"]}, "reason"),
        ({"reason": "x" * 5001}, "reason"),
        ({"closes_on": "next week"}, "closes_on"),
        ({"title": {"en": "Round"}}, "title"),
    ],
)
def test_it_names_a_wrong_action_field(world, as_user, data, field):
    plan = make_plan(world)
    body = problem(act(as_user(world.lead), plan, "start_consultation", **data), 400)
    assert list(body["errors"]) == [field]
    unchanged(plan, stage="drafting", events=1)


@pytest.mark.parametrize("successor", ["abc", 999, 10**30, [1]])
def test_it_refuses_a_successor_that_does_not_exist(world, as_user, frozen_clock, successor):
    plan = plan_in_stage(world, frozen_clock, Stage.ADOPTED)
    events = audit_events()
    body = problem(act(as_user(world.lead), plan, "supersede", successor=successor), 400)
    assert list(body["errors"]) == ["successor"]
    unchanged(plan, stage="adopted", events=events)


def test_it_treats_a_successor_the_caller_cannot_see_as_missing(world, as_user, frozen_clock):
    plan = plan_in_stage(world, frozen_clock, Stage.ADOPTED)
    hidden = other_partnership_plan()
    body = problem(act(as_user(world.lead), plan, "supersede", successor=hidden.pk), 400)
    assert body["errors"] == {"successor": [f'Invalid pk "{hidden.pk}" - object does not exist.']}


def test_it_refuses_a_plan_superseding_itself(world, as_user, frozen_clock):
    plan = plan_in_stage(world, frozen_clock, Stage.ADOPTED)
    body = problem(act(as_user(world.lead), plan, "supersede", successor=plan.pk), 400)
    assert body["errors"] == {"successor": ["A plan cannot supersede itself."]}


@pytest.mark.parametrize("raw", ['{"reason": ', "[]", '"Because."', "17"])
def test_it_answers_a_malformed_action_body_with_a_problem(world, as_user, raw):
    plan = make_plan(world)
    response = as_user(world.lead).post(
        plan_url(plan, "actions/withdraw/"), data=raw, content_type="application/json"
    )
    problem(response, 400)
    unchanged(plan, stage="drafting", events=1)


# Guards


def test_it_refuses_to_submit_a_plan_without_a_version(world, as_user):
    plan = make_plan(world, kind="action_plan")
    body = problem(act(as_user(world.lead), plan, "submit"), 409)
    assert body["detail"] == "The plan has no version yet; write one before submitting."
    assert body["title"] == "The plan is not ready for this action"
    assert "possible_actions" not in body
    unchanged(plan, stage="drafting", events=1)


def test_it_refuses_to_submit_a_plan_that_was_not_consulted_on(world, as_user):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    body = problem(act(as_user(world.lead), plan, "submit"), 409)
    assert body["detail"] == (
        "A children and young people's plan needs a closed consultation round, held since it "
        "was first drafted and with its summary published, before it is submitted for approval."
    )
    unchanged(plan, stage="drafting", events=2)
    plan.current_version.refresh_from_db()
    assert plan.current_version.submitted_at is None


def test_it_refuses_to_adopt_during_the_call_in_period(world, as_user, frozen_clock):
    plan = call_in_plan(world)
    events = audit_events()
    body = problem(act(as_user(world.lead), plan, "adopt"), 409)
    assert body["detail"] == "The call-in period runs until the end of Thursday 21 July 2016."
    unchanged(plan, stage="call_in", events=events)


# Permission


@pytest.mark.parametrize("role", [m for m in MEMBERS if m != "lead"])
@pytest.mark.parametrize(
    ("stage", "action"),
    [(Stage.DRAFTING, "start_consultation"), (Stage.DRAFTING, "withdraw"),
     (Stage.CALL_IN, "adopt")],
)
def test_it_lets_only_the_lead_act(world, as_user, frozen_clock, role, stage, action):
    plan = plan_in_stage(world, frozen_clock, stage)
    events = audit_events()
    body = problem(act(as_user(world.users[role]), plan, action, reason="Why not."), 403)
    assert body["detail"] == refusal(
        role, "Only the plan's lead officer or their deputy can do this.")
    unchanged(plan, stage=stage, events=events)


def test_it_checks_the_person_before_the_guard(world, as_user):
    plan = make_plan(world)  # no version: the guard would fail too
    body = problem(act(as_user(world.board_secretary), plan, "submit"), 403)
    assert body["detail"] == "Only the plan's lead officer or their deputy can do this."


def test_it_hides_the_plan_from_an_outsider_acting_on_it(world, as_user):
    plan = make_plan(world)
    problem(act(as_user(world.outsider), plan, "withdraw", reason="Mine now."), 404)
    unchanged(plan, stage="drafting", events=1)
