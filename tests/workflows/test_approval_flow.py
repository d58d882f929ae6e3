"""PlanApprovalFlow driven through the services only: submission, joint and ordered approval,
referral back, deferral, the executive, call-in and its timer, withdrawal, manual adoption,
claiming and reassigning tasks, and two secretaries completing one task at once.

After every step, ``assert_in_step`` checks that the process and the plan's stage agree."""

from __future__ import annotations

import datetime
import threading
import traceback
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from documents.models import ApprovalRoute, Plan, PlanKind, Stage
from documents.services import plan_create, version_create
from governance.models import AuditEvent, Decision, Meeting
from governance.models import DecisionOutcome as O
from plangov import calendar, clock
from plangov.errors import Conflict, Forbidden, InvalidInput
from tests.conftest import (
    World,
    call_in_outcome,
    call_in_request,
    decide,
    open_task,
    publish_summary,
    submitted_plan,
)
from tests.factories import valid_content
from workflows import routing
from workflows.decisions import decision_record
from workflows.lifecycle import pending_call_in
from workflows.models import TaskKind
from workflows.services import (
    plan_adopt,
    plan_close_consultation,
    plan_start_consultation,
    plan_submit,
    plan_withdraw,
)

# What the process must be waiting for in each stage of the plan.
EXPECTED_OPEN = {
    Stage.PARTNERSHIP_APPROVAL: {TaskKind.BOARD_DECISION},
    Stage.EXECUTIVE_APPROVAL: {TaskKind.EXECUTIVE_DECISION},
    Stage.CALL_IN: {TaskKind.CALL_IN},  # or the outcome task, once a call-in is requested
    Stage.FULL_COUNCIL: {TaskKind.FULL_COUNCIL_DECISION},
    Stage.DRAFTING: {TaskKind.REDRAFT},  # only ever reached here by a referral back
    Stage.ADOPTED: set(),
    Stage.WITHDRAWN: set(),
}
LIVE_STAGES = {
    Stage.PARTNERSHIP_APPROVAL, Stage.EXECUTIVE_APPROVAL, Stage.CALL_IN, Stage.FULL_COUNCIL,
    Stage.DRAFTING,
}


def open_kinds(plan: Plan) -> set[str]:
    return set(routing.open_tasks(plan).values_list("info__kind", flat=True))


def assert_in_step(plan: Plan) -> Plan:
    """The process and the plan's stage never disagree."""
    plan.refresh_from_db()
    expected = EXPECTED_OPEN[plan.stage]
    if plan.stage == Stage.CALL_IN and pending_call_in(plan) is not None:
        expected = {TaskKind.CALL_IN_OUTCOME}
    assert open_kinds(plan) == expected, plan.stage
    process = routing.active_process(plan)
    if plan.stage in LIVE_STAGES:
        assert process is not None, f"no running process in {plan.stage}"
    else:
        assert process is None, f"a process still runs in {plan.stage}"
    open_tasks = list(routing.open_tasks(plan))
    if plan.stage == Stage.DRAFTING:
        assert [t.owner for t in open_tasks] == [plan.lead_officer]
    if process is not None:
        assert all(t.process_id == process.pk for t in open_tasks)
    return plan




def scheduled_timers(plan: Plan) -> Any:
    return Task.objects.filter(
        process__artifact_object_id=plan.pk, flow_task_type="TIMER", status=STATUS.SCHEDULED
    )


def ordered_plan(world: World) -> Plan:
    plan = plan_create(
        actor=world.lead,
        partnership=world.partnership,
        title="Children in Care Strategy",
        kind=PlanKind.CYPP,
        period_start=datetime.date(2016, 4, 1),
        period_end=datetime.date(2020, 3, 31),
        owning_body=world.board,
        lead_officer=world.lead,
        approving_bodies=[world.board, world.safeguarding],
        executive_body=world.executive,
        approval_route=ApprovalRoute.ORDERED,
    )
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    return plan_submit(plan=plan, actor=world.lead)


def to_executive(world: World, **kwargs: Any) -> Plan:
    plan = submitted_plan(world, **kwargs)
    decide(world, plan, world.board, O.APPROVED)
    assert_in_step(plan)
    decide(world, plan, world.safeguarding, O.APPROVED)
    return assert_in_step(plan)


def to_call_in(world: World) -> Plan:
    plan = to_executive(world)
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.CALL_IN
    return plan


# Submission.


