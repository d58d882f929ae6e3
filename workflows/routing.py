"""Routing services: the approval process beside the lifecycle.

Lock order, everywhere: the plan row (lock_plan), then the process row (viewflow's
SelectForUpdateLock inside ``task.activation()``), then the audit head. Every door that
touches a process is a service that locks the plan first, so two doors never deadlock.

One read, one lock, one check per step: the task services lock the plan and read the task
once (``_locked_task``), record a decision on that plan and task (decisions'
``decision_record_locked``), and the flow's gateways read the plan the step locked
(documents.services.step_plan) rather than the row again.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Subquery
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from documents.models import Plan, Stage
from documents.services import PlanFinder, lock_plan, step_plan
from governance import policy
from governance.audit import audit_record
from governance.models import Body, BodyKind, Decision, Meeting, Partnership
from plangov import calendar, clock, steps
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.prepared import Prepared
from plangov.txn import service

from .inbox import status_word
from .lifecycle import SENDING_BACK, approval_state
from .lifecycle.state import route_positions
from .models import TaskInfo, TaskKind

log = logging.getLogger(__name__)

OPEN = (STATUS.NEW, STATUS.ASSIGNED)
# Tasks answered by workflows.decisions.decision_record; the call-in tasks have their own.
DECISION_KINDS = (
    TaskKind.BOARD_DECISION, TaskKind.EXECUTIVE_DECISION, TaskKind.FULL_COUNCIL_DECISION
)


# Questions the flow asks.


def bodies_to_ask(plan: Plan) -> list[Body]:
    """The bodies of the first step of the route that still lack an approval of the current
    version: all of them on a joint route, the next one on an ordered route."""
    missing = approval_state(plan).missing
    positions = route_positions(plan)
    by_position: dict[int, list[Body]] = {}
    for body in missing:
        if body.pk in positions:
            by_position.setdefault(positions[body.pk], []).append(body)
    if not by_position:  # a plan made before routes existed: every missing body at once
        return list(missing)
    return by_position[min(by_position)]


def scrutiny_body(plan: Plan) -> Body | None:
    return (
        Body.objects.filter(partnership_id=plan.partnership_id,
                            kind=BodyKind.SCRUTINY_COMMITTEE)
        .order_by("pk")
        .first()
    )


def full_council_body(plan: Plan) -> Body | None:
    return (
        Body.objects.filter(partnership_id=plan.partnership_id, kind=BodyKind.FULL_COUNCIL)
        .order_by("pk")
        .first()
    )


# Before a "publication" council's decision notice is published, the call-in period has no
# end and its timer waits here; publishing the notice brings the timer forward.
NOT_YET = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def call_in_deadline(plan: Plan) -> datetime.datetime:
    """When the call-in timer fires: the start of the day after the period's last day (the
    period runs to the end of that day, as the lifecycle's call_in_period_over guard has it)."""
    if plan.call_in_ends_on is None:
        return NOT_YET
    day = plan.call_in_ends_on + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def due_for(body: Body | None, *, after: datetime.date | None = None) -> datetime.date:
    """A decision is due at the body's next scheduled meeting, or after a set number of
    working days when no meeting is in the diary."""
    day = after or clock.today()
    if body is not None:
        meeting = _NEXT_MEETING.first(body=body.pk, day=day)
        if meeting is not None:
            return meeting.date
    return calendar.add_working_days(day, settings.PLANGOV_TASK_DUE_WORKING_DAYS,
                                     partnership=_partnership(body) if body else None)


# Read for every task made: the body's next meeting and its partnership (plangov.prepared),
# the partnership kept for the step.
_NEXT_MEETING = Prepared(lambda body, day: Meeting.objects.filter(
    body_id=body, date__gt=day).order_by("date")[:1], body=int, day=datetime.date)
_PARTNERSHIP = Prepared(lambda partnership: Partnership.objects.filter(pk=partnership),
                        partnership=int)


