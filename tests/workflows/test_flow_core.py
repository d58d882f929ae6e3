"""The approval process follows the lifecycle: a core path through PlanApprovalFlow."""

from __future__ import annotations

import datetime

import pytest
from viewflow.workflow.status import PROCESS, STATUS

from documents.models import Stage
from documents.services import version_create
from governance.models import DecisionOutcome as O
from plangov.errors import Conflict
from tests.conftest import decide, make_plan, publish_summary, submitted_plan
from tests.factories import valid_content
from workflows import routing
from workflows.models import TaskKind
from workflows.services import plan_submit

EXPECTED_OPEN = {
    Stage.PARTNERSHIP_APPROVAL: {TaskKind.BOARD_DECISION},
    Stage.EXECUTIVE_APPROVAL: {TaskKind.EXECUTIVE_DECISION},
    Stage.CALL_IN: {TaskKind.CALL_IN},
    Stage.DRAFTING: {TaskKind.REDRAFT},
    Stage.ADOPTED: set(),
}


def open_kinds(plan):
    return set(routing.open_tasks(plan).values_list("info__kind", flat=True))


def assert_in_step(plan):
    plan.refresh_from_db()
    assert open_kinds(plan) == EXPECTED_OPEN[plan.stage], plan.stage


def test_it_offers_each_required_body_its_own_task(world, frozen_clock):
    plan = submitted_plan(world)
    tasks = routing.open_tasks(plan)
    assert {t.info.body for t in tasks} == {world.board, world.safeguarding}
    assert all(t.info.kind == TaskKind.BOARD_DECISION and t.status == STATUS.NEW for t in tasks)
    assert_in_step(plan)


def test_it_walks_joint_approval_executive_and_call_in_to_adoption(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    assert_in_step(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    decide(world, plan, world.safeguarding, O.APPROVED)
    assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    decide(world, plan, world.executive, O.APPROVED)
    assert_in_step(plan)
    call_in = routing.open_tasks(plan).get()
    assert call_in.info.body == world.scrutiny and call_in.info.due_on == plan.call_in_ends_on

    frozen_clock.set(plan.call_in_ends_on)
    assert routing.due_timer_ids() == []
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    due = routing.due_timer_ids()
    assert len(due) == 1
    assert routing.timer_fire(task_id=due[0]) is True
    assert routing.timer_fire(task_id=due[0]) is False
    assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert routing.active_process(plan) is None


def test_it_sends_a_referral_back_to_the_lead_officer_and_resumes_on_resubmission(
    world, frozen_clock
):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.REFERRED_BACK, reasons="Say more about early help.")
    assert_in_step(plan)
    redraft = routing.open_tasks(plan).get()
    assert redraft.owner == world.lead and redraft.status == STATUS.ASSIGNED
    assert "Say more about early help." in redraft.info.comments
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Revised."))
    plan_submit(plan=plan, actor=world.lead)
    assert_in_step(plan)
    assert routing.open_tasks(plan).count() == 2


def test_it_requeues_a_deferral_for_the_next_meeting(world, frozen_clock):
    from governance.models import Meeting

    plan = submitted_plan(world)
    Meeting.objects.create(body=world.board, date=datetime.date(2016, 9, 15), attendance=0)
    decide(world, plan, world.board, O.DEFERRED)
    assert_in_step(plan)
    requeued = routing.open_tasks(plan).get(info__body=world.board)
    assert requeued.info.due_on == datetime.date(2016, 9, 15)


def test_it_asks_bodies_in_order_on_an_ordered_route(world, frozen_clock):
    from workflows.services import plan_close_consultation, plan_start_consultation

    plan = make_plan(world)
    plan.approval_steps.filter(body=world.safeguarding).update(position=2)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    plan_submit(plan=plan, actor=world.lead)
    assert {t.info.body for t in routing.open_tasks(plan)} == {world.board}
    with pytest.raises(Conflict, match="No decision of Children's Safeguarding Board"):
        decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.board, O.APPROVED)
    assert {t.info.body for t in routing.open_tasks(plan)} == {world.safeguarding}


def test_it_cancels_the_process_when_the_plan_is_withdrawn(world, frozen_clock):
    from workflows.services import plan_withdraw

    plan = submitted_plan(world)
    process = routing.active_process(plan)
    plan_withdraw(plan=plan, actor=world.lead, reason="Superseded by a new statutory duty.")
    process.refresh_from_db()
    assert process.status == PROCESS.CANCELED
    assert routing.open_tasks(plan).count() == 0


def test_it_closes_an_open_consultation_round_when_the_plan_is_withdrawn(world, frozen_clock):
    from governance.models import ConsultationStatus
    from workflows.services import plan_start_consultation, plan_withdraw

    plan = make_plan(world)
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_withdraw(plan=plan, actor=world.lead, reason="Merged into the strategy.")
    assert set(plan.consultation_rounds.values_list("status", flat=True)) == {
        ConsultationStatus.CLOSED
    }