def test_it_starts_one_process_with_a_board_task_per_required_body(world, frozen_clock):
    meeting_day = datetime.date(2016, 7, 28)
    Meeting.objects.create(body=world.board, date=meeting_day, attendance=8)
    Meeting.objects.create(body=world.safeguarding, date=datetime.date(2016, 7, 1),
                           attendance=8)  # in the past: does not count

    plan = assert_in_step(submitted_plan(world))

    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    process = routing.active_process(plan)
    assert process is not None
    assert process.status == PROCESS.NEW
    tasks = list(routing.open_tasks(plan))
    assert len(tasks) == 2
    assert {t.info.body for t in tasks} == {world.board, world.safeguarding}
    for task in tasks:
        assert task.info.kind == TaskKind.BOARD_DECISION
        assert task.status == STATUS.NEW and task.owner_id is None
        assert task.process_id == process.pk
    due = {t.info.body: t.info.due_on for t in tasks}
    assert due[world.board] == meeting_day
    assert due[world.safeguarding] == calendar.add_working_days(
        datetime.date(2016, 7, 14), settings.PLANGOV_TASK_DUE_WORKING_DAYS
    )
    assert due[world.safeguarding] > datetime.date(2016, 7, 14)


# Joint and ordered approval.


def test_it_asks_the_executive_once_both_boards_approve_jointly(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert open_task(plan).info.body == world.safeguarding

    decide(world, plan, world.safeguarding, O.APPROVED_WITH_AMENDMENTS)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    task = open_task(plan)
    assert task.info.kind == TaskKind.EXECUTIVE_DECISION
    assert task.info.body == world.executive
    assert Task.objects.filter(info__plan=plan, info__kind=TaskKind.EXECUTIVE_DECISION).count() == 1


def test_it_asks_the_bodies_of_an_ordered_route_one_at_a_time(world, frozen_clock):
    plan = assert_in_step(ordered_plan(world))
    task = open_task(plan)
    assert task.info.body == world.board

    with pytest.raises(Conflict):
        decide(world, plan, world.safeguarding, O.APPROVED)
    assert not Decision.objects.filter(plan=plan).exists()
    assert_in_step(plan)

    decide(world, plan, world.board, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    second = open_task(plan)
    assert second.info.body == world.safeguarding
    assert second.info.kind == TaskKind.BOARD_DECISION

    decide(world, plan, world.safeguarding, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL


# Referral back.


def test_it_cancels_the_round_and_gives_the_lead_officer_a_redraft_task(world, frozen_clock):
    plan = submitted_plan(world)
    first_round = list(routing.open_tasks(plan))
    process = routing.active_process(plan)

    decide(world, plan, world.board, O.REFERRED_BACK, reasons="Say more about early help.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.DRAFTING
    statuses = {t.info.body: Task.objects.get(pk=t.pk).status for t in first_round}
    assert statuses == {world.board: STATUS.DONE, world.safeguarding: STATUS.CANCELED}

    redraft = open_task(plan)
    assert redraft.info.kind == TaskKind.REDRAFT
    assert redraft.status == STATUS.ASSIGNED and redraft.owner == world.lead
    assert redraft.info.body is None
    assert "YorOK Board" in redraft.info.comments
    assert "Say more about early help." in redraft.info.comments

    v2 = version_create(plan=plan, actor=world.lead, content=valid_content(vision="Revised."))
    plan_submit(plan=plan, actor=world.lead)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    redraft.refresh_from_db()
    assert redraft.status == STATUS.DONE
    assert routing.active_process(plan).pk == process.pk  # the same process goes on

    second_round = list(routing.open_tasks(plan))
    assert {t.info.body for t in second_round} == {world.board, world.safeguarding}
    assert {t.pk for t in second_round}.isdisjoint({t.pk for t in first_round})
    assert all(t.created >= redraft.finished for t in second_round)

    # The new tasks take decisions on the new version.
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    assert set(Decision.objects.filter(plan=plan, outcome=O.APPROVED)
               .values_list("version", flat=True)) == {v2.pk}


# Deferral.


def test_it_requeues_a_deferred_decision_for_the_next_meeting(world, frozen_clock):
    plan = submitted_plan(world)
    process = routing.active_process(plan)
    first = open_task(plan, body=world.board)
    next_meeting = datetime.date(2016, 9, 15)
    Meeting.objects.create(body=world.board, date=next_meeting, attendance=8)

    decide(world, plan, world.board, O.DEFERRED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    first.refresh_from_db()
    assert first.status == STATUS.DONE
    again = open_task(plan, body=world.board)
    assert again.pk != first.pk
    assert again.info.kind == TaskKind.BOARD_DECISION
    assert again.status == STATUS.NEW and again.owner_id is None
    assert again.info.due_on == next_meeting
    assert again.token == first.token  # the Join keeps waiting for this branch
    assert routing.active_process(plan).pk == process.pk
    assert open_kinds(plan) == {TaskKind.BOARD_DECISION}
    assert routing.open_tasks(plan).count() == 2

    frozen_clock.set(next_meeting)
    decide(world, plan, world.board, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL  # the safeguarding board has yet to decide
    again.refresh_from_db()
    assert again.status == STATUS.DONE
    decide(world, plan, world.safeguarding, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL


# The executive and call-in.


def test_it_sends_an_executive_referral_back_to_redrafting(world, frozen_clock):
    plan = to_executive(world)
    decide(world, plan, world.executive, O.REFERRED_BACK, reasons="Costs are unclear.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.DRAFTING
    redraft = open_task(plan)
    assert redraft.info.kind == TaskKind.REDRAFT and redraft.owner == world.lead
    assert "Executive" in redraft.info.comments and "Costs are unclear." in redraft.info.comments

    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Costed."))
    plan_submit(plan=plan, actor=world.lead)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert {t.info.body for t in routing.open_tasks(plan)} == {world.board, world.safeguarding}


def test_it_opens_a_call_in_task_and_timer_after_executive_approval(world, frozen_clock):
    plan = to_call_in(world)
    assert plan.call_in_ends_on == calendar.add_working_days(
        datetime.date(2016, 7, 14), settings.PLANGOV_CALL_IN_WORKING_DAYS
    )
    task = open_task(plan)
    assert task.info.kind == TaskKind.CALL_IN
    assert task.info.body == world.scrutiny
    assert task.info.due_on == plan.call_in_ends_on
    timer = scheduled_timers(plan).get()
    ends = plan.call_in_ends_on
    # Due at the start of the next day, local time (the lifecycle's clock.today() is local).
    next_day = ends + datetime.timedelta(days=1)
    assert timer.scheduled == datetime.datetime(
        next_day.year, next_day.month, next_day.day, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    assert routing.due_timer_ids() == []


def test_it_returns_a_called_in_decision_to_the_executive_which_decides_once_more(
    world, frozen_clock
):
    plan = to_call_in(world)
    call_in = open_task(plan)

    call_in_request(world, plan, reasons="Members want to discuss costs.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.CALL_IN  # suspended, waiting for the committee
    call_in.refresh_from_db()
    assert call_in.status == STATUS.DONE
    assert not scheduled_timers(plan).exists()  # the call-in's timer went with it
    outcome = open_task(plan)
    assert outcome.info.kind == TaskKind.CALL_IN_OUTCOME
    assert outcome.info.body == world.scrutiny

    frozen_clock.advance(days=5)  # Tuesday 19 July, the committee meets
    call_in_outcome(world, plan, "referred_to_executive")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    assert plan.call_in_ends_on is None
    executive = open_task(plan)
    assert executive.info.kind == TaskKind.EXECUTIVE_DECISION
    assert Task.objects.filter(info__plan=plan, info__kind=TaskKind.EXECUTIVE_DECISION).count() == 2

    frozen_clock.advance(days=2)  # Thursday 21 July
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED  # reconsidered: not open to call-in again
    assert plan.adopted_on == datetime.date(2016, 7, 21)
    assert Task.objects.filter(info__plan=plan, info__kind=TaskKind.CALL_IN).count() == 1
    assert not scheduled_timers(plan).exists()


def test_it_adopts_the_plan_when_the_call_in_timer_fires(world, frozen_clock):
    plan = to_call_in(world)
    process = routing.active_process(plan)
    ends = plan.call_in_ends_on

    frozen_clock.set(ends, hour=22)  # 23:00 in London: the last hour of the period
    assert routing.due_timer_ids() == []
    frozen_clock.set(ends, hour=23)  # midnight in London
    assert clock.today() == ends + datetime.timedelta(days=1)
    due = routing.due_timer_ids()
    assert len(due) == 1

    assert routing.timer_fire(task_id=due[0]) is True
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_version_id == plan.current_version_id
    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert not routing.open_tasks(plan).exists()
    assert AuditEvent.objects.filter(plan=plan, action="plan.adopt").count() == 1

    assert routing.timer_fire(task_id=due[0]) is False
    assert routing.due_timer_ids() == []
    assert AuditEvent.objects.filter(plan=plan, action="plan.adopt").count() == 1
    assert_in_step(plan)


def test_it_adopts_a_plan_not_subject_to_call_in_on_the_executive_decision(
    world, frozen_clock
):
    plan = to_executive(world, call_in=False)
    process = routing.active_process(plan)
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.call_in_ends_on is None
    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert not Task.objects.filter(info__plan=plan, info__kind=TaskKind.CALL_IN).exists()
    assert not scheduled_timers(plan).exists()


# Withdrawal and manual adoption.


def test_it_cancels_the_process_and_its_tasks_when_the_plan_is_withdrawn(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    plan = assert_in_step(plan)
    process = routing.active_process(plan)

    plan_withdraw(plan=plan, actor=world.lead, reason="Replaced by a joint strategy.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.WITHDRAWN
    process.refresh_from_db()
    assert process.status == PROCESS.CANCELED
    statuses = set(Task.objects.filter(info__plan=plan).values_list("status", flat=True))
    assert statuses == {STATUS.DONE, STATUS.CANCELED}
    assert Task.objects.get(info__plan=plan, info__body=world.safeguarding).status == (
        STATUS.CANCELED
    )
    with pytest.raises(Conflict):
        decide(world, plan, world.safeguarding, O.APPROVED)


def test_it_closes_the_call_in_task_when_the_lead_officer_adopts_by_hand(world, frozen_clock):
    plan = to_call_in(world)
    process = routing.active_process(plan)
    call_in = open_task(plan)
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))

    plan_adopt(plan=plan, actor=world.lead, reason="No call-in was made.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    call_in.refresh_from_db()
    assert call_in.status == STATUS.CANCELED
    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert not scheduled_timers(plan).exists()
    assert routing.due_timer_ids() == []
    assert AuditEvent.objects.filter(plan=plan, action="plan.adopt").count() == 1


# Claiming, reassigning and completing tasks.


def test_it_lets_the_body_secretary_claim_its_task_once(world, frozen_clock):
    plan = submitted_plan(world)
    task = open_task(plan, body=world.board)

    with pytest.raises(Forbidden):
        routing.task_claim(task_id=task.pk, actor=world.safeguarding_secretary)
    with pytest.raises(Forbidden):
        routing.task_claim(task_id=task.pk, actor=world.outsider)

    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED
    assert task.owner == world.board_secretary
    assert task.assigned == clock.now()
    events = AuditEvent.objects.filter(action="task.claim")
    assert events.count() == 1
    assert events.get().actor == world.board_secretary
    assert events.get().plan_id == plan.pk

    with pytest.raises(Conflict):
        routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    with pytest.raises(Conflict):
        routing.task_claim(task_id=task.pk, actor=world.board_deputy)
    assert AuditEvent.objects.filter(action="task.claim").count() == 1
    task.refresh_from_db()
    assert task.owner == world.board_secretary
    assert_in_step(plan)


def test_it_reassigns_with_a_reason_to_someone_who_can_take_the_task(world, frozen_clock):
    plan = submitted_plan(world)
    task = open_task(plan, body=world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)

    with pytest.raises(InvalidInput) as missing:
        routing.task_reassign(task_id=task.pk, actor=world.board_secretary,
                              to=world.board_deputy, reason="  ")
    assert "reason" in missing.value.errors
    with pytest.raises(InvalidInput) as outsider:
        routing.task_reassign(task_id=task.pk, actor=world.board_secretary,
                              to=world.outsider, reason="On leave.")
    assert "to" in outsider.value.errors
    assert not AuditEvent.objects.filter(action="task.reassign").exists()

    routing.task_reassign(task_id=task.pk, actor=world.board_secretary,
                          to=world.board_deputy, reason="On leave next week.")
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner == world.board_deputy
    event = AuditEvent.objects.get(action="task.reassign")
    assert event.actor == world.board_secretary
    assert event.reason == "On leave next week."

    with pytest.raises(Conflict):
        routing.task_complete(task_id=task.pk, actor=world.board_secretary,
                              outcome=O.APPROVED, decided_on=clock.today(), attendance=8)
    assert not Decision.objects.filter(plan=plan).exists()
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED

    decision = routing.task_complete(task_id=task.pk, actor=world.board_deputy,
                                     outcome=O.APPROVED, decided_on=clock.today(), attendance=8)
    assert decision.body == world.board and decision.recorded_by == world.board_deputy
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    plan = assert_in_step(plan)
    assert open_task(plan).info.body == world.safeguarding

    with pytest.raises(Conflict):
        routing.task_complete(task_id=task.pk, actor=world.board_deputy,
                              outcome=O.APPROVED, decided_on=clock.today(), attendance=8)


def test_it_completes_a_redraft_task_by_resubmitting(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.safeguarding, O.REJECTED, reasons="Not safe enough.")
    plan = assert_in_step(plan)
    redraft = open_task(plan)
    assert redraft.info.kind == TaskKind.REDRAFT
    assert "Not safe enough." in redraft.info.comments

    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Safer."))
    routing.task_complete(task_id=redraft.pk, actor=world.lead, reasons="Revised.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    redraft.refresh_from_db()
    assert redraft.status == STATUS.DONE
    assert routing.open_tasks(plan).count() == 2


# Two secretaries completing the same task at once.


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_secretaries_completing_a_task_at_once_win(world, frozen_clock):
    plan = submitted_plan(world)
    task = open_task(plan, body=world.board)
    actors = [world.board_secretary, world.board_deputy]
    barrier = threading.Barrier(len(actors), timeout=30)
    results: dict[int, Any] = {}
    errors: dict[int, BaseException] = {}
    tracebacks: dict[int, str] = {}
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            result = routing.task_complete(
                task_id=task.pk, actor=actors[index], outcome=O.APPROVED,
                decided_on=datetime.date(2016, 7, 14), attendance=8, votes_for=7,
            )
            with lock:
                results[index] = result
        except Exception as exc:  # reported below
            with lock:
                errors[index] = exc
                tracebacks[index] = traceback.format_exc()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)

    assert len(results) == 1, tracebacks
    assert len(errors) == 1
    (error,) = errors.values()
    assert isinstance(error, Conflict), "".join(tracebacks.values())
    assert error.status == 409
    assert Decision.objects.filter(plan=plan, body=world.board).count() == 1
    assert AuditEvent.objects.filter(plan=plan, action="decision.record").count() == 1
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    plan = assert_in_step(plan)
    assert open_task(plan).info.body == world.safeguarding


def test_it_refuses_a_decision_by_a_body_not_awaited_after_adoption(world, frozen_clock):
    plan = to_executive(world, call_in=False)
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    with pytest.raises(Conflict):
        decision_record(plan=plan, actor=world.executive_member, body=world.executive,
                        outcome=O.APPROVED, decided_on=clock.today(), attendance=8)


def test_it_cancels_a_requeued_task_when_the_other_board_refers_back(world, frozen_clock):
    plan = submitted_plan(world)
    Meeting.objects.create(body=world.board, date=datetime.date(2016, 9, 15), attendance=8)
    decide(world, plan, world.board, O.DEFERRED)
    plan = assert_in_step(plan)
    requeued = open_task(plan, body=world.board)

    decide(world, plan, world.safeguarding, O.REFERRED_BACK, reasons="Thresholds unclear.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.DRAFTING
    requeued.refresh_from_db()
    assert requeued.status == STATUS.CANCELED
    assert open_task(plan).info.kind == TaskKind.REDRAFT


def test_it_requeues_an_executive_deferral_and_waits(world, frozen_clock):
    plan = to_executive(world)
    first = open_task(plan)
    decide(world, plan, world.executive, O.DEFERRED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    again = open_task(plan)
    assert again.pk != first.pk and again.info.body == world.executive
    assert again.info.due_on == calendar.add_working_days(
        datetime.date(2016, 7, 14), settings.PLANGOV_TASK_DUE_WORKING_DAYS
    )
    frozen_clock.advance(days=1)
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.CALL_IN


def test_it_cancels_the_redraft_task_when_a_referred_plan_is_withdrawn(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.REFERRED_BACK, reasons="Start again.")
    plan = assert_in_step(plan)
    process = routing.active_process(plan)
    redraft = open_task(plan)

    plan_withdraw(plan=plan, actor=world.lead, reason="Merged into the CYPP.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.WITHDRAWN
    redraft.refresh_from_db()
    assert redraft.status == STATUS.CANCELED
    process.refresh_from_db()
    assert process.status == PROCESS.CANCELED