def _partnership(body: Body) -> Partnership:
    if Body.partnership.is_cached(body):
        return body.partnership
    key = ("partnership", body.partnership_id)
    partnership = steps.recall(key) or steps.remember(
        key, _PARTNERSHIP.first(partnership=body.partnership_id))
    body.partnership = partnership
    return partnership


def task_info_create(
    *, task: Task, kind: str, body: Body | None, due_on: str | None = None
) -> TaskInfo:
    plan = step_plan(int(task.process.artifact_object_id))
    comments = ""
    if kind == TaskKind.CALL_IN and plan.call_in_ends_on:
        due = plan.call_in_ends_on  # the period's last day; never escalated (optional)
    elif kind == TaskKind.REDRAFT:
        due = calendar.add_working_days(clock.today(), settings.PLANGOV_REDRAFT_WORKING_DAYS,
                                        partnership=plan.partnership)
        sent_back = (
            Decision.objects.filter(plan=plan, version__isnull=False, outcome__in=SENDING_BACK)
            .select_related("body").order_by("-pk").first()
        )
        if sent_back is not None:
            comments = (
                f"{sent_back.body.name}: {sent_back.get_outcome_display()} on "
                f"{sent_back.decided_on:%d %B %Y}. {sent_back.reasons}".strip()
            )
    else:
        due = datetime.date.fromisoformat(due_on) if due_on else due_for(body)
    return TaskInfo.objects.create(
        task=task, plan=plan, body=body, kind=kind, due_on=due, comments=comments
    )


# Finding a plan's process and tasks.


def _processes(plan: Plan) -> Any:
    from .flows import PlanApprovalFlow

    return Process.objects.filter(
        flow_class=PlanApprovalFlow,
        artifact_content_type=ContentType.objects.get_for_model(Plan),
        artifact_object_id=plan.pk,
    ).order_by("-pk")


def active_process(plan: Plan) -> Process | None:
    return _processes(plan).filter(status=PROCESS.NEW).first()


def latest_process(plan: Plan) -> Process | None:
    """The plan's most recent approval process, running or finished (for its chart)."""
    return _processes(plan).first()


def open_tasks(plan: Plan) -> Any:
    return Task.objects.filter(info__plan=plan, status__in=OPEN).select_related("info")


def awaited_decision_task(plan: Plan, body: Body, *, task: Task | None = None) -> Task | None:
    """The open task waiting for ``body``'s decision on ``plan``. A plan in a process only
    takes the decisions its process is waiting for: on an ordered route, the second board
    cannot decide before the first. ``task``, read with its process under the plan's lock
    (task_complete), is that task when it is an open decision task of ``body`` in the
    plan's running process."""
    if (
        task is not None and task.status in OPEN and task.info.kind in DECISION_KINDS
        and task.info.body_id == body.pk and task.info.plan_id == plan.pk
        and task.process.status == PROCESS.NEW
    ):
        return task
    if active_process(plan) is None:
        return None
    task = open_tasks(plan).filter(info__body=body, info__kind__in=DECISION_KINDS).first()
    if task is None:
        raise Conflict(f"No decision of {body.name} is awaited on this plan at the moment.")
    return task


# Hooks the lifecycle services call, inside their transaction, with the plan locked.


def on_submitted(plan: Plan, actor: AbstractBaseUser) -> None:
    """Start the approval process, or finish the redraft task of the running one."""
    from .flows import PlanApprovalFlow

    redraft = open_tasks(plan).filter(info__kind=TaskKind.REDRAFT).first()
    if redraft is None:
        PlanApprovalFlow.start.run(plan=plan)
        return
    with redraft.activation() as activation:
        if redraft.owner_id != actor.pk:
            if redraft.status == STATUS.NEW:
                activation.assign(actor)
            else:
                activation.reassign(user=actor)
        activation.start(None)
        activation.execute()


