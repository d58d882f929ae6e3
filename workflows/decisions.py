"""Recording a body's decision, taken at a meeting, and moving the plan on from it.

It lives in workflows because a decision moves the lifecycle and the approval process; the
records it writes (Decision, Meeting) belong to governance, below."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from viewflow.workflow.models import Task

from documents.models import Plan, Stage
from documents.services import lock_plan, plan_save, plan_snapshot
from governance import policy
from governance.audit import audit_record
from governance.models import Body, BodyKind, Decision, DecisionOutcome, Meeting
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput, WrongStage
from plangov.prepared import Prepared
from plangov.txn import service

from . import chronology
from .lifecycle import APPROVING, SENDING_BACK, PlanLifecycle, approval_state
from .lifecycle.state import decision_recorded, required_bodies, version_decisions

BOARD, EXECUTIVE, FULL_COUNCIL = "board", "executive", "full_council"
_STAGE_FOR = {
    BOARD: Stage.PARTNERSHIP_APPROVAL,
    EXECUTIVE: Stage.EXECUTIVE_APPROVAL,
    FULL_COUNCIL: Stage.FULL_COUNCIL,
}
_OUTCOMES_FOR = {
    BOARD: {
        DecisionOutcome.APPROVED,
        DecisionOutcome.APPROVED_WITH_AMENDMENTS,
        DecisionOutcome.DEFERRED,
        DecisionOutcome.REFERRED_BACK,
        DecisionOutcome.REJECTED,
    },
    EXECUTIVE: {
        DecisionOutcome.APPROVED,
        DecisionOutcome.ENDORSED,
        DecisionOutcome.DEFERRED,
        DecisionOutcome.REFERRED_BACK,
        DecisionOutcome.REJECTED,
    },
    FULL_COUNCIL: {
        DecisionOutcome.APPROVED,
        DecisionOutcome.DEFERRED,
        DecisionOutcome.REFERRED_BACK,
    },
}


def deciding_role(plan: Plan, body: Body) -> str | None:
    """What part ``body`` plays in deciding ``plan``, if any."""
    if body.pk == plan.executive_body_id:
        return EXECUTIVE
    if any(required.pk == body.pk for required in required_bodies(plan)):
        return BOARD
    if body.kind == BodyKind.FULL_COUNCIL and body.partnership_id == plan.partnership_id:
        return FULL_COUNCIL
    return None


def four_eyes(
    plan: Plan, actor: Any, role: str, outcome: str, *, submitted_by_id: int | None,
    what: str = "this version", whose: str = "their own plan",
) -> None:
    """Nobody approves their own work: whoever submitted ``what`` (a version, or a review)
    cannot record an approving decision on it, and the plan's lead officer (or deputy) cannot
    record the executive's decision on ``whose``."""
    if outcome in APPROVING and submitted_by_id is not None and submitted_by_id == actor.pk:
        raise Forbidden(
            f"You submitted {what}, so its approval must be recorded by someone else."
        )
    if role == EXECUTIVE and policy.can_lead(plan, actor):
        raise Forbidden(
            "The plan's lead officer (or their deputy) cannot record the executive's decision "
            f"on {whose}."
        )


def _four_eyes(plan: Plan, actor: Any, role: str, outcome: str) -> None:
    version = plan.current_version
    four_eyes(plan, actor, role, outcome,
              submitted_by_id=version.submitted_by_id if version is not None else None)


def decision_fields_checked(
    *, body: Body, outcome: str, allowed: set[str] | frozenset[str], decided_on: datetime.date,
    attendance: int | None, votes: int,
) -> Meeting | None:
    """The checks every body's decision passes, on a version or on a review: an outcome the
    body can record, a date not in the future, and the meeting (attendance, votes, quorum to
    approve). Raises InvalidInput naming every field that is wrong; returns the meeting."""
    errors: dict[str, list[str]] = {}
    if outcome not in allowed:
        choices = ", ".join(sorted(allowed))
        errors["outcome"] = [f"{outcome!r} is not an outcome {body.name} can record: {choices}."]
    if decided_on > clock.today():
        errors["decided_on"] = ["A decision cannot be dated in the future."]
    meeting, meeting_errors = meeting_checked(
        body, decided_on, attendance, votes,
        quorum_needed_to="approve" if outcome in APPROVING else None,
    )
    errors.update(meeting_errors)
    if errors:
        raise InvalidInput(errors)
    return meeting


