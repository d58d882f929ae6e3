"""AnnualReviewFlow: who must act on a review of an adopted plan, and when. A map of the
process beside PlanApprovalFlow; the rules live in the services (workflows.reviews.services,
and the decision and records services on a review) and the review's lifecycle.

THE CONTRACT for every service that moves a review (ours, the decisions', the records'):

1. lock: ``lock_review(review.pk)`` (it locks the plan first, then the review);
2. fire the lifecycle transition (``ReviewLifecycle(review).fire(...)``) and SAVE the review
   (with its new stage and any date it sets, e.g. ``call_in_ends_on``);
3. then ``review_task_complete(review=review, kind=TaskKind.<the task>, actor=actor)``
   (workflows.reviews.routing): it completes the open task of that kind, if any, and the
   gateways below read the review's NEW stage fresh from the database (never the process's
   cached artifact) and open the next task;
4. one audit event.

Which task each move completes:

    progress_report_submit          PROGRESS_REPORT (that report's task)
    send_to_scrutiny                COMPILE_REVIEW                       (drafting → scrutiny)
    submit_to_board                 COMPILE_REVIEW, else SCRUTINY_FEEDBACK  (→ board)
    scrutiny feedback recorded      SCRUTINY_FEEDBACK  (stage stays scrutiny: the lead
                                    officer then answers it, in a COMPILE_REVIEW task)
    board decision                  REVIEW_BOARD_DECISION      (→ executive/approved/drafting)
    executive decision              REVIEW_EXECUTIVE_DECISION  (→ call_in/approved/drafting)
    call-in request (or none)       REVIEW_CALL_IN
    call-in outcome                 REVIEW_CALL_IN_OUTCOME     (→ approved/executive)
    call-in period over (timer)     the REVIEW_CALL_IN task's TimerBoundary fires
                                    ``review_call_in_period_over`` (→ approved)
    withdraw                        cancels the process (the plan is untouched)

A deferral on a review decision: complete nothing and leave the task open (or change its
due date); the task stays with the body.

The map (annual and six-month alike until the board):

    start ─▶ has_reports? ─yes─▶ split: one PROGRESS_REPORT per priority (to its lead) ─▶ join
                   └──no─────────────────────────────────────────────────────────────────┐
    ◀────────────────────────────────────────────────────────────────────────────────────┘
    compile (COMPILE_REVIEW, lead officer) ─▶ after_compile:
        scrutiny → scrutiny_feedback (SCRUTINY_FEEDBACK, the scrutiny committee)
                      ─▶ after_scrutiny: scrutiny → compile (answer the feedback, submit)
                                         board → board_decision
        board    → board_decision (REVIEW_BOARD_DECISION, the owning board) ─▶ after_board:
                      drafting (referred back) → compile
                      executive → executive_decision (REVIEW_EXECUTIVE_DECISION, the plan's
                                  executive) ─▶ after_executive:
                                      drafting → compile
                                      call_in → call_in (REVIEW_CALL_IN, scrutiny; timer at
                                                the period's end → period_over → end)
                                                ─▶ call_in_outcome (REVIEW_CALL_IN_OUTCOME)
                                                ─▶ after_call_in: executive → executive_decision
                                      else (approved) → end
                      else (approved: six-month) → end
        else → end
"""

from __future__ import annotations

import datetime
from typing import Any

from viewflow import this
from viewflow.workflow import nodes
from viewflow.workflow.base import Flow
from viewflow.workflow.lock import SelectForUpdateLock

from documents.models import Review, ReviewStage

from ..models import AnnualReviewProcess, TaskKind
from ..nodes import BodySplit, Join
from ..routing import scrutiny_body as _scrutiny_body
from . import routing
from .nodes import ReviewTask


def _review(activation: Any) -> Review:
    # Never activation.process.artifact: it is cached and a decision just moved the stage.
    return Review.objects.select_related("plan").get(pk=activation.process.artifact_object_id)


