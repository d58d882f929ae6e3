"""AnnualReviewFlow driven through the services: start, progress reports to each priority's
lead, compiling with trends, the six-month path to the board, withdrawal, duplicates."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from viewflow.workflow.status import PROCESS

from documents.models import ReviewKind, ReviewStage, Stage
from governance.models import AuditEvent
from plangov.errors import Conflict, Forbidden, GuardFailed
from tests.conftest import World
from tests.workflows.review_helpers import (
    adopted_plan,
    compile_review,
    open_kinds,
    report_all,
)
from workflows.models import TaskKind
from workflows.reviews import routing as review_routing
from workflows.reviews.services import progress_report_submit, review_fire, review_start

pytestmark = pytest.mark.django_db


def test_start_sends_progress_report_tasks_to_each_priority_lead(
        world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    assert plan.review_date == datetime.date(2017, 7, 14)  # a year after adoption
    events = AuditEvent.objects.count()
    review = review_start(plan=plan, actor=world.lead)
    assert AuditEvent.objects.count() == events + 1
    assert review.title == "Annual review 2016 of Children and Young People's Plan"
    assert review.covers_from == plan.adopted_on and review.covers_to == review.started_on
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED
    tasks = {t.seed.priority_key: t for t in review_routing.open_review_tasks(review)}
    assert set(tasks) == {"active", "bullying"}
    assert tasks["active"].owner == world.health_lead  # linked through LeadLink
    assert tasks["bullying"].owner == world.lead  # no linked lead: the lead officer
    assert all(t.info.review == review and t.info.kind == TaskKind.PROGRESS_REPORT
               for t in tasks.values())
    report = tasks["active"].seed
    with pytest.raises(Forbidden):
        progress_report_submit(report=report, text="x", actor=world.board_secretary)
    progress_report_submit(report=report, text="Active.", actor=world.health_lead)
    assert open_kinds(review) == [TaskKind.PROGRESS_REPORT]
    progress_report_submit(report=tasks["bullying"].seed, text="Less.", actor=world.lead)
    assert open_kinds(review) == [TaskKind.COMPILE_REVIEW]


def test_annual_review_goes_to_scrutiny_after_compiling(world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    with pytest.raises(GuardFailed):
        review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    report_all(world, review)
    with pytest.raises(GuardFailed):  # not compiled
        review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    review = compile_review(world, review)
    assert review.trends["indicators"][0]["key"] == "obesity-reception"
    review = review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    assert review.stage == ReviewStage.SCRUTINY
    task = review_routing.open_review_task(review, TaskKind.SCRUTINY_FEEDBACK)
    assert task is not None and task.info.body == world.scrutiny


def test_six_month_review_goes_to_the_board(world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead, kind=ReviewKind.SIX_MONTH)
    report_all(world, review)
    compile_review(world, review)
    review = review_fire(review=review, action="submit_to_board", actor=world.lead)
    assert review.stage == ReviewStage.BOARD
    assert open_kinds(review) == [TaskKind.REVIEW_BOARD_DECISION]
    assert review_routing.open_review_task(
        review, TaskKind.REVIEW_BOARD_DECISION).info.body == world.board


def test_withdraw_keeps_history_and_the_plan_adopted(world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    with pytest.raises(Conflict):
        review_start(plan=plan, actor=world.lead)
    review = review_fire(review=review, action="withdraw", actor=world.lead, reason="Too soon.")
    assert review.stage == ReviewStage.WITHDRAWN
    assert open_kinds(review) == []
    assert review_routing.latest_process(review).status == PROCESS.CANCELED
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED
    again = review_start(plan=plan, actor=world.lead)
    assert again.pk != review.pk and plan.reviews.count() == 2


def test_only_the_lead_officer_starts_a_review(world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    with pytest.raises(Forbidden):
        review_start(plan=plan, actor=world.board_secretary)


def test_annual_review_through_scrutiny_board_executive_and_call_in(
        world: World, frozen_clock: Any) -> None:
    from tests.workflows.review_helpers import decide_review, record_feedback
    from workflows import routing
    from workflows.tasks import fire_due_timers

    plan = adopted_plan(world, frozen_clock, call_in=True)
    review = review_start(plan=plan, actor=None)
    assert review.started_by is None
    report_all(world, review)
    compile_review(world, review)
    review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    review = record_feedback(world, review)
    assert review.stage == ReviewStage.SCRUTINY
    assert open_kinds(review) == [TaskKind.COMPILE_REVIEW]  # answer it, then the board
    review = review_fire(review=review, action="submit_to_board", actor=world.lead)
    assert open_kinds(review) == [TaskKind.REVIEW_BOARD_DECISION]
    # The board refers it back: the lead officer redrafts, and it goes to scrutiny again.
    review = decide_review(review, "refer_back", TaskKind.REVIEW_BOARD_DECISION,
                           world.board_secretary)
    assert review.stage == ReviewStage.DRAFTING
    assert open_kinds(review) == [TaskKind.COMPILE_REVIEW]
    compile_review(world, review)
    review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    record_feedback(world, review)
    review = review_fire(review=review, action="submit_to_board", actor=world.lead)
    review = decide_review(review, "board_approve", TaskKind.REVIEW_BOARD_DECISION,
                           world.board_secretary, decided_on=frozen_clock().date())
    assert review.stage == ReviewStage.EXECUTIVE
    task = review_routing.open_review_task(review, TaskKind.REVIEW_EXECUTIVE_DECISION)
    assert task.info.body == world.executive
    ends = frozen_clock().date() + datetime.timedelta(days=7)
    review = decide_review(review, "executive_approve", TaskKind.REVIEW_EXECUTIVE_DECISION,
                           world.executive_member, decided_on=frozen_clock().date(),
                           call_in_ends_on=ends)
    assert review.stage == ReviewStage.CALL_IN
    call_in = review_routing.open_review_task(review, TaskKind.REVIEW_CALL_IN)
    assert call_in.info.body == world.scrutiny and call_in.info.due_on == ends
    assert fire_due_timers() == 0
    frozen_clock.advance(days=8)
    assert routing.due_timer_ids()
    fire_due_timers()
    review.refresh_from_db()
    assert review.stage == ReviewStage.APPROVED and review.approved_on == ends
    assert open_kinds(review) == []
    assert review_routing.latest_process(review).status == PROCESS.DONE
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED


def test_compile_takes_what_consultation_heard_in_the_period(world: World,
                                                              frozen_clock: Any) -> None:
    from workflows.reviews.services import review_compile

    plan = adopted_plan(world, frozen_clock)
    round = plan.consultation_rounds.get()
    assert round.closed_on == plan.adopted_on and round.summary_published_at is not None
    review = review_start(plan=plan, actor=world.lead)
    review = review_compile(review=review, actor=world.lead, strengths="S.",
                            areas_for_development="A.", next_year_priorities="N.")
    assert review.consultation_heard.startswith(f"{round.title} (closed ")
    review = review_compile(review=review, actor=world.lead, strengths="S.",
                            areas_for_development="A.", next_year_priorities="N.",
                            consultation_heard="Our own words.")
    assert review.consultation_heard == "Our own words."


def test_six_month_review_approved_by_the_board_ends_the_process(
        world: World, frozen_clock: Any) -> None:
    from tests.workflows.review_helpers import decide_review

    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead, kind=ReviewKind.SIX_MONTH)
    assert review.title.startswith("Six-month progress review 2016 of ")
    plan.refresh_from_db()
    assert plan.review_date == datetime.date(2017, 7, 14)  # only an annual review moves it
    report_all(world, review)
    compile_review(world, review)
    review_fire(review=review, action="submit_to_board", actor=world.lead)
    review = decide_review(review, "board_approve", TaskKind.REVIEW_BOARD_DECISION,
                           world.board_secretary, decided_on=frozen_clock().date())
    assert review.stage == ReviewStage.APPROVED
    assert open_kinds(review) == []
    assert review_routing.latest_process(review).status == PROCESS.DONE


def test_a_plan_with_no_priorities_goes_straight_to_compiling(
        world: World, frozen_clock: Any) -> None:
    from documents.models import PlanVersion

    plan = adopted_plan(world, frozen_clock)
    content = dict(plan.adopted_version.content)
    content["outcomes"] = [{**o, "priorities": []} for o in content["outcomes"]]
    PlanVersion.objects.filter(pk=plan.adopted_version_id).update(content=content)
    plan.refresh_from_db()
    review = review_start(plan=plan, actor=world.lead)
    assert review.progress_reports.count() == 0
    assert open_kinds(review) == [TaskKind.COMPILE_REVIEW]


def test_a_call_in_period_set_later_moves_the_task_and_its_timer(
        world: World, frozen_clock: Any) -> None:
    from tests.workflows.review_helpers import decide_review, record_feedback
    from workflows import routing
    from workflows.tasks import fire_due_timers

    plan = adopted_plan(world, frozen_clock, call_in=True)
    review = review_start(plan=plan, actor=world.lead)
    report_all(world, review)
    compile_review(world, review)
    review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    record_feedback(world, review)
    review_fire(review=review, action="submit_to_board", actor=world.lead)
    decide_review(review, "board_approve", TaskKind.REVIEW_BOARD_DECISION,
                  world.board_secretary, decided_on=frozen_clock().date())
    # A "publication" council: the period has no end until the notice is published.
    review = decide_review(review, "executive_approve", TaskKind.REVIEW_EXECUTIVE_DECISION,
                           world.executive_member, decided_on=frozen_clock().date())
    assert review.stage == ReviewStage.CALL_IN and review.call_in_ends_on is None
    frozen_clock.advance(days=60)
    assert not routing.due_timer_ids()
    ends = frozen_clock().date() + datetime.timedelta(days=5)
    review.call_in_ends_on = ends
    review.save(update_fields=["call_in_ends_on"])
    review_routing.on_review_call_in_period_set(review)
    assert review_routing.open_review_task(review, TaskKind.REVIEW_CALL_IN).info.due_on == ends
    frozen_clock.advance(days=6)
    fire_due_timers()
    review.refresh_from_db()
    assert review.stage == ReviewStage.APPROVED and review.approved_on == ends