def decision_create(
    *, plan: Plan, body: Body, meeting: Meeting | None, actor: AbstractBaseUser,
    decided_on: datetime.date, outcome: str, **record: Any,
) -> Decision:
    """The Decision row, on ``version=`` or on ``review=`` (exactly one), its texts trimmed."""
    texts = ("minute_reference", "declarations_of_interest", "reasons",
             "alternatives_considered", "dispensations")
    decision = Decision.objects.create(
        plan=plan, body=body, meeting=meeting, decided_on=decided_on, outcome=outcome,
        recorded_by=actor, recorded_at=clock.now(),
        **{k: (v.strip() if k in texts else v) for k, v in record.items()},
    )
    decision_recorded(decision)  # the step's approval state counts it from now
    return decision


@service
def decision_record(
    *,
    plan: Plan,
    actor: AbstractBaseUser,
    body: Body,
    outcome: str,
    decided_on: datetime.date,
    attendance: int | None = None,
    minute_reference: str = "",
    votes_for: int = 0,
    votes_against: int = 0,
    votes_abstaining: int = 0,
    declarations_of_interest: str = "",
    reasons: str = "",
    alternatives_considered: str = "",
    dispensations: str = "",
) -> Decision:
    """Record a body's decision on the plan's current version, taken at its meeting on
    ``decided_on``, and apply what follows from it: a referral back returns the plan to
    drafting, the last required approval sends it to the executive, the executive's approval
    starts the call-in period (or adopts), its endorsement sends the plan to full council, and
    full council's approval adopts it. Call-in has its own records (workflows.callin)."""
    return decision_record_locked(
        plan=lock_plan(plan.pk), actor=actor, body=body, outcome=outcome,
        decided_on=decided_on, attendance=attendance, minute_reference=minute_reference,
        votes_for=votes_for, votes_against=votes_against, votes_abstaining=votes_abstaining,
        declarations_of_interest=declarations_of_interest, reasons=reasons,
        alternatives_considered=alternatives_considered, dispensations=dispensations,
    )


