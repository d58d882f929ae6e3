"""Celery tasks: thin, ids in, a service call, idempotent. Beat scans the database; nothing
relies on long ETAs."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.db import OperationalError
from viewflow.workflow.exceptions import FlowLockFailed

from documents.models import Plan, Stage
from plangov.errors import Conflict, InvalidInput

from . import deadlines, routing
from .services import plan_adopt, round_close_due, round_open_due, rounds_due

log = logging.getLogger(__name__)


@shared_task(name="workflows.tasks.fire_due_timers")
def fire_due_timers() -> int:
    """Beat: queue every workflow timer that is due by plangov's clock (the end of a call-in
    period, for one). Each fires in its own task, so one failure never blocks the rest."""
    due = routing.due_timer_ids()
    for task_id in due:
        fire_timer.delay(task_id)
    return len(due)


@shared_task(
    name="workflows.tasks.fire_timer",
    autoretry_for=(OperationalError, FlowLockFailed),
    retry_backoff=True,
    max_retries=5,
)
def fire_timer(task_id: int) -> str:
    try:
        fired = routing.timer_fire(task_id=task_id)
    except Conflict as exc:
        log.info("Timer %s not fired: %s", task_id, exc.detail)
        return "not fired"
    return "fired" if fired else "nothing to do"


# Kept for plans that reached call-in before the approval process existed: they have no timer.
@shared_task(name="workflows.tasks.scan_call_in_periods")
def scan_call_in_periods() -> int:
    fired = fire_due_timers()
    orphans = routing_free_due_plans()
    for plan_id in orphans:
        adopt_after_call_in.delay(plan_id)
    reviews = routing_free_due_reviews()
    for review_id in reviews:
        review_call_in_over.delay(review_id)
    return fired + len(orphans) + len(reviews)


def routing_free_due_plans() -> list[int]:
    from .services import plans_due_for_adoption

    return [
        pk for pk in plans_due_for_adoption()
        if routing.active_process(Plan(pk=pk)) is None
    ]


def routing_free_due_reviews() -> list[int]:
    """Reviews whose call-in period is over with no request and no process timer to end it
    (a process cancelled or never started): the beat's fallback."""
    from documents.models import Review

    from .reviews.callin import reviews_due_after_call_in
    from .reviews.routing import active_process

    return [pk for pk in reviews_due_after_call_in()
            if active_process(Review(pk=pk)) is None]


