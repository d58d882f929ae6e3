"""Dates in the order of events: every rule about when a dated act may be said to have happened.

Any dated act (a plan started, a version written, a consultation round opened or closed, a
submission, a decision) may be recorded after the event with its real, past date, as councils
do when they record a decision days after the meeting or bring a plan onto plangov half-way
through. The dates must then follow the lifecycle, so the signed sign-off page and the decision
notices tell one consistent story. Each check reads the record (never writes) and raises
InvalidInput keyed by the field being recorded, naming both dates; the services call them, one
line each, once the act is otherwise allowed.

The orderings (also in the README, "Dates"):
- nothing is dated in the future;
- a version is not dated before the plan was started, nor before the previous version;
- a consultation round opens not before the plan was started, the current version was written,
  the previous round closed, or the last decision on the plan (which returned it to drafting);
  it closes not before it opened, and is planned to close not before it opens;
- a version is submitted not before it was written, the last consultation round closed, or the
  last decision on the plan;
- a decision on a version is not before the version was submitted, nor before the same body's
  earlier decisions on it (a deferral, then the decision); on an ordered route, not before the
  approvals of the bodies before it; the executive's, not before the last board approval it
  relies on (nor the scrutiny committee's referral of its earlier decision back to it); full
  council's, not before the executive's endorsement or a referral to full council. Call-in
  requests and the committee's outcome are dated in workflows.callin: a request within the
  period counted from the decision's own date, the outcome not before the request;
- a decision on a review (workflows.reviews.decisions) is not before the review was submitted
  to the board, nor before the same body's earlier decisions on it; the executive's, not
  before the board's approval of it (nor scrutiny's referral of its earlier decision back).
"""

from __future__ import annotations

import datetime

from documents.models import Plan, PlanVersion, Review
from governance.models import (
    Body,
    BodyKind,
    CallInOutcome,
    CallInOutcomeKind,
    ConsultationRound,
    ConsultationStatus,
    Decision,
    latest_per_body,
)
from plangov import clock
from plangov.errors import InvalidInput


def fmt(day: datetime.date) -> str:
    """A date as the signed documents print it: 6 March 2009."""
    return f"{day.day} {day:%B %Y}"


def _refuse(field: str, message: str) -> None:
    raise InvalidInput({field: [message]})


def _not_future(field: str, what: str, day: datetime.date) -> None:
    today = clock.today()
    if day > today:
        _refuse(field, f"{what} dated {fmt(day)} is in the future: today is {fmt(today)}.")


def _not_before(field: str, what: str, day: datetime.date,
                earlier: list[tuple[datetime.date | None, str]]) -> None:
    """Refuse ``day`` if it is before any of ``earlier`` (date, "what happened on it"), naming
    the latest of them: the event the act must follow."""
    broken = [(bound, event) for bound, event in earlier if bound is not None and day < bound]
    if broken:
        bound, event = max(broken, key=lambda item: item[0])
        _refuse(field, f"{what} dated {fmt(day)} is before {event} on {fmt(bound)}.")


def _last_decision(plan: Plan) -> tuple[datetime.date | None, str]:
    """The plan's latest decision on a version: whatever followed (a new version, a round, a
    submission) happened once the plan was back in drafting. Decisions on a review of the plan
    move the review, never the plan, so they are not among them."""
    decision = (
        Decision.objects.filter(plan=plan, version__isnull=False).select_related("body", "version")
        .order_by("-decided_on", "-pk").first()
    )
    if decision is None:
        return None, ""
    return decision.decided_on, (
        f"{decision.body.name} decided on version {decision.version.number} "
        f"({decision.get_outcome_display().lower()})"
    )


def _last_closed_round(plan: Plan) -> tuple[datetime.date | None, str]:
    last = (
        ConsultationRound.objects.filter(plan=plan, status=ConsultationStatus.CLOSED)
        .exclude(closed_on=None).order_by("-closed_on", "-number").first()
    )
    if last is None:
        return None, ""
    return last.closed_on, f"consultation round {last.number} closed"


def plan_started(*, created_on: datetime.date) -> None:
    _not_future("created_on", "A plan", created_on)


def version_written(*, plan: Plan, effective_on: datetime.date) -> None:
    what = "A new version"
    _not_future("effective_on", what, effective_on)
    previous = plan.versions.order_by("-number").first()
    _not_before("effective_on", what, effective_on, [
        (plan.created_on, "the plan was started"),
        (previous.effective_on if previous else None,
         f"version {previous.number} was written" if previous else ""),
        _last_decision(plan),
    ])


def consultation_opens(
    *, plan: Plan, opens_on: datetime.date, closes_on: datetime.date | None
) -> None:
    what = "A consultation round opening"
    _not_future("opens_on", what, opens_on)
    version = plan.current_version
    _not_before("opens_on", what, opens_on, [
        (plan.created_on, "the plan was started"),
        (version.effective_on if version else None,
         f"version {version.number}, the one consulted on, was written" if version else ""),
        _last_closed_round(plan),
        _last_decision(plan),
    ])
    if closes_on is not None and closes_on < opens_on:
        _refuse("closes_on", f"A consultation cannot close before it opens: the closing date "
                f"{fmt(closes_on)} is before the opening date {fmt(opens_on)}.")