def decision_record_locked(
    *,
    plan: Plan,
    actor: AbstractBaseUser,
    body: Body,
    outcome: str,
    decided_on: datetime.date,
    task: Task | None = None,
    attendance: int | None = None,
    minute_reference: str = "",
    votes_for: int = 0,
    votes_against: int = 0,
    votes_abstaining: int = 0,
    declarations_of_interest: str = "",
    reasons: str = "",
    alternatives_considered: str = "",
    dispensations: str = "",
) -> Decision:
    """decision_record's work, inside a service's transaction, on the plan that service has
    locked (documents.services.lock_plan): the same checks, in the same order. ``task`` is the
    open decision task of ``body`` that the caller (workflows.routing.task_complete) read
    under that lock; without it, the task awaiting the decision is looked up."""
    verdict = policy.can_record_for(body, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    role = deciding_role(plan, body)
    if role is None:
        raise InvalidInput({"body": [f"{body.name} takes no decision on {plan.title}."]})
    if plan.stage != _STAGE_FOR[role]:
        raise WrongStage(
            action="decision",
            stage=plan.stage,
            stage_label=plan.get_stage_display(),
            possible=PlanLifecycle(plan).possible_actions(),
            detail=(
                f"{body.name} decides on this plan during "
                f"{Stage(_STAGE_FOR[role]).label.lower()}; the plan is in "
                f"{plan.get_stage_display().lower()}."
            ),
        )
    meeting = decision_fields_checked(
        body=body, outcome=outcome, allowed=_OUTCOMES_FOR[role], decided_on=decided_on,
        attendance=attendance, votes=votes_for + votes_against + votes_abstaining,
    )
    chronology.decision(plan=plan, body=body, decided_on=decided_on)
    _four_eyes(plan, actor, role, outcome)
    version = plan.current_version
    assert version is not None  # every stage that takes decisions has a submitted version
    if role == BOARD:
        own = [d for d in version_decisions(plan) if d.body_id == body.pk]
        if own and own[-1].is_approving:
            raise Conflict(f"{body.name} has already approved version {version.number}.")
    from . import routing

    task = routing.awaited_decision_task(plan, body, task=task)
    before = plan_snapshot(plan)
    decision = decision_create(
        plan=plan,
        version=version,
        body=body,
        meeting=meeting,
        actor=actor,
        decided_on=decided_on,
        outcome=outcome,
        minute_reference=minute_reference,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstaining=votes_abstaining,
        declarations_of_interest=declarations_of_interest,
        reasons=reasons,
        alternatives_considered=alternatives_considered,
        dispensations=dispensations,
    )
    _apply(plan, actor, role, decision)
    plan_save(plan)
    if task is not None:
        routing.on_decided(task, actor, decision, fresh=True)  # read under the plan's lock
    audit_record(
        actor=actor,
        action="decision.record",
        obj=decision,
        plan_id=plan.pk,
        before=before,
        after={
            **plan_snapshot(plan),
            "body": body.slug,
            "version": version.number,
            "outcome": outcome,
            "decided_on": decided_on,
            "minute_reference": decision.minute_reference,
            "votes": [votes_for, votes_against, votes_abstaining],
        },
        reason=reasons,
    )
    return decision


def meeting_checked(
    body: Body, day: datetime.date, attendance: int | None, votes: int, *,
    quorum_needed_to: str | None,
) -> tuple[Meeting | None, dict[str, list[str]]]:
    """The meeting of ``body`` on ``day`` (recorded now if it is new) and what is wrong with
    it for this decision: an attendance that disagrees with the record, more votes than members
    present, and, when ``quorum_needed_to`` says what the meeting did, too few present. Every
    decision taken at a meeting (a body's, the scrutiny committee's on a call-in) checks here."""
    meeting, errors = _meeting(body, day, attendance)
    if meeting is not None and votes > meeting.attendance:
        errors["votes_for"] = [
            f"{votes} votes were cast but only {meeting.attendance} members were present."
        ]
    if meeting is not None and quorum_needed_to and meeting.attendance < body.quorum:
        errors["attendance"] = [
            f"{body.name} was not quorate: {meeting.attendance} present, "
            f"its quorum is {body.quorum}. An inquorate meeting cannot {quorum_needed_to}."
        ]
    return meeting, errors


_MEETING = Prepared(lambda body, day: Meeting.objects.filter(body_id=body, date=day).order_by(
    "-date")[:1], body=int, day=datetime.date)


def _meeting(
    body: Body, day: datetime.date, attendance: int | None
) -> tuple[Meeting | None, dict[str, list[str]]]:
    meeting = _MEETING.first(body=body.pk, day=day)
    if meeting is None:
        if attendance is None:
            return None, {
                "attendance": [f"No meeting of {body.name} on {day} is recorded; give attendance."]
            }
        try:
            # Decisions taken at one meeting on different plans may be recorded at the same
            # moment (PostgreSQL; SQLite admits one writer at a time). The second to create
            # the meeting waits for the first, and then uses the first's meeting.
            with transaction.atomic():
                return Meeting.objects.create(body=body, date=day, attendance=attendance), {}
        except IntegrityError:
            meeting = Meeting.objects.get(body=body, date=day)
    if attendance is not None and attendance != meeting.attendance:
        return None, {
            "attendance": [
                f"The meeting of {body.name} on {day} is recorded with "
                f"{meeting.attendance} present, not {attendance}."
            ]
        }
    return meeting, {}


def _apply(plan: Plan, actor: AbstractBaseUser, role: str, decision: Decision) -> None:
    lifecycle = PlanLifecycle(plan)
    outcome = decision.outcome
    if outcome in SENDING_BACK:
        lifecycle.fire("refer_back", actor, enforce_permission=False)
    elif role == BOARD and outcome in APPROVING:
        if approval_state(plan).all_bodies_approved:
            lifecycle.fire("complete_partnership_approval", actor, enforce_permission=False)
    elif role == EXECUTIVE and outcome == DecisionOutcome.ENDORSED:
        lifecycle.fire("refer_to_full_council", actor, enforce_permission=False)
    elif role == EXECUTIVE and outcome in APPROVING:
        lifecycle.fire("executive_approve", actor, enforce_permission=False, decision=decision)
    elif role == FULL_COUNCIL and outcome in APPROVING:
        lifecycle.fire(
            "council_approve", actor, enforce_permission=False, decided_on=decision.decided_on
        )