def on_decided(
    task: Task, actor: AbstractBaseUser, decision: Decision, *, fresh: bool = False
) -> None:
    """Complete the task the decision answers; a deferral re-queues it for the next meeting.
    ``fresh``: the task was read under the plan's lock in this step (task_activation)."""
    if decision.outcome == "deferred":
        with task_activation(task, fresh=fresh) as activation:
            _take(task, activation, actor)
            activation.requeue(due_on=due_for(decision.body, after=decision.decided_on))
        return
    complete_task(task, actor, fresh=fresh)


def _take(task: Task, activation: Any, actor: AbstractBaseUser) -> None:
    if task.status == STATUS.NEW:
        activation.assign(actor)
    elif task.owner_id != actor.pk:
        activation.reassign(user=actor)


@contextlib.contextmanager
def task_activation(task: Task, *, fresh: bool = False) -> Iterator[Any]:
    """``task.activation()``: the process's lock, and the task's activation. viewflow re-reads
    the task once the process is locked; a task read in this step under the plan's lock
    (``fresh``) is already what the process lock would show, since every door that changes a
    task locks its plan first (see the lock order above), so it is not read again."""
    if not fresh:
        with task.activation() as activation:
            yield activation
        return
    with task.flow_task.flow_class.lock(task.process_id):
        yield task.flow_task.activation_class(task)


def complete_task(task: Task, actor: AbstractBaseUser, *, fresh: bool = False) -> None:
    """Complete a human task as ``actor``; the flow moves on by the plan's stage."""
    with task_activation(task, fresh=fresh) as activation:
        _take(task, activation, actor)
        activation.start(None)
        activation.execute()


def open_task_of_kind(plan: Plan, kind: str) -> Task | None:
    return open_tasks(plan).filter(info__kind=kind).first()


def on_call_in_period_set(plan: Plan) -> None:
    """A "publication" council's notice was published: the call-in task is due at the end of
    the period, and its timer fires the day after."""
    process = active_process(plan)
    if process is None:
        return
    TaskInfo.objects.filter(
        plan=plan, kind=TaskKind.CALL_IN, task__status__in=OPEN
    ).update(due_on=plan.call_in_ends_on)
    process.task_set.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED).update(
        scheduled=call_in_deadline(plan)
    )


def on_adopted(plan: Plan) -> None:
    """Adoption by any door ends the process: an open call-in task and its timer go."""
    process = active_process(plan)
    if process is None:
        return
    cancelled = 0
    for task in process.task_set.filter(status__in=(*OPEN, STATUS.SCHEDULED)):
        activation = task.flow_task.activation_class(task)
        if activation.cancel.can_proceed():
            activation.cancel()
            cancelled += 1
    if cancelled:
        process.status = PROCESS.DONE
        process.finished = clock.now()
        process.save(update_fields=["status", "finished"])


def on_withdrawn(plan: Plan) -> None:
    from .flows import PlanApprovalFlow

    process = active_process(plan)
    if process is not None:
        PlanApprovalFlow.instance.cancel(process)


def adopt_from_flow(plan: Plan) -> None:
    from .services import plan_adopt

    if plan.stage == Stage.CALL_IN:
        plan_adopt(plan=plan, actor=None, reason="The call-in period ended without a call-in "
                   "request.")


# Services for people working their tasks (the API and the inbox pages call these).


def _task(task_id: int) -> Task:
    task = Task.objects.select_related("info", "info__body", "owner").filter(pk=task_id).first()
    if task is None or not hasattr(task, "info"):
        raise InvalidInput({"task": [f"No task has the id {task_id}."]})
    return task


# The plan of a task, found and locked in one statement; the task with its facts and process.
PLAN_OF_TASK = PlanFinder(
    lambda task: Subquery(TaskInfo.objects.filter(task_id=task).values("plan_id")[:1]))