def consultation_closes(*, plan: Plan, closed_on: datetime.date) -> None:
    what = "Closing the consultation"
    _not_future("closed_on", what, closed_on)
    open_round = plan.consultation_rounds.filter(status=ConsultationStatus.OPEN).first()
    if open_round is not None:
        _not_before("closed_on", what, closed_on, [
            (open_round.opens_on, f"consultation round {open_round.number} opened"),
        ])


def submission(*, plan: Plan, version: PlanVersion | None, submitted_on: datetime.date) -> None:
    what = "A submission"
    _not_future("submitted_on", what, submitted_on)
    if version is None:
        return  # the lifecycle's guard refuses it: there is nothing to submit
    _not_before("submitted_on", what, submitted_on, [
        (version.effective_on, f"version {version.number} was written"),
        _last_closed_round(plan),
        _last_decision(plan),
    ])


def _call_in_outcomes(version: PlanVersion, kind: str) -> list[CallInOutcome]:
    return list(
        CallInOutcome.objects.filter(request__decision__version=version, outcome=kind)
        .select_related("body")
    )


def decision(*, plan: Plan, body: Body, decided_on: datetime.date) -> None:
    """The rules for a body's decision on the plan's current version (which is submitted in
    every stage that takes decisions)."""
    version = plan.current_version
    if version is None or version.submitted_on is None:
        return
    what = f"{body.name}'s decision"
    from .lifecycle.state import required_bodies, route_positions, version_decisions

    decisions = version_decisions(plan)  # read once a step, with the approval state
    earlier: list[tuple[datetime.date | None, str]] = [
        (version.submitted_on, f"version {version.number} was submitted"),
    ]
    own = [d for d in decisions if d.body_id == body.pk]
    if own:
        last = max(own, key=lambda d: (d.decided_on, d.pk))
        earlier.append((last.decided_on, f"its earlier decision on version {version.number} "
                        f"({last.get_outcome_display().lower()})"))
    latest = latest_per_body(decisions)
    required = {b.pk for b in required_bodies(plan)}
    if body.pk in required:
        positions = route_positions(plan)
        mine = positions.get(body.pk)
        earlier += [
            (d.decided_on, f"{d.body.name}, before it on the approval route, approved version "
             f"{version.number}")
            for pk, d in latest.items()
            if pk in required and d.is_approving and mine is not None
            and positions.get(pk, mine) < mine
        ]
    elif body.pk == plan.executive_body_id:
        earlier += [
            (d.decided_on, f"{d.body.name} approved version {version.number}")
            for pk, d in latest.items() if pk in required and d.is_approving
        ]
        earlier += [
            (o.decided_on, f"{o.body.name} referred the executive's decision back to it")
            for o in _call_in_outcomes(version, CallInOutcomeKind.REFERRED_TO_EXECUTIVE)
        ]
    elif body.kind == BodyKind.FULL_COUNCIL:
        executive = latest.get(plan.executive_body_id)
        if executive is not None:
            earlier.append((executive.decided_on, f"{executive.body.name} decided"))
        earlier += [
            (o.decided_on, f"{o.body.name} referred the executive's decision to full council")
            for o in _call_in_outcomes(version, CallInOutcomeKind.REFERRED_TO_FULL_COUNCIL)
        ]
    _not_before("decided_on", what, decided_on, earlier)



def review_decision(
    *, review: Review, body: Body, decided_on: datetime.date,
    submitted_on: datetime.date | None,
) -> None:
    """The rules for a body's decision on a review: the board's not before the review was
    submitted to it (``submitted_on``), the executive's not before the board approved it;
    neither before the same body's earlier decision on it (a deferral, then the decision)."""
    what = f"{body.name}'s decision on the review"
    _not_future("decided_on", what, decided_on)
    decisions = list(Decision.objects.filter(review=review).select_related("body"))
    earlier: list[tuple[datetime.date | None, str]] = []
    own = [d for d in decisions if d.body_id == body.pk]
    if own:
        last = max(own, key=lambda d: (d.decided_on, d.pk))
        earlier.append((last.decided_on, f"its earlier decision on the review "
                        f"({last.get_outcome_display().lower()})"))
    if body.pk == review.plan.executive_body_id:
        latest = latest_per_body(decisions)
        earlier += [
            (d.decided_on, f"{d.body.name} approved the review")
            for pk, d in latest.items() if pk != body.pk and d.is_approving
        ]
        earlier += [
            (o.decided_on, f"{o.body.name} referred the executive's decision back to it")
            for o in CallInOutcome.objects.filter(
                request__decision__review=review,
                outcome=CallInOutcomeKind.REFERRED_TO_EXECUTIVE,
            ).select_related("body")
        ]
    else:
        earlier.append((submitted_on, "the review was submitted to the board"))
    _not_before("decided_on", what, decided_on, earlier)
