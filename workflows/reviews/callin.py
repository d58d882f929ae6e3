"""Call-in of the executive's approval of a review: the same records and rules as a plan's
(workflows.callin's services take a review, or a decision on one), with the review as what
the call-in moves. No further action approves the review on the committee's day; a referral
back returns it to the executive (whose new decision cannot be called in again); a review is
never referred to full council. With no request, the review is approved when the period ends
(``review_call_in_period_over``: the review flow's timer, and the beat's fallback).

The plan is never moved: its stage, adopted version and call-in period stay as they were.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef

from documents.models import Plan, Review, ReviewStage
from governance.audit import audit_record
from governance.models import CallInOutcomeKind, CallInRequest, Decision
from plangov import clock
from plangov.errors import InvalidInput, WrongStage
from plangov.txn import service

from ..callin import CallInSubject, call_in_period_end
from ..models import TaskKind
from .decisions import decision_snapshot
from .hooks import on_review_approved
from .lifecycle import ReviewLifecycle
from .routing import lock_review, on_review_call_in_period_set, open_review_task

_MOVE = {
    CallInOutcomeKind.NO_FURTHER_ACTION: "call_in_no_further_action",
    CallInOutcomeKind.REFERRED_TO_EXECUTIVE: "call_in_refer_back",
}


def awaited_review_decision(review: Review) -> Decision | None:
    """The executive's decision on ``review`` now open to call-in, if any."""
    if review.stage != ReviewStage.CALL_IN:
        return None
    return (
        Decision.objects.filter(review=review, body_id=review.plan.executive_body_id)
        .order_by("-pk").first()
    )


def pending_review_call_in(review: Review) -> CallInRequest | None:
    """The call-in request on the review's executive decision still waiting for the scrutiny
    committee's outcome."""
    return (
        CallInRequest.objects.filter(decision__review=review, outcome__isnull=True)
        .order_by("-pk").first()
    )


class ReviewCallIn(CallInSubject):
    """A review as the subject of a call-in (see workflows.callin.CallInSubject)."""

    task_kinds = {"request": TaskKind.REVIEW_CALL_IN, "outcome": TaskKind.REVIEW_CALL_IN_OUTCOME}

    def __init__(self, review: Review):
        super().__init__(review.plan)
        self.review = review
        self.review_id = review.pk

    @classmethod
    def locked(cls, review: Review, plan: Plan | None) -> ReviewCallIn:
        review = lock_review(review.pk)
        if plan is not None and plan.pk is not None and review.plan_id != plan.pk:
            raise InvalidInput({"review": [f"Review {review.pk} is not a review of this plan."]})
        return cls(review)

    @property
    def noun(self) -> str:
        return "review"

    @property
    def ends_on(self) -> datetime.date | None:
        return self.review.call_in_ends_on

    def in_call_in(self, what: str) -> None:
        review = self.review
        if review.stage != ReviewStage.CALL_IN:
            raise WrongStage(
                action=what,
                stage=review.stage,
                stage_label=review.get_stage_display(),
                possible=ReviewLifecycle(review).possible_actions(),
                detail=(f"A call-in is recorded during the call-in period; the review is in "
                        f"{review.get_stage_display().lower()}."),
            )

    def awaited(self) -> Decision | None:
        return awaited_review_decision(self.review)

    def pending(self) -> CallInRequest | None:
        return pending_review_call_in(self.review)

    def requests(self) -> Any:
        return CallInRequest.objects.filter(decision__review=self.review)

    def task(self, which: str) -> Any:
        return open_review_task(self.review, self.task_kinds[which])

    def refuse_outcome(self, outcome: str) -> str | None:
        if outcome == CallInOutcomeKind.REFERRED_TO_FULL_COUNCIL:
            return ("A review's approval is not referred to full council: take no further "
                    "action, or refer it back to the executive.")
        return None

    def moves(self) -> dict[str, str]:
        return _MOVE

    def lifecycle(self) -> Any:
        return ReviewLifecycle(self.review)

    def record(self) -> Any:
        return self.review

    def after_outcome(self, outcome: str, task: Any) -> None:
        if self.review.stage == ReviewStage.APPROVED:
            on_review_approved(self.review)

    def set_period_end(self, decision: Decision) -> bool:
        review = self.review
        if not (review.stage == ReviewStage.CALL_IN and review.call_in_ends_on is None
                and awaited_review_decision(review) == decision):
            return False
        review.call_in_ends_on = call_in_period_end(review.plan, decision)
        review.save(update_fields=["call_in_ends_on", "updated_at"])
        on_review_call_in_period_set(review)
        return True

    def snapshot(self) -> dict[str, Any]:
        return decision_snapshot(self.review)


def reviews_due_after_call_in(on: datetime.date | None = None) -> list[int]:
    """Reviews whose call-in period has run out without a call-in request waiting."""
    day = on or clock.today()
    pending = CallInRequest.objects.filter(decision__review=OuterRef("pk"),
                                           outcome__isnull=True)
    return list(
        Review.objects.filter(stage=ReviewStage.CALL_IN, call_in_ends_on__lt=day)
        .exclude(Exists(pending)).values_list("pk", flat=True)
    )


@service
def review_call_in_period_over(*, review_id: int) -> bool:
    """The review's call-in period ended with no request waiting: the executive's approval
    takes effect on the period's last day. Called by the review flow's timer and by the beat
    (a fallback); idempotent: False, and nothing done, when the review is not (or no longer)
    waiting for the end of its period."""
    review = lock_review(review_id)
    if (review.stage != ReviewStage.CALL_IN or review.call_in_ends_on is None
            or review.call_in_ends_on >= clock.today()
            or pending_review_call_in(review) is not None):
        return False
    before = decision_snapshot(review)
    ReviewLifecycle(review).fire("call_in_period_over", None, enforce_permission=False)
    review.save()
    on_review_approved(review)
    audit_record(
        actor=None,
        action="review.call_in_period_over",
        obj=review,
        plan_id=review.plan_id,
        before=before,
        after=decision_snapshot(review),
    )
    return True


__all__ = ["ReviewCallIn", "awaited_review_decision", "pending_review_call_in",
           "review_call_in_period_over", "reviews_due_after_call_in"]
