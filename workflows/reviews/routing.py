"""Routing for a review: the review process (workflows.reviews.flow) beside the review's
lifecycle (workflows.reviews.lifecycle).

The contract the review's services keep (see the docstring of workflows.reviews.flow):
fire the lifecycle transition first, then ``review_task_complete(review=, kind=, actor=)``;
the flow's gateways read the review's new stage and route on it.

Lock order, everywhere: the plan row (lock_plan), then the review row (``lock_review``), then
the process row (viewflow's SelectForUpdateLock inside ``task.activation()``), then the audit
head.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from documents.models import ProgressReport, Review, ReviewStage
from documents.services import lock_plan
from governance import policy
from governance.models import Body
from plangov import calendar, clock
from plangov.errors import InvalidInput

from ..models import TaskInfo, TaskKind
from ..routing import OPEN, _take, due_for, scrutiny_body

# Tasks the review's lead officer (or a priority's lead) works, not a body's secretary.
LEAD_KINDS = (TaskKind.PROGRESS_REPORT, TaskKind.COMPILE_REVIEW)


def lock_review(review_id: int) -> Review:
    """Fetch the review under a row lock, its plan's row locked first (lock order: plan, then
    review). Like lock_plan, the lock is taken by a query of the row alone, and the review is
    read with its relations once the lock is held."""
    plan_id = Review.objects.filter(pk=review_id).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise InvalidInput({"review": [f"No review has the id {review_id}."]})
    lock_plan(plan_id)
    reviews = Review.objects.filter(pk=review_id)
    reviews.select_for_update().values_list("pk", flat=True).get()
    return reviews.select_related("plan", "plan__lead_officer", "plan__executive_body",
                                  "plan__owning_body", "version").get()


# Finding a review's process and tasks.


def _processes(review: Review) -> Any:
    from .flow import AnnualReviewFlow

    return Process.objects.filter(
        flow_class=AnnualReviewFlow,
        artifact_content_type=ContentType.objects.get_for_model(Review),
        artifact_object_id=review.pk,
    ).order_by("-pk")


def active_process(review: Review) -> Process | None:
    return _processes(review).filter(status=PROCESS.NEW).first()


def latest_process(review: Review) -> Process | None:
    return _processes(review).first()


def open_review_tasks(review: Review) -> Any:
    return (
        Task.objects.filter(info__review=review, status__in=OPEN)
        .select_related("info", "info__body", "owner")
        .order_by("info__due_on", "pk")
    )


def open_review_task(review: Review, kind: str, body: Body | None = None) -> Task | None:
    """The open task of ``kind`` on ``review`` (for ``body``, when given), or None."""
    tasks = open_review_tasks(review).filter(info__kind=kind)
    if body is not None:
        tasks = tasks.filter(info__body=body)
    return tasks.first()


def report_task(report: ProgressReport) -> Task | None:
    """The open PROGRESS_REPORT task of one progress report (its seed)."""
    return open_review_tasks(report.review).filter(
        info__kind=TaskKind.PROGRESS_REPORT,
        seed_content_type=ContentType.objects.get_for_model(ProgressReport),
        seed_object_id=report.pk,
    ).first()


def complete_review_task(task: Task, actor: Any) -> None:
    """Complete a human task of the review process as ``actor`` (assigning or reassigning it
    to them first); the flow moves on by the review's stage."""
    with task.activation() as activation:
        _take(task, activation, actor)
        activation.start(None)
        activation.execute()


def review_task_complete(*, review: Review, kind: str, actor: Any) -> None:
    """Complete the open task of ``kind`` on the review's running process as ``actor``; a
    no-op when none is open. Call it inside your service's transaction, AFTER firing the
    lifecycle transition, with the plan and the review locked (lock_review)."""
    task = open_review_task(review, kind)
    if task is None:
        return
    complete_review_task(task, actor)


def may_work(task: Task, user: Any) -> policy.Verdict:
    """Who may claim or complete a review task: a progress report its priority's lead (the
    task's owner) or the lead officer; the compiling the lead officer (or deputy); scrutiny's,
    the board's and the executive's tasks the body's secretaries (policy.can_record_for)."""
    info = task.info
    if info.kind == TaskKind.PROGRESS_REPORT:
        if user is not None and task.owner_id == getattr(user, "pk", None):
            return policy.Verdict(True)
        return policy.can_lead(info.plan, user)
    if info.kind in LEAD_KINDS:
        return policy.can_lead(info.plan, user)
    if info.body is None:
        return policy.Verdict(False, "Nobody can take this task: the partnership has no body "
                                     "for it.")
    return policy.can_record_for(info.body, user)


# Due dates.


def progress_report_due(review: Review) -> datetime.date:
    return calendar.add_working_days(
        clock.today(), settings.PLANGOV_PROGRESS_REPORT_DAYS,
        partnership=review.plan.partnership,
    )


def lead_task_due(review: Review) -> datetime.date:
    return calendar.add_working_days(
        clock.today(), settings.PLANGOV_REVIEW_COMPILE_DAYS, partnership=review.plan.partnership
    )


def review_call_in_deadline(review: Review) -> datetime.datetime:
    """When the review's call-in timer fires: the start of the day after the period's last
    day (never, while the period has no end)."""
    from ..routing import NOT_YET

    if review.call_in_ends_on is None:
        return NOT_YET
    day = review.call_in_ends_on + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def review_task_info_create(
    *, task: Task, kind: str, body: Body | None, due_on: datetime.date | None = None,
    comments: str = "",
) -> TaskInfo:
    review = Review.objects.select_related("plan").get(pk=task.process.artifact_object_id)
    if due_on is None:
        if kind in LEAD_KINDS:
            due_on = lead_task_due(review)
        elif kind == TaskKind.REVIEW_CALL_IN and review.call_in_ends_on:
            due_on = review.call_in_ends_on
        else:
            due_on = due_for(body)
    if kind == TaskKind.PROGRESS_REPORT and isinstance(task.seed, ProgressReport):
        comments = f"Priority: {task.seed.priority_title}"
    return TaskInfo.objects.create(task=task, plan=review.plan, review=review, body=body,
                                   kind=kind, due_on=due_on, comments=comments)


def period_over_from_flow(review: Review) -> None:
    from .callin import review_call_in_period_over

    if review.stage == ReviewStage.CALL_IN:
        review_call_in_period_over(review_id=review.pk)


def on_review_call_in_period_set(review: Review) -> None:
    """The review's call-in period got its end (e.g. a decision notice was published): the
    call-in task is due on its last day, and its timer fires the day after."""
    process = active_process(review)
    if process is None:
        return
    TaskInfo.objects.filter(
        review=review, kind=TaskKind.REVIEW_CALL_IN, task__status__in=OPEN
    ).update(due_on=review.call_in_ends_on)
    process.task_set.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED).update(
        scheduled=review_call_in_deadline(review)
    )


def on_review_withdrawn(review: Review) -> None:
    from .flow import AnnualReviewFlow

    process = active_process(review)
    if process is not None:
        AnnualReviewFlow.instance.cancel(process)


__all__ = [
    "STATUS", "active_process", "complete_review_task", "latest_process", "lock_review",
    "may_work", "on_review_call_in_period_set", "on_review_withdrawn", "open_review_task",
    "open_review_tasks", "report_task", "review_task_complete", "scrutiny_body",
]
