"""Recording a body's decision on a review of a plan: the owning board's, then (for an annual
review) the executive's, under the same rules as a decision on a plan version
(workflows.decisions): who may record, the meeting and its quorum, dates in the order of
events, four eyes and the outcomes. The decision is a governance.Decision on the review (its
``version`` is empty), so it never counts as a version's approval; it moves the review's
lifecycle and never the plan's stage or adopted version.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from documents.models import Review, ReviewKind, ReviewStage
from documents.services import plan_snapshot
from governance import policy
from governance.audit import audit_record
from governance.models import AuditEvent, Body, Decision, DecisionOutcome
from plangov.errors import Forbidden, InvalidInput, WrongStage
from plangov.txn import service

from .. import chronology
from ..callin import call_in_period_end
from ..decisions import (
    _OUTCOMES_FOR,
    BOARD,
    EXECUTIVE,
    decision_create,
    decision_fields_checked,
    four_eyes,
)
from ..lifecycle import APPROVING, SENDING_BACK
from ..models import TaskKind
from .hooks import on_review_approved
from .lifecycle import ReviewLifecycle
from .routing import lock_review, open_review_task, review_task_complete
from .services import review_snapshot

_STAGE_FOR = {BOARD: ReviewStage.BOARD, EXECUTIVE: ReviewStage.EXECUTIVE}
# The executive approves or refuses a review; it does not endorse one to full council.
_OUTCOMES_FOR_REVIEW = {
    BOARD: frozenset(_OUTCOMES_FOR[BOARD]),
    EXECUTIVE: frozenset(_OUTCOMES_FOR[EXECUTIVE] - {DecisionOutcome.ENDORSED}),
}
TASK_KIND_FOR = {BOARD: TaskKind.REVIEW_BOARD_DECISION,
                 EXECUTIVE: TaskKind.REVIEW_EXECUTIVE_DECISION}


def decision_snapshot(review: Review) -> dict[str, Any]:
    """The review's governed state (workflows.reviews.services.review_snapshot) beside its
    plan's, which shows that a review's decision leaves the plan as it was."""
    return {**review_snapshot(review), "call_in_ends_on": review.call_in_ends_on,
            "approved_on": review.approved_on, "plan_state": plan_snapshot(review.plan)}


def text_digest(text: str) -> str:
    """A hash of free text, for the audit record (the text stays in the record it is in)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def review_deciding_role(review: Review, body: Body) -> str | None:
    """What part ``body`` plays in deciding ``review``: the plan's owning body is the board,
    the plan's executive decides an annual review after it; no other body decides a review."""
    plan = review.plan
    roles = []
    if body.pk == plan.owning_body_id:
        roles.append(BOARD)
    if body.pk == plan.executive_body_id and review.kind == ReviewKind.ANNUAL:
        roles.append(EXECUTIVE)
    if not roles:
        return None
    # A body that is both (a small partnership) decides as the stage asks.
    by_stage = [role for role in roles if _STAGE_FOR[role] == review.stage]
    return (by_stage or roles)[0]


def _stage_in(snapshot: Any) -> Any:
    if not isinstance(snapshot, dict):
        return None
    return snapshot.get("review_stage", snapshot.get("stage"))


def submitted_to_board(review: Review) -> tuple[int | None, datetime.date | None]:
    """Who submitted the review to the board this time, and on what day: the latest audit
    event on the review that moved it into the board stage, or (none found) its plan's lead
    officer, the only person who may submit it, and the day its stage last changed."""
    events = (
        AuditEvent.objects.filter(object_type=Review._meta.label_lower, object_id=str(review.pk))
        .order_by("-seq").only("actor_id", "created_at", "before", "after")
    )
    event = next((e for e in events if _stage_in(e.after) == ReviewStage.BOARD
                  and _stage_in(e.before) != ReviewStage.BOARD), None)
    day = (timezone.localdate(review.stage_changed_at)
           if review.stage == ReviewStage.BOARD and review.stage_changed_at else None)
    if event is not None:
        return event.actor_id, day or timezone.localdate(event.created_at)
    return review.plan.lead_officer_id, day