_TASK = Prepared(lambda task: Task.objects.select_related(
    "info", "info__body", "owner", "process").filter(pk=task), task=int)


def _locked_task(task_id: int) -> tuple[Plan, Task]:
    """Lock the plan of the task (found and locked in one statement), then read the task, its
    facts and its process: a claim committed a moment ago is seen, so nobody works a task
    another person has just taken (claims lock the same plan row). The task's facts carry the
    locked plan."""
    try:
        plan = lock_plan(task_id, finder=PLAN_OF_TASK)
    except InvalidInput:
        raise InvalidInput({"task": [f"No task has the id {task_id}."]}) from None
    task = _TASK.first(task=task_id)
    if task is None or not hasattr(task, "info"):
        raise InvalidInput({"task": [f"No task has the id {task_id}."]})
    task.info.plan = plan
    return plan, task


def _task_snapshot(task: Task) -> dict[str, Any]:
    return {
        "status": task.status,
        "owner": task.owner.get_username() if task.owner_id else None,
        "kind": task.info.kind,
        "body": task.info.body.slug if task.info.body_id else None,
        "due_on": task.info.due_on,
    }


def _may_work(task: Task, user: Any) -> policy.Verdict:
    info = task.info
    if info.review_id is not None:
        from .reviews.routing import may_work

        return may_work(task, user)
    if info.kind in (TaskKind.REDRAFT, TaskKind.START_SUCCESSOR):
        return policy.can_lead(info.plan, user)
    if info.body is None:
        return policy.Verdict(False, "Nobody can take this task: the partnership has no body "
                                     "for it.")
    return policy.can_record_for(info.body, user)


@service
def task_claim(*, task_id: int, actor: AbstractBaseUser) -> Task:
    _, task = _locked_task(task_id)
    with task_activation(task, fresh=True) as activation:
        verdict = _may_work(task, actor)
        if not verdict:
            raise Forbidden(verdict.reason)
        if task.status != STATUS.NEW:
            holder = task.owner.get_username() if task.owner_id else "nobody"
            raise Conflict(f"This task is no longer open to claim (it is "
                           f"{status_word(task.status)}, held by {holder}).")
        before = _task_snapshot(task)
        task.assigned = clock.now()
        activation.assign(actor)  # one write of the task: its owner, status and time
        audit_record(actor=actor, action="task.claim", obj=task, plan_id=task.info.plan_id,
                     before=before, after=_task_snapshot(task))
    return task


@service
def task_reassign(
    *, task_id: int, actor: AbstractBaseUser, to: AbstractBaseUser, reason: str
) -> Task:
    """Hand a task to another secretary or a deputy. Needs a reason; audited."""
    if not reason.strip():
        raise InvalidInput({"reason": ["Say why the task is reassigned; the record keeps it."]})
    task = _task(task_id)
    lock_plan(task.info.plan_id)
    with task.activation() as activation:
        verdict = _may_work(task, actor)
        if not verdict:
            raise Forbidden(verdict.reason)
        if task.status not in OPEN:
            raise Conflict(f"This task is {status_word(task.status)}; it can no longer be "
                           "reassigned.")
        if not _may_work(task, to):
            raise InvalidInput({"to": [f"{to.get_username()} cannot take this task."]})
        before = _task_snapshot(task)
        if task.status == STATUS.NEW:
            activation.assign(to)
        else:
            activation.reassign(user=to)
        task.assigned = clock.now()
        task.save(update_fields=["assigned"])
        audit_record(actor=actor, action="task.reassign", obj=task, plan_id=task.info.plan_id,
                     before=before, after=_task_snapshot(task), reason=reason)
    return task


