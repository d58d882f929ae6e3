"""Where a plan's current version stands with its bodies, and its call-ins: read by the
lifecycle's guards, the routing of approval tasks and the decision services."""

from __future__ import annotations

from dataclasses import dataclass

from documents.models import Plan
from governance.models import (
    Body,
    CallInOutcome,
    CallInOutcomeKind,
    CallInRequest,
    Decision,
    DecisionOutcome,
    latest_per_body,
)

APPROVING = DecisionOutcome.approving()
SENDING_BACK = frozenset({DecisionOutcome.REFERRED_BACK, DecisionOutcome.REJECTED})


@dataclass(frozen=True)
class ApprovalState:
    """Where the current version stands with its bodies, read in two queries."""

    missing: list[Body]
    executive: Decision | None
    # A call-in request on the executive's latest decision that is still waiting for the
    # committee, or whose outcome was not "no further action": the decision does not stand.
    executive_suspended: bool

    @property
    def all_bodies_approved(self) -> bool:
        return not self.missing

    @property
    def executive_approved(self) -> bool:
        return (
            self.executive is not None
            and self.executive.outcome in APPROVING
            and not self.executive_suspended
        )


def approval_state(plan: Plan) -> ApprovalState:
    required = list(plan.approving_bodies.all())
    if plan.current_version_id is None:
        return ApprovalState(missing=required, executive=None, executive_suspended=False)
    decisions = list(Decision.objects.filter(plan=plan, version_id=plan.current_version_id))
    latest = latest_per_body(decisions)
    missing = [
        body for body in required if not (body.pk in latest and latest[body.pk].is_approving)
    ]
    executive = latest.get(plan.executive_body_id)
    suspended = executive is not None and (
        CallInRequest.objects.filter(decision=executive)
        .exclude(outcome__outcome=CallInOutcomeKind.NO_FURTHER_ACTION)
        .exists()
    )
    return ApprovalState(missing, executive, suspended)


def pending_call_in(plan: Plan) -> CallInRequest | None:
    """The plan's call-in request still waiting for the scrutiny committee's outcome (on the
    executive's decision on a version: a call-in of a review's approval suspends the review,
    never the plan; see workflows.reviews.callin)."""
    return (
        CallInRequest.objects.filter(plan=plan, outcome__isnull=True, decision__review=None)
        .order_by("-pk").first()
    )


def reconsidered_after_call_in(plan: Plan) -> bool:
    """The executive is deciding again on this version because scrutiny referred its
    decision back: the new decision cannot be called in again (the usual constitution rule)."""
    return CallInOutcome.objects.filter(
        request__plan=plan,
        request__decision__version_id=plan.current_version_id,
        outcome=CallInOutcomeKind.REFERRED_TO_EXECUTIVE,
    ).exists()