class AnnualReviewFlow(Flow):
    process_class = AnnualReviewProcess
    process_title = "Review"
    # As PlanApprovalFlow: services lock the plan and the review first, then the process.
    lock_impl = SelectForUpdateLock(nowait=False, attempts=1)

    start = nodes.StartHandle(this.start_process).Next(this.has_reports)

    has_reports = (
        nodes.Switch()
        .Case(this.split, this.reports_expected)
        .Default(this.compile)
    )

    split = BodySplit(this.reports).Next(this.progress_report)

    progress_report = (
        ReviewTask(TaskKind.PROGRESS_REPORT)
        .Annotation(title="Report progress on a priority")
        .Assign(this.report_lead)
        .Next(this.join)
    )

    join = Join().Next(this.compile)

    compile = (
        ReviewTask(TaskKind.COMPILE_REVIEW)
        .Annotation(title="Compile the review")
        .Assign(this.lead_officer)
        .Next(this.after_compile)
    )

    after_compile = (
        nodes.Switch()
        .Case(this.scrutiny_feedback, this.in_scrutiny)
        .Case(this.board_decision, this.awaits_board)
        .Default(this.end)
    )

    scrutiny_feedback = (
        ReviewTask(TaskKind.SCRUTINY_FEEDBACK, body=this.scrutiny_body)
        .Annotation(title="Record the scrutiny committee's feedback")
        .Next(this.after_scrutiny)
    )

    after_scrutiny = (
        nodes.Switch()
        .Case(this.compile, this.in_scrutiny)
        .Case(this.board_decision, this.awaits_board)
        .Default(this.end)
    )

    board_decision = (
        ReviewTask(TaskKind.REVIEW_BOARD_DECISION, body=this.owning_body)
        .Annotation(title="Record the board's decision on the review")
        .Next(this.after_board)
    )

    after_board = (
        nodes.Switch()
        .Case(this.compile, this.is_drafting)
        .Case(this.executive_decision, this.awaits_executive)
        .Default(this.end)
    )

    executive_decision = (
        ReviewTask(TaskKind.REVIEW_EXECUTIVE_DECISION, body=this.executive_body)
        .Annotation(title="Record the executive's decision on the review")
        .Next(this.after_executive)
    )

    after_executive = (
        nodes.Switch()
        .Case(this.compile, this.is_drafting)
        .Case(this.call_in, this.in_call_in)
        .Default(this.end)
    )

    call_in = (
        ReviewTask(TaskKind.REVIEW_CALL_IN, body=this.scrutiny_body)
        .Annotation(title="Record a call-in request on the review, if any")
        .Next(this.call_in_outcome)
    )

    call_in_over = (
        nodes.TimerBoundary(this.call_in, delay=this.call_in_deadline).Next(this.period_over)
    )

    period_over = nodes.Function(this.call_in_period_over).Next(this.end)

    call_in_outcome = (
        ReviewTask(TaskKind.REVIEW_CALL_IN_OUTCOME, body=this.scrutiny_body)
        .Annotation(title="Record the scrutiny committee's call-in outcome on the review")
        .Next(this.after_call_in)
    )

    after_call_in = (
        nodes.Switch()
        .Case(this.executive_decision, this.awaits_executive)
        .Default(this.end)
    )

    end = nodes.End()

    # Node callbacks: one line each, the work is in workflows.reviews.routing and services.

    def start_process(self, activation: Any, review: Review) -> Any:
        activation.process.artifact = review
        return activation.process

    def reports_expected(self, activation: Any) -> bool:
        return _review(activation).progress_reports.filter(submitted_at__isnull=True).exists()

    def reports(self, activation: Any) -> list[Any]:
        return list(_review(activation).progress_reports.filter(submitted_at__isnull=True))

    def report_lead(self, activation: Any) -> Any:
        return activation.task.seed.lead

    def lead_officer(self, activation: Any) -> Any:
        return _review(activation).plan.lead_officer

    def in_scrutiny(self, activation: Any) -> bool:
        return _review(activation).stage == ReviewStage.SCRUTINY

    def awaits_board(self, activation: Any) -> bool:
        return _review(activation).stage == ReviewStage.BOARD

    def is_drafting(self, activation: Any) -> bool:
        return _review(activation).stage == ReviewStage.DRAFTING

    def awaits_executive(self, activation: Any) -> bool:
        return _review(activation).stage == ReviewStage.EXECUTIVE

    def in_call_in(self, activation: Any) -> bool:
        return _review(activation).stage == ReviewStage.CALL_IN

    def scrutiny_body(self, activation: Any) -> Any:
        return _scrutiny_body(_review(activation).plan)

    def owning_body(self, activation: Any) -> Any:
        return _review(activation).plan.owning_body

    def executive_body(self, activation: Any) -> Any:
        return _review(activation).plan.executive_body

    def call_in_deadline(self, activation: Any) -> datetime.datetime:
        return routing.review_call_in_deadline(_review(activation))

    def call_in_period_over(self, activation: Any) -> None:
        routing.period_over_from_flow(_review(activation))