@service
def task_complete(*, task_id: int, actor: AbstractBaseUser, **decision: Any) -> Any:
    """Complete a task through the same service any other door uses: a decision task records
    the decision (workflows.decisions.decision_record); a call-in task records the members'
    request and a call-in outcome task the committee's outcome (workflows.callin); a redraft
    task is completed by submitting the new version (workflows.services.plan_submit)."""
    from .callin import call_in_outcome_record, call_in_request_record
    from .decisions import decision_record_locked
    from .services import plan_submit

    plan, task = _locked_task(task_id)
    if task.status not in OPEN:
        raise Conflict(f"This task is already {status_word(task.status)}.")
    if task.owner_id and task.owner_id != actor.pk:
        raise Conflict(f"{task.owner.get_username()} has claimed this task; it is theirs to "
                       "complete, or reassign it first.")
    if task.info.kind in REVIEW_DECISION_KINDS:
        if task.info.body is None:
            raise Forbidden("Nobody can complete this task: the partnership has no body for it.")
        return _review_task_complete(task, actor, decision)
    if task.info.review_id is not None:
        from .reviews.services import review_task_work

        return review_task_work(task=task, actor=actor, **decision)
    if task.info.kind == TaskKind.START_SUCCESSOR:
        from .successor import plan_start_successor

        return plan_start_successor(plan=plan, actor=actor,
                                    title=decision.get("title") or None)
    if task.info.kind == TaskKind.REDRAFT:
        return plan_submit(plan=plan, actor=actor, reason=decision.get("reasons", ""),
                           submitted_on=decision.get("submitted_on"))
    if task.info.body is None:
        raise Forbidden("Nobody can complete this task: the partnership has no body for it.")
    if task.info.kind == TaskKind.CALL_IN:
        return call_in_request_record(plan=plan, actor=actor, **decision)
    if task.info.kind == TaskKind.CALL_IN_OUTCOME:
        return call_in_outcome_record(plan=plan, actor=actor, **decision)
    # The decision is recorded on the plan and task locked and read here, with the checks
    # decision_record makes (its locked inner part), in this service's one transaction.
    return decision_record_locked(plan=plan, actor=actor, body=task.info.body, task=task,
                                  **decision)


# A review's decision and call-in tasks are answered by the same kinds of records, on the
# review (workflows.reviews.decisions, workflows.callin with ``review=``).
REVIEW_DECISION_KINDS = (
    TaskKind.REVIEW_BOARD_DECISION, TaskKind.REVIEW_EXECUTIVE_DECISION,
    TaskKind.REVIEW_CALL_IN, TaskKind.REVIEW_CALL_IN_OUTCOME,
)


def _review_task_complete(task: Task, actor: AbstractBaseUser, fields: dict[str, Any]) -> Any:
    from .callin import call_in_outcome_record, call_in_request_record
    from .reviews.decisions import review_decision_record

    info = task.info
    if info.kind == TaskKind.REVIEW_CALL_IN:
        return call_in_request_record(plan=info.plan, review=info.review, actor=actor, **fields)
    if info.kind == TaskKind.REVIEW_CALL_IN_OUTCOME:
        return call_in_outcome_record(plan=info.plan, review=info.review, actor=actor, **fields)
    return review_decision_record(review=info.review, actor=actor, body=info.body, **fields)


# Timers, fired by Celery beat against plangov's clock.


def due_timer_ids() -> list[int]:
    return list(
        Task.objects.filter(
            flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lte=clock.now()
        ).values_list("pk", flat=True)
    )


@service
def timer_fire(*, task_id: int) -> bool:
    task = Task.objects.filter(pk=task_id, status=STATUS.SCHEDULED).first()
    if task is None:
        return False  # fired or cancelled already: a redelivered message does nothing
    if task.process.artifact_content_type.model == "review":  # a review's call-in timer
        from .reviews.routing import lock_review

        lock_review(task.process.artifact_object_id)
    else:
        lock_plan(task.process.artifact_object_id)
    with task.activation() as activation:
        if task.status != STATUS.SCHEDULED or not activation.start.can_proceed():
            return False
        activation.start()
        activation.execute()
    return True


