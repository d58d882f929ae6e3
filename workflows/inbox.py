"""Inbox queries: which tasks a person sees. The API, the inbox pages and the benchmark read
these, so every door lists the same tasks.

Each answer is one queryset, built from subqueries on memberships rather than a loop over
bodies, so a page of tasks costs the same number of queries for 1 task or 10,000.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from governance import policy
from governance.models import BodyKind, Membership, Role
from plangov import clock

from .models import TaskKind

OPEN = (STATUS.NEW, STATUS.ASSIGNED)
# A call-in window is optional: never overdue.
OPTIONAL_KINDS = (TaskKind.CALL_IN, TaskKind.REVIEW_CALL_IN)
# Tasks the plan's lead officer (or deputy) works, not a body's secretary.
LEAD_KINDS = (TaskKind.REDRAFT, TaskKind.COMPILE_REVIEW, TaskKind.PROGRESS_REPORT,
              TaskKind.START_SUCCESSOR, TaskKind.EXTERNAL_SUBMISSION)
CLOSED = (STATUS.DONE, STATUS.CANCELED)

# A task's status in words, British spelling ("cancelled"; viewflow's value is CANCELED).
STATUS_WORDS = {STATUS.NEW: "in the queue", STATUS.ASSIGNED: "claimed", STATUS.DONE: "done",
                STATUS.CANCELED: "cancelled"}


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, str(status).lower().replace("canceled", "cancelled"))


class View:
    """The inbox tabs. ``OPEN`` is the default: mine and my queue together."""

    OPEN = "open"
    MINE = "mine"
    QUEUE = "queue"
    ARCHIVE = "archive"
    ALL = "all"  # every task, open or closed, that the person may see; for a plan's page

    choices = (OPEN, MINE, QUEUE, ARCHIVE, ALL)


def recordable_body_ids(user: Any) -> QuerySet[Membership]:
    """Bodies whose decisions ``user`` may record today (policy.can_record_for, in bulk)."""
    return (
        Membership.objects.current()
        .filter(Q(user=user) | Q(deputy=user))
        .filter(
            Q(role=Role.SECRETARY)
            | Q(role=Role.EXECUTIVE_MEMBER, body__kind=BodyKind.EXECUTIVE)
        )
        .values("body_id")
    )


def _leads_task_plan(user: Any) -> Q:
    """The task's plan is led by ``user``, or by someone ``user`` deputises for on the plan's
    owning body (policy.can_lead, in bulk)."""
    deputising = Membership.objects.current().filter(
        role=Role.LEAD_OFFICER,
        deputy=user,
        body_id=OuterRef("info__plan__owning_body_id"),
        user_id=OuterRef("info__plan__lead_officer_id"),
    )
    return Q(info__plan__lead_officer=user) | Q(Exists(deputising))


def workable(user: Any) -> Q:
    """Tasks ``user`` may claim or complete: a body's decision for its secretaries, deputies
    (and executive members for the executive); a redraft, a review's compiling, its external
    submission, a progress report or the start of a successor for the plan's lead officer; a
    progress report for its priority's lead."""
    redraft = Q(info__kind__in=LEAD_KINDS)
    report = Q(info__kind=TaskKind.PROGRESS_REPORT)
    return (~redraft & Q(info__body_id__in=recordable_body_ids(user))) | (
        redraft & _leads_task_plan(user)
    ) | (report & Q(owner=user))


def _visible_plan(user: Any) -> Q:
    """Tasks on plans ``user`` may see (policy.can_view_plan, in bulk)."""
    if policy.sees_every_partnership(user):
        return Q()
    member_of = policy.member_partnership_ids(user)
    return (Q(info__plan__lead_officer=user) | Q(info__plan__partnership_id__in=member_of)
            | Q(owner=user))


def tasks_by_ids(ids: list[int], tasks: QuerySet[Task] | None = None) -> list[Task]:
    """The tasks ``ids`` names, in that order, with what a list shows (``tasks``, by default
    base_queryset(), may add a prefetch). A page of a long list is read in two steps: its
    ids, sorted and cut from narrow rows, then these rows by id. At 10,000 open tasks the one
    wide read spent most of its time sorting whole rows with their relations."""
    found = {task.pk: task for task in (tasks if tasks is not None else base_queryset())
             .filter(pk__in=ids)} if ids else {}
    return [found[pk] for pk in ids if pk in found]


def base_queryset() -> QuerySet[Task]:
    """Tasks plangov knows about (not viewflow's gateways, starts or timers), with what a
    list shows fetched in the same query."""
    return (
        Task.objects.filter(info__isnull=False)
        .select_related("info", "info__plan", "info__body", "info__review", "owner")
        .order_by("info__due_on", "pk")
    )


def inbox(
    user: Any,
    *,
    view: str = View.OPEN,
    body: Any = None,
    plan: Any = None,
    overdue: bool | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Task]:
    """The tasks ``user`` sees on one inbox tab, narrowed by body, plan and overdue."""
    if not policy._is_person(user):
        return Task.objects.none()
    tasks = base_queryset()
    if view == View.MINE:
        tasks = tasks.filter(status=STATUS.ASSIGNED, owner=user)
    elif view == View.QUEUE:
        tasks = tasks.filter(workable(user), status=STATUS.NEW)
    elif view == View.OPEN:
        tasks = tasks.filter(
            Q(status=STATUS.ASSIGNED, owner=user) | (Q(status=STATUS.NEW) & workable(user))
        )
    elif view == View.ARCHIVE:
        tasks = tasks.filter(Q(owner=user) | workable(user), status__in=CLOSED).order_by(
            "-finished", "-pk"
        )
    elif view == View.ALL:
        tasks = tasks.filter(_visible_plan(user))
    else:
        raise ValueError(f"unknown inbox view {view!r}")
    if body is not None:
        tasks = tasks.filter(info__body=body)
    if plan is not None:
        tasks = tasks.filter(info__plan=plan)
    if overdue is not None:
        late = Q(status__in=OPEN, info__due_on__lt=today or clock.today()) & ~Q(
            info__kind__in=OPTIONAL_KINDS
        )
        tasks = tasks.filter(late) if overdue else tasks.exclude(late)
    return tasks


def is_overdue(task: Task, today: datetime.date | None = None) -> bool:
    """Past its due date and still open; a call-in window is optional, never overdue."""
    if task.info.kind in OPTIONAL_KINDS:
        return False
    return task.status in OPEN and task.info.due_on < (today or clock.today())