@shared_task(
    name="workflows.tasks.review_call_in_over",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def review_call_in_over(review_id: int) -> str:
    from .reviews.callin import review_call_in_period_over

    return "approved" if review_call_in_period_over(review_id=review_id) else "nothing to do"


@shared_task(
    name="workflows.tasks.adopt_after_call_in",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def adopt_after_call_in(plan_id: int) -> str:
    plan = Plan.objects.filter(pk=plan_id, stage=Stage.CALL_IN).first()
    if plan is None:
        return "nothing to do"  # adopted already, or called in: a redelivery is harmless
    try:
        plan_adopt(plan=plan, actor=None, reason="The call-in period ended without a call-in "
                   "request.")
    except Conflict as exc:
        log.info("Plan %s not adopted: %s", plan_id, exc.detail)
        return "not adopted"
    return "adopted"


# Deadlines: reminders and escalation (see workflows.deadlines for the never-twice design).


@shared_task(name="workflows.tasks.scan_deadlines")
def scan_deadlines() -> int:
    """Beat: write the reminders and escalations now due and queue each for sending."""
    pending = deadlines.deadlines_scan()
    for notification_id in pending:
        send_notification.delay(notification_id)
    return len(pending)


@shared_task(
    name="workflows.tasks.send_notification",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification(self: Any, notification_id: int) -> str:
    try:
        sent = deadlines.notification_send(notification_id=notification_id)
    except (smtplib.SMTPException, OSError) as exc:
        # The mail server failed us: give the claim back and try again later.
        deadlines.release_claim(notification_id)
        raise self.retry(exc=exc, countdown=60) from exc
    return "sent" if sent else "nothing to do"


# Consultation rounds open and close by themselves at their times.


@shared_task(name="workflows.tasks.scan_consultation_rounds")
def scan_consultation_rounds() -> int:
    """Beat: open every round whose opening time has come and close every open round whose
    closing time has come, by plangov's clock. Each is a compare-and-set under the plan's
    lock, so running the scan twice (or two scans racing) opens or closes a round once."""
    to_open, to_close = rounds_due()
    for round_id in to_open:
        open_consultation_round.delay(round_id)
    # A round recorded after the event opens on one scan and closes on the next.
    for round_id in to_close:
        close_consultation_round.delay(round_id)
    return len(to_open) + len(to_close)


@shared_task(
    name="workflows.tasks.open_consultation_round",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def open_consultation_round(round_id: int) -> str:
    try:
        opened = round_open_due(round_id=round_id)
    except (Conflict, InvalidInput) as exc:
        log.warning("Consultation round %s not opened: %s", round_id, exc.detail)
        return "not opened"
    return "opened" if opened else "nothing to do"


@shared_task(
    name="workflows.tasks.close_consultation_round",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def close_consultation_round(round_id: int) -> str:
    try:
        closed = round_close_due(round_id=round_id)
    except (Conflict, InvalidInput) as exc:
        log.warning("Consultation round %s not closed: %s", round_id, exc.detail)
        return "not closed"
    return "closed" if closed else "nothing to do"


# Annual reviews start by themselves on each adopted plan's review date.


@shared_task(name="workflows.tasks.scan_review_dates")
def scan_review_dates() -> int:
    """Beat: queue the start of the annual review of every adopted plan whose review date
    has come (by plangov's clock) and that has no annual review for that year."""
    from .reviews.services import review_dates_due

    due = review_dates_due()
    for plan_id in due:
        start_due_review.delay(plan_id)
    return len(due)


@shared_task(
    name="workflows.tasks.start_due_review",
    autoretry_for=(OperationalError, FlowLockFailed),
    retry_backoff=True,
    max_retries=5,
)
def start_due_review(plan_id: int) -> str:
    """Idempotent: the check under the plan's lock and the unique constraint start one review
    per plan and year, however often this runs."""
    from .reviews.services import review_start_due

    try:
        review = review_start_due(plan_id=plan_id)
    except InvalidInput as exc:
        log.warning("Review of plan %s not started: %s", plan_id, exc.detail)
        return "not started"
    return f"started review {review.pk}" if review is not None else "nothing to do"


# The end of a plan's period: its lead officer is prompted to start the successor.


@shared_task(name="workflows.tasks.scan_successor_prompts")
def scan_successor_prompts() -> int:
    """Beat: queue a prompt for every adopted plan whose period ends within
    PLANGOV_SUCCESSOR_PROMPT_MONTHS and whose lead officer has not been prompted yet. Each is
    a compare-and-set under the plan's lock (workflows.successor), so a second scan, or two
    racing, prompt once."""
    from .successor import plans_due_successor_prompt

    due = plans_due_successor_prompt()
    for plan_id in due:
        prompt_successor.delay(plan_id)
    return len(due)


@shared_task(
    name="workflows.tasks.prompt_successor",
    autoretry_for=(OperationalError, FlowLockFailed),
    retry_backoff=True,
    max_retries=5,
)
def prompt_successor(plan_id: int) -> str:
    from .successor import successor_prompt_if_due

    return "prompted" if successor_prompt_if_due(plan_id=plan_id) else "nothing to do"


# When someone leaves (issue 13, oidc): workflows.leavers.


@shared_task(name="workflows.tasks.scan_leavers")
def scan_leavers() -> int:
    """Beat: for each person whose roles have all ended or whose account is closed and who
    still holds a claimed task or an API token, queue their leaving."""
    from .leavers import leavers_to_act_on

    due = leavers_to_act_on()
    for user_id, reason in due:
        leave_person.delay(user_id, reason)
    return len(due)


@shared_task(
    name="workflows.tasks.leave_person",
    autoretry_for=(OperationalError, FlowLockFailed),
    retry_backoff=True,
    max_retries=5,
)
def leave_person(user_id: int, reason: str) -> str:
    from django.contrib.auth import get_user_model

    from .leavers import person_leave

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "nobody"
    done = person_leave(user=user, actor=None, reason=reason, only_if_holding=True)
    return "left" if done else "nothing to do"
