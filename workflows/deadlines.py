"""Deadlines: reminders before a task's due date, escalation once it has passed.

The beat scan (``deadlines_scan``) finds open tasks whose reminder or escalation is due and
writes one Notification row per (task, kind, due date); the unique constraint on those three
is what stops a second scan, or two scans racing, from writing a second row. A deferred
decision is a new task with a new due date, so it is reminded afresh.

Sending (``notification_send``) must never send one notification twice, even when Celery
redelivers its message after a worker died. It goes in three steps:

1. claim: ``pending → sending`` by compare-and-set, stamping ``claimed_at``. Only one worker
   can win; a redelivered message finds the row no longer pending and does nothing.
2. send the email, outside any transaction (SMTP can be slow; holding locks over it would
   stall every other writer).
3. ``sending → sent`` by compare-and-set on the same ``claimed_at``, with the audit event,
   in one transaction.

A worker killed between 1 and 2 leaves the row ``sending``: the scan puts it back to
``pending`` once the lease (``PLANGOV_NOTIFICATION_LEASE_SECONDS``) has run out, and the
next send delivers it. Only a death in the instant between the mail server accepting the
message and step 3 committing could send it again after the lease; every other failure
sends it exactly once.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from viewflow.workflow.models import Task

from governance.audit import audit_record
from governance.models import BodyKind, Membership, Role
from plangov import calendar, clock
from plangov.txn import service

from .inbox import OPEN
from .models import Notification, NotificationKind, NotificationStatus, TaskKind

log = logging.getLogger(__name__)


# What the scan writes; a prompt is written when its task is made (workflows.successor).
DEADLINE_KINDS = (NotificationKind.REMINDER, NotificationKind.ESCALATION)
AUDIT_ACTIONS = {NotificationKind.REMINDER: "task.remind", NotificationKind.ESCALATION:
                 "task.escalate", NotificationKind.PROMPT: "task.prompt"}
# Tasks of the plan's lead officer (or deputy), not of a body.
LEAD_KINDS = (TaskKind.REDRAFT, TaskKind.START_SUCCESSOR)
# Tasks that are reminded once and never escalated.
NEVER_OVERDUE = (TaskKind.CALL_IN, TaskKind.REVIEW_CALL_IN)


# Who hears about a task.


def _person(user: Any) -> dict[str, str]:
    return {"username": user.get_username(), "name": user.get_full_name() or
            user.get_username(), "email": user.email or ""}


def _people(users: list[Any]) -> list[dict[str, str]]:
    seen: dict[int, dict[str, str]] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = _person(user)
    return list(seen.values())


class _Roles:
    """Current memberships of the bodies in one scan, fetched in one query."""

    def __init__(self, body_ids: set[int], today: datetime.date):
        self.by_body: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        memberships = (
            Membership.objects.current(today)
            .filter(body_id__in=body_ids,
                    role__in=[Role.SECRETARY, Role.CHAIR, Role.EXECUTIVE_MEMBER,
                              Role.LEAD_OFFICER])
            .select_related("user", "deputy", "body")
        )
        for membership in memberships:
            self.by_body[membership.body_id][membership.role].append(membership)

    def holders(self, body_id: int | None, *roles: str, deputies: bool = True) -> list[Any]:
        people = []
        for role in roles:
            for membership in self.by_body.get(body_id or 0, {}).get(role, []):
                people.append(membership.user)
                if deputies and membership.deputy_id:
                    people.append(membership.deputy)
        return people

    def lead_and_deputy(self, plan: Any) -> list[Any]:
        deputies = [m.deputy for m in self.by_body.get(plan.owning_body_id, {}).get(
            Role.LEAD_OFFICER, []) if m.user_id == plan.lead_officer_id and m.deputy_id]
        return [plan.lead_officer, *deputies]


def _workers(task: Task, roles: _Roles) -> list[Any]:
    """Who is expected to do the task: its owner once claimed; else whoever may claim it."""
    if task.owner_id:
        return [task.owner]
    info = task.info
    if info.kind in LEAD_KINDS:
        return roles.lead_and_deputy(info.plan)
    kinds = [Role.SECRETARY]
    if info.body is not None and info.body.kind == BodyKind.EXECUTIVE:
        kinds.append(Role.EXECUTIVE_MEMBER)
    return roles.holders(info.body_id, *kinds)


def recipients(task: Task, kind: str, roles: _Roles) -> list[dict[str, str]]:
    people = _workers(task, roles)
    if kind == NotificationKind.ESCALATION:
        # Overdue: the body's chair and the plan's lead officer hear of it too.
        people += roles.holders(task.info.body_id, Role.CHAIR, deputies=False)
        people.append(task.info.plan.lead_officer)
    return _people(people)


# What the message says.


def _what(task: Task) -> str:
    info = task.info
    if info.review_id is not None:  # a review's task names the review
        return _review_what(task)
    if info.kind == TaskKind.REDRAFT:
        return f"the redraft of {info.plan.title}"
    body = info.body.name if info.body else "the body"
    return {
        TaskKind.BOARD_DECISION: f"{body}'s decision on {info.plan.title}",
        TaskKind.EXECUTIVE_DECISION: f"the {body}'s decision on {info.plan.title}",
        TaskKind.CALL_IN: f"any call-in of the executive's decision on {info.plan.title}",
        TaskKind.CALL_IN_OUTCOME: f"{body}'s outcome on the call-in of {info.plan.title}",
        TaskKind.FULL_COUNCIL_DECISION: f"{body}'s decision on {info.plan.title}",
    }.get(info.kind, f"{info.get_kind_display()} for {info.plan.title}")


def _review_what(task: Task) -> str:
    info = task.info
    review = info.review.title
    body = info.body.name if info.body else "the body"
    if info.kind == TaskKind.PROGRESS_REPORT:
        return f"the progress report on '{task.seed.priority_title}' for the {review}"
    return {
        TaskKind.COMPILE_REVIEW: f"the compiling of the {review}",
        TaskKind.SCRUTINY_FEEDBACK: f"{body}'s feedback on the {review}",
        TaskKind.REVIEW_BOARD_DECISION: f"{body}'s decision on the {review}",
        TaskKind.REVIEW_EXECUTIVE_DECISION: f"the {body}'s decision on the {review}",
        TaskKind.REVIEW_CALL_IN: f"any call-in of the executive's decision on the {review}",
        TaskKind.REVIEW_CALL_IN_OUTCOME: f"{body}'s outcome on the call-in of the {review}",
    }.get(info.kind, f"{info.get_kind_display()} for the {review}")


def message(task: Task, kind: str, today: datetime.date) -> tuple[str, str]:
    info = task.info
    due = f"{info.due_on:%A} {info.due_on.day} {info.due_on:%B %Y}"
    link = f"{settings.PLANGOV_SITE_URL}/tasks/{task.pk}/"
    holder = (f"It is claimed by {task.owner.get_full_name() or task.owner.get_username()}."
              if task.owner_id else "Nobody has claimed it yet.")
    if info.kind == TaskKind.CALL_IN:
        subject = f"Reminder: the call-in period for {info.plan.title} ends on {due}"
        opening = (f"The executive's decision on {info.plan.title} can be called in until the "
                   f"end of {due}. If members ask for a call-in, record their request; if "
                   "nobody does, there is nothing to do and the decision takes effect when the "
                   "period ends.")
    elif kind == NotificationKind.REMINDER:
        subject = f"Reminder: {_what(task)} is due on {due}"
        opening = f"This is a reminder that {_what(task)} is due on {due}."
    else:
        late = calendar.working_days_between(info.due_on, today,
                                             partnership=info.plan.partnership)
        days = f"{late} working day{'s' if late != 1 else ''}"
        subject = f"Overdue: {_what(task)} was due on {due}"
        opening = (f"{_what(task)[0].upper()}{_what(task)[1:]} was due on {due} and is "
                   f"{days} overdue.")
    lines = [
        opening,
        "",
        f"Task: {info.get_kind_display()}",
        f"Plan: {info.plan.title}",
    ]
    if info.review_id is not None:
        lines.append(f"Review: {info.review.title}")
    if info.body is not None:
        lines.append(f"Body: {info.body.name}")
    footer = ("You receive this because of your role in the partnership. A call-in is "
              "optional: plangov reminds you once of the period and never reports it overdue."
              if info.kind == TaskKind.CALL_IN else
              "You receive this because of your role in the partnership. plangov sends one "
              "reminder before a task is due and one notice when it is overdue.")
    lines += [f"Due: {due}", holder, "", f"Open the task: {link}", "", footer]
    return subject, "\n".join(lines)


# The scan.


def _due_tasks(kind: str, today: datetime.date) -> Any:
    already = Notification.objects.filter(
        task_id=OuterRef("pk"), kind=kind, due_on=OuterRef("info__due_on")
    )
    tasks = (
        Task.objects.filter(status__in=OPEN, info__isnull=False)
        .exclude(Exists(already))
        .select_related("info", "info__plan", "info__plan__lead_officer", "info__body",
                        "info__review",
                        "owner", "info__plan__partnership")
        .prefetch_related("info__plan__partnership__closure_days")
    )
    if kind == NotificationKind.REMINDER:
        horizon = calendar.add_working_days(today, settings.PLANGOV_REMINDER_WORKING_DAYS)
        # A call-in period that has not started (its notice unpublished) has no end to remind.
        return tasks.filter(info__due_on__gte=today, info__due_on__lte=horizon).exclude(
            info__kind=TaskKind.CALL_IN, info__plan__call_in_ends_on__isnull=True
        ).exclude(info__kind=TaskKind.REVIEW_CALL_IN, info__review__call_in_ends_on__isnull=True)
    # A call-in window is optional: an unused one is normal, never "overdue".
    return tasks.filter(info__due_on__lt=today).exclude(info__kind__in=NEVER_OVERDUE)


def deadlines_scan(*, today: datetime.date | None = None) -> list[int]:
    """Write the notifications now due; put back any whose sender died; return the ids of
    every notification waiting to be sent."""
    today = today or clock.today()
    now = clock.now()
    due = [(task, kind) for kind in DEADLINE_KINDS for task in _due_tasks(kind, today)]
    if due:
        roles = _Roles(
            {task.info.body_id for task, _ in due if task.info.body_id}
            | {task.info.plan.owning_body_id for task, _ in due},
            today,
        )
        rows = []
        for task, kind in due:
            subject, body = message(task, kind, today)
            rows.append(Notification(
                task=task, kind=kind, due_on=task.info.due_on, recipients=recipients(
                    task, kind, roles), subject=subject, body=body, created_at=now,
            ))
        # ignore_conflicts: a scan racing this one may have written some of these already;
        # the unique constraint keeps one row per (task, kind, due date).
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    lease = datetime.timedelta(seconds=settings.PLANGOV_NOTIFICATION_LEASE_SECONDS)
    stale = Notification.objects.filter(status=NotificationStatus.SENDING,
                                        claimed_at__lt=now - lease)
    revived = stale.update(status=NotificationStatus.PENDING, claimed_at=None)
    if revived:
        log.warning("%s notification(s) claimed by a worker that never finished: re-queued.",
                    revived)
    return list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .order_by("pk").values_list("pk", flat=True)
    )


# Sending.


def _claim(notification_id: int) -> datetime.datetime | None:
    claimed_at = clock.now()
    won = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, claimed_at=claimed_at)
    return claimed_at if won else None


@service
def _mark_sent(*, notification: Notification, claimed_at: datetime.datetime) -> bool:
    sent_at = clock.now()
    done = Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.SENDING, claimed_at=claimed_at
    ).update(status=NotificationStatus.SENT, sent_at=sent_at)
    if not done:
        return False  # the lease ran out and another worker took it over
    task = notification.task
    audit_record(
        actor=None,
        action=AUDIT_ACTIONS[notification.kind],
        obj=notification,
        plan_id=task.info.plan_id,
        before={"status": NotificationStatus.SENDING},
        after={"status": NotificationStatus.SENT, "task": task.pk, "kind": notification.kind,
               "due_on": notification.due_on,
               "recipients": [r["username"] for r in notification.recipients]},
    )
    return True


def notification_send(*, notification_id: int) -> bool:
    """Send one notification, at most once (see the module's docstring). Returns whether
    this call sent it. Recipients without an email address are kept on the record but not
    mailed."""
    claimed_at = _claim(notification_id)
    if claimed_at is None:
        return False  # sent, being sent, or unknown: a redelivered message does nothing
    notification = Notification.objects.select_related("task__info").get(pk=notification_id)
    addresses = [r["email"] for r in notification.recipients if r.get("email")]
    if addresses:
        EmailMessage(subject=notification.subject, body=notification.body,
                     from_email=settings.DEFAULT_FROM_EMAIL, to=addresses).send()
    else:
        log.warning("Notification %s has no recipient with an email address.", notification.pk)
    return _mark_sent(notification=notification, claimed_at=claimed_at)


def release_claim(notification_id: int) -> None:
    """The email could not be sent (a transient failure): let a retry claim it again."""
    with transaction.atomic():
        Notification.objects.filter(
            Q(pk=notification_id), Q(status=NotificationStatus.SENDING)
        ).update(status=NotificationStatus.PENDING, claimed_at=None)
