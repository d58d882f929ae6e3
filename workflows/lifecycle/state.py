"""Where a plan's current version stands with its bodies, and its call-ins: read by the
lifecycle's guards, the routing of approval tasks and the decision services."""

from __future__ import annotations

from dataclasses import dataclass, field

from documents.models import ApprovalStep, Plan
from governance.models import (
    Body,
    CallInOutcome,
    CallInOutcomeKind,
    CallInRequest,
    Decision,
    DecisionOutcome,
    latest_per_body,
)
from plangov import steps
from plangov.prepared import Prepared

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


@dataclass
class _Facts:
    """The rows an approval state is read from, kept for the step (plangov.steps)."""

    required: list[Body]
    decisions: list[Decision]  # on the current version, with their bodies
    # Decisions recorded in this step: no call-in request can be made on them yet.
    new: set[int] = field(default_factory=set)


# What every decision step reads of its plan's approval, compiled once (plangov.prepared).
_DECISIONS = Prepared(lambda plan, version: Decision.objects.filter(
    plan_id=plan, version_id=version).select_related("body"), plan=int, version=int)
_APPROVING = Prepared(lambda plan: Plan(pk=plan).approving_bodies.all(), plan=int)
_POSITIONS = Prepared(lambda plan: ApprovalStep.objects.filter(plan_id=plan).values_list(
    "body_id", "position"), plan=int)


def _facts(plan: Plan) -> _Facts:
    key = ("approval", plan.pk, plan.current_version_id)
    facts = steps.recall(key)
    if facts is None:
        decisions = (
            _DECISIONS.all(plan=plan.pk, version=plan.current_version_id)
            if plan.current_version_id is not None else []
        )
        facts = steps.remember(key, _Facts(required_bodies(plan), decisions))
    return facts


def required_bodies(plan: Plan) -> list[Body]:
    """The bodies whose approval the plan needs (read once a step)."""
    key = ("approving_bodies", plan.pk)
    bodies = steps.recall(key)
    if bodies is None:
        bodies = steps.remember(key, _APPROVING.all(plan=plan.pk))
    return bodies


def route_positions(plan: Plan) -> dict[int, int]:
    """Each approving body's position on the plan's approval route (read once a step)."""
    key = ("route", plan.pk)
    positions = steps.recall(key)
    if positions is None:
        positions = steps.remember(key, dict(_POSITIONS.all(plan=plan.pk)))
    return positions


def version_decisions(plan: Plan) -> list[Decision]:
    """The decisions on the plan's current version, with their bodies, in recording order
    (read once a step; a decision recorded in the step joins them: decision_recorded)."""
    return sorted(_facts(plan).decisions, key=lambda d: d.pk)


def decision_recorded(decision: Decision) -> None:
    """A decision was recorded in this step: the step's approval state counts it from now."""
    if decision.version_id is None:
        return  # a decision on a review: not part of a version's approval state
    facts = steps.recall(("approval", decision.plan_id, decision.version_id))
    if facts is not None:
        facts.decisions.append(decision)
        facts.new.add(decision.pk)


def approval_state(plan: Plan) -> ApprovalState:
    """Read in two queries the first time in a step, and from what the step read (with the
    decisions it recorded) after that."""
    facts = _facts(plan)
    if plan.current_version_id is None:
        return ApprovalState(missing=list(facts.required), executive=None,
                             executive_suspended=False)
    latest = latest_per_body(facts.decisions)
    missing = [
        body for body in facts.required
        if not (body.pk in latest and latest[body.pk].is_approving)
    ]
    executive = latest.get(plan.executive_body_id)
    suspended = executive is not None and executive.pk not in facts.new and (
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
