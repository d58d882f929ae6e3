"""A review's decisions and call-in through its process's tasks: the tasks API's complete
(and the task page) record them with the same services, a deferral re-queues the board's task
for its next meeting, the call-in tasks take the request and the outcome, and the call-in
timer approves the review. The plan stays adopted on the same version throughout."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from viewflow.workflow.status import PROCESS, STATUS

from documents.models import Plan, Review, ReviewKind, ReviewStage
from governance.models import AuditEvent, CallInRequest, Decision, Meeting
from governance.models import DecisionOutcome as O
from plangov import clock
from tests.conftest import World
from tests.workflows.review_decision_helpers import plan_state
from tests.workflows.review_helpers import (
    adopted_plan,
    compile_review,
    open_kinds,
    record_feedback,
    report_all,
)
from workflows.lifecycle import approval_state
from workflows.models import TaskKind
from workflows.reviews import routing as review_routing
from workflows.reviews.services import review_fire, review_start
from workflows.tasks import fire_due_timers

pytestmark = pytest.mark.django_db


def at_board(world: World, plan: Plan, kind: str = ReviewKind.ANNUAL) -> Review:
    review = review_start(plan=plan, actor=world.lead, kind=kind)
    report_all(world, review)
    compile_review(world, review)
    if kind == ReviewKind.ANNUAL:
        review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
        record_feedback(world, review)
    review = review_fire(review=review, action="submit_to_board", actor=world.lead)
    assert open_kinds(review) == [TaskKind.REVIEW_BOARD_DECISION]
    return review


def task_of(review: Review, kind: str) -> Any:
    task = review_routing.open_review_task(review, kind)
    assert task is not None, f"no open {kind} task"
    return task


def complete(api: Any, task: Any, **data: Any) -> Any:
    return api.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")


def decision_data(**kwargs: Any) -> dict[str, Any]:
    return {"decided_on": str(clock.today()), "attendance": 8, "votes_for": 7,
            "minute_reference": "min/7", **kwargs}


def test_the_board_and_the_executive_decide_through_their_tasks(
    world: World, frozen_clock: Any, as_user: Any
) -> None:
    plan = adopted_plan(world, frozen_clock, call_in=True)
    state = plan_state(plan)
    executive_before = approval_state(plan).executive
    review = at_board(world, plan)

    board_task = task_of(review, TaskKind.REVIEW_BOARD_DECISION)
    answer = complete(as_user(world.board_secretary), board_task,
                      **decision_data(outcome=O.APPROVED))
    assert answer.status_code == 201, answer.content
    assert answer.json()["review"] == review.pk and answer.json()["version"] is None
    review.refresh_from_db()
    assert review.stage == ReviewStage.EXECUTIVE
    board_task.refresh_from_db()
    assert board_task.status == STATUS.DONE
    assert open_kinds(review) == [TaskKind.REVIEW_EXECUTIVE_DECISION]

    frozen_clock.advance(days=1)
    executive_task = task_of(review, TaskKind.REVIEW_EXECUTIVE_DECISION)
    # Four eyes: the lead officer, also an executive member, cannot record it.
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.lead, body=world.executive, role="executive_member")
    refused = complete(as_user(world.lead), executive_task, **decision_data(outcome=O.APPROVED))
    assert refused.status_code == 403
    answer = complete(as_user(world.executive_member), executive_task,
                      **decision_data(outcome=O.APPROVED))
    assert answer.status_code == 201, answer.content
    review.refresh_from_db()
    assert review.stage == ReviewStage.CALL_IN
    assert review.call_in_ends_on is not None
    call_in = task_of(review, TaskKind.REVIEW_CALL_IN)
    assert call_in.info.due_on == review.call_in_ends_on

    # Nobody calls it in: the timer approves the review the day after the period.
    assert fire_due_timers() == 0
    frozen_clock.set(datetime.datetime.combine(
        review.call_in_ends_on + datetime.timedelta(days=1), datetime.time(9),
        tzinfo=datetime.UTC))
    fire_due_timers()
    review.refresh_from_db()
    assert review.stage == ReviewStage.APPROVED
    assert review.approved_on == review.call_in_ends_on
    assert open_kinds(review) == []
    assert review_routing.latest_process(review).status == PROCESS.DONE
    assert AuditEvent.objects.filter(action="review.call_in_period_over").count() == 1
    assert plan_state(plan) == state
    assert approval_state(plan).executive == executive_before


def test_a_deferral_requeues_the_boards_task_for_its_next_meeting(
    world: World, frozen_clock: Any, as_user: Any
) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = at_board(world, plan)
    next_meeting = clock.today() + datetime.timedelta(days=28)
    Meeting.objects.create(body=world.board, date=next_meeting, attendance=0)
    first = task_of(review, TaskKind.REVIEW_BOARD_DECISION)
    answer = complete(as_user(world.board_secretary), first,
                      **decision_data(outcome=O.DEFERRED))
    assert answer.status_code == 201, answer.content
    first.refresh_from_db()
    assert first.status == STATUS.DONE
    again = task_of(review, TaskKind.REVIEW_BOARD_DECISION)
    assert again.pk != first.pk
    assert again.info.due_on == next_meeting
    review.refresh_from_db()
    assert review.stage == ReviewStage.BOARD


def test_an_inquorate_board_is_a_400_naming_attendance(
    world: World, frozen_clock: Any, as_user: Any
) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = at_board(world, plan)
    task = task_of(review, TaskKind.REVIEW_BOARD_DECISION)
    frozen_clock.advance(days=1)  # the board's meeting after the one that adopted the plan
    answer = complete(as_user(world.board_secretary), task,
                      **decision_data(outcome=O.APPROVED, attendance=2, votes_for=2))
    assert answer.status_code == 400
    assert "not quorate" in str(answer.json()["errors"]["attendance"])
    assert not Decision.objects.filter(review=review).exists()


def test_a_six_month_review_is_approved_by_the_board_and_its_process_ends(
    world: World, frozen_clock: Any, as_user: Any
) -> None:
    plan = adopted_plan(world, frozen_clock)
    state = plan_state(plan)
    review = at_board(world, plan, kind=ReviewKind.SIX_MONTH)
    answer = complete(as_user(world.board_secretary),
                      task_of(review, TaskKind.REVIEW_BOARD_DECISION),
                      **decision_data(outcome=O.APPROVED))
    assert answer.status_code == 201, answer.content
    review.refresh_from_db()
    assert review.stage == ReviewStage.APPROVED
    assert open_kinds(review) == []
    assert plan_state(plan) == state


def test_a_referral_back_sends_the_review_to_its_lead_officer(
    world: World, frozen_clock: Any, as_user: Any
) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = at_board(world, plan)
    answer = complete(as_user(world.board_secretary),
                      task_of(review, TaskKind.REVIEW_BOARD_DECISION),
                      **decision_data(outcome=O.REFERRED_BACK, reasons="More on bullying."))
    assert answer.status_code == 201, answer.content
    review.refresh_from_db()
    assert review.stage == ReviewStage.DRAFTING
    assert open_kinds(review) == [TaskKind.COMPILE_REVIEW]


def test_call_in_tasks_take_the_request_and_the_outcome(
    world: World, frozen_clock: Any, as_user: Any
) -> None:
    plan = adopted_plan(world, frozen_clock, call_in=True)
    state = plan_state(plan)
    review = at_board(world, plan)
    complete(as_user(world.board_secretary), task_of(review, TaskKind.REVIEW_BOARD_DECISION),
             **decision_data(outcome=O.APPROVED))
    complete(as_user(world.executive_member),
             task_of(review, TaskKind.REVIEW_EXECUTIVE_DECISION),
             **decision_data(outcome=O.APPROVED))
    scrutiny = as_user(world.scrutiny_secretary)
    asked = complete(scrutiny, task_of(review, TaskKind.REVIEW_CALL_IN),
                     requesters=["Cllr A", "Cllr B", "Cllr C"],
                     reasons="Bullying figures are missing.", requested_on=str(clock.today()))
    assert asked.status_code == 201, asked.content
    assert asked.json()["review"] == review.pk
    outcome_task = task_of(review, TaskKind.REVIEW_CALL_IN_OUTCOME)
    council = complete(scrutiny, outcome_task, outcome="referred_to_full_council",
                       decided_on=str(clock.today()), attendance=5, votes_for=4)
    assert council.status_code == 400
    frozen_clock.advance(days=2)
    back = complete(scrutiny, outcome_task, outcome="referred_to_executive",
                    decided_on=str(clock.today()), attendance=5, votes_for=4)
    assert back.status_code == 201, back.content
    review.refresh_from_db()
    assert review.stage == ReviewStage.EXECUTIVE
    assert open_kinds(review) == [TaskKind.REVIEW_EXECUTIVE_DECISION]
    # Reconsidered, the executive's approval is final: no second call-in.
    frozen_clock.advance(days=7)
    again = complete(as_user(world.executive_member),
                     task_of(review, TaskKind.REVIEW_EXECUTIVE_DECISION),
                     **decision_data(outcome=O.APPROVED))
    assert again.status_code == 201, again.content
    review.refresh_from_db()
    assert review.stage == ReviewStage.APPROVED
    assert open_kinds(review) == []
    assert CallInRequest.objects.filter(decision__review=review).count() == 1
    assert plan_state(plan) == state


def test_the_task_page_records_a_review_decision(
    world: World, frozen_clock: Any, client: Any
) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = at_board(world, plan)
    task = task_of(review, TaskKind.REVIEW_BOARD_DECISION)
    frozen_clock.advance(days=1)  # the board's meeting after the one that adopted the plan
    client.force_login(world.board_secretary)
    page = client.get(f"/tasks/{task.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "this decision is on the review, not on a version of the plan" in body
    assert 'value="endorsed"' not in body
    bad = client.post(f"/tasks/{task.pk}/complete/", {
        "outcome": O.APPROVED, "decided_on": clock.today().isoformat(), "attendance": 2,
        "votes_for": 2, "votes_against": 0, "votes_abstaining": 0})
    assert bad.status_code == 400
    assert "not quorate" in bad.content.decode()
    done = client.post(f"/tasks/{task.pk}/complete/", {
        "outcome": O.APPROVED, "decided_on": clock.today().isoformat(), "attendance": 8,
        "votes_for": 7, "votes_against": 0, "votes_abstaining": 0})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.stage == ReviewStage.EXECUTIVE