def _refuse_stage(review: Review, body: Body, role: str) -> None:
    wanted = ReviewStage(_STAGE_FOR[role]).label.lower()
    raise WrongStage(
        action="decision",
        stage=review.stage,
        stage_label=review.get_stage_display(),
        possible=ReviewLifecycle(review).possible_actions(),
        detail=(f"{body.name} decides on this review during {wanted}; the review is in "
                f"{review.get_stage_display().lower()}."),
    )


@service
def review_decision_record(
    *,
    review: Review,
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
    """Record the owning board's or the executive's decision on ``review``, taken at its
    meeting on ``decided_on``, and move the review on: the board's approval sends an annual
    review to the executive (and approves a six-month review); the executive's approval starts
    the call-in period when the plan is subject to call-in (or approves the review); a referral
    back or a rejection returns the review to drafting; a deferral re-queues the task for the
    body's next meeting. The plan's stage and adopted version never move."""
    review = lock_review(review.pk)
    plan = review.plan
    verdict = policy.can_record_for(body, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    role = review_deciding_role(review, body)
    if role is None:
        raise InvalidInput({"body": [
            f"{body.name} takes no decision on this review: the plan's owning body "
            "decides it, then (for an annual review) the plan's executive."
        ]})
    if review.stage != _STAGE_FOR[role]:
        _refuse_stage(review, body, role)
    meeting = decision_fields_checked(
        body=body, outcome=outcome, allowed=_OUTCOMES_FOR_REVIEW[role], decided_on=decided_on,
        attendance=attendance, votes=votes_for + votes_against + votes_abstaining,
    )
    submitter_id, submitted_on = submitted_to_board(review)
    chronology.review_decision(review=review, body=body, decided_on=decided_on,
                               submitted_on=submitted_on)
    four_eyes(plan, actor, role, outcome,
              submitted_by_id=submitter_id if role == BOARD else None,
              what="this review", whose="a review of their own plan")
    kind = TASK_KIND_FOR[role]
    task = open_review_task(review, kind)
    before = decision_snapshot(review)
    decision = decision_create(
        plan=plan,
        review=review,
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
    _apply(review, actor, role, decision)
    review.save()
    if outcome == DecisionOutcome.DEFERRED:
        if task is not None:
            from ..routing import on_decided

            on_decided(task, actor, decision)  # re-queued for the body's next meeting
    else:
        review_task_complete(review=review, kind=kind, actor=actor)
    if review.stage == ReviewStage.APPROVED:
        on_review_approved(review)
    audit_record(
        actor=actor,
        action="review.decision.record",
        obj=decision,
        plan_id=plan.pk,
        before=before,
        after={
            **decision_snapshot(review),
            "body": body.slug,
            "outcome": outcome,
            "decided_on": decided_on,
            "minute_reference": decision.minute_reference,
            "votes": [votes_for, votes_against, votes_abstaining],
            "reasons_sha256": text_digest(reasons),
        },
    )
    return decision


def _apply(review: Review, actor: AbstractBaseUser, role: str, decision: Decision) -> None:
    lifecycle = ReviewLifecycle(review)
    outcome = decision.outcome
    if outcome in SENDING_BACK:
        lifecycle.fire("refer_back", actor, enforce_permission=False)
    elif role == BOARD and outcome in APPROVING:
        lifecycle.fire("board_approve", actor, enforce_permission=False,
                       decided_on=decision.decided_on)
    elif role == EXECUTIVE and outcome in APPROVING:
        ends = call_in_period_end(review.plan, decision) if review.plan.subject_to_call_in \
            else None
        lifecycle.fire("executive_approve", actor, enforce_permission=False,
                       decided_on=decision.decided_on, call_in_ends_on=ends)


__all__ = ["decision_snapshot", "review_decision_record", "review_deciding_role",
           "submitted_to_board"]
