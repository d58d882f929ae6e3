"""Call-in, as English councils run it (Local Government Act 2000, s9F, and the council's
constitution).

An executive decision cannot be implemented for a set number of working days
(``PLANGOV_CALL_IN_WORKING_DAYS``) counted from the decision's day or from the publication of
its decision notice (``PLANGOV_CALL_IN_STARTS``). Within that period councillors may request a
call-in, with reasons; the scrutiny committee's secretary records it and the decision is
suspended. The committee then meets and takes no further action (the decision takes effect
that day), refers it back to the executive (which reconsiders it; the new decision cannot be
called in again) or, where the constitution allows, refers it to full council. With no
request, the decision takes effect when the period ends.

Everything here is keyed to the executive Decision, so any executive decision can be called
in; the plan is what the decision moves.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from documents.models import Plan, Stage
from documents.services import lock_plan, plan_snapshot
from governance import policy
from governance.audit import audit_record
from governance.models import (
    Body,
    CallInOutcome,
    CallInOutcomeKind,
    CallInRequest,
    Decision,
)
from plangov import calendar, clock
from plangov.errors import Conflict, Forbidden, GuardFailed, InvalidInput, WrongStage
from plangov.txn import service

from . import routing
from .lifecycle import PlanLifecycle, approval_state, pending_call_in
from .models import TaskKind

STARTS_ON_DECISION, STARTS_ON_PUBLICATION = "decision", "publication"


def _day(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# The period. Every reading of the calendar for call-in is in call_in_period_end.


def call_in_period_start(decision: Decision) -> datetime.date | None:
    """The day the period counts from: the decision's own day, or the day its notice was
    published; None while a "publication" council's notice is unpublished."""
    if settings.PLANGOV_CALL_IN_STARTS == STARTS_ON_PUBLICATION:
        return decision.published_on
    return decision.decided_on


def call_in_period_end(plan: Plan, decision: Decision) -> datetime.date | None:
    """The last working day on which ``decision`` can be called in, or None if its period has
    not started. The one place that counts call-in's working days."""
    start = call_in_period_start(decision)
    if start is None:
        return None
    return calendar.add_working_days(
        start, settings.PLANGOV_CALL_IN_WORKING_DAYS, partnership=plan.partnership
    )


def awaited_decision(plan: Plan) -> Decision | None:
    """The executive decision on ``plan`` now open to call-in, if any."""
    if plan.stage != Stage.CALL_IN:
        return None
    return approval_state(plan).executive


def names_digest(names: list[str]) -> str:
    """A hash of the requesters' names, for the audit record (the names stay out of it)."""
    canonical = json.dumps(sorted(names), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _scrutiny(plan: Plan, actor: Any) -> Body:
    body = routing.scrutiny_body(plan)
    if body is None:
        raise GuardFailed(
            f"{plan.partnership.name} has no scrutiny committee to record call-ins."
        )
    verdict = policy.can_record_for(body, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    return body


def _in_call_in(plan: Plan, what: str) -> None:
    if plan.stage != Stage.CALL_IN:
        raise WrongStage(
            action=what,
            stage=plan.stage,
            stage_label=plan.get_stage_display(),
            possible=PlanLifecycle(plan).possible_actions(),
            detail=(
                f"A call-in is recorded during the call-in period; the plan is in "
                f"{plan.get_stage_display().lower()}."
            ),
        )


def clean_names(requesters: list[str] | str) -> list[str]:
    """One name per line (text) or per item (a list); blanks dropped, repeats once."""
    if isinstance(requesters, str):
        requesters = requesters.splitlines()
    names = [" ".join(str(name).split()) for name in requesters]
    return list(dict.fromkeys(name for name in names if name))


class CallInSubject:
    """What a call-in moves: the plan, by the executive's decision on its current version.
    workflows.reviews.callin.ReviewCallIn is the other kind, a review of the plan by the
    executive's decision on the review; the services below read only this interface."""

    task_kinds = {"request": TaskKind.CALL_IN, "outcome": TaskKind.CALL_IN_OUTCOME}

    def __init__(self, plan: Plan):
        self.plan = plan

    review_id: int | None = None

    @property
    def noun(self) -> str:
        return "plan"

    @property
    def ends_on(self) -> datetime.date | None:
        return self.plan.call_in_ends_on

    def in_call_in(self, what: str) -> None:
        _in_call_in(self.plan, what)

    def awaited(self) -> Decision | None:
        return awaited_decision(self.plan)

    def pending(self) -> CallInRequest | None:
        return pending_call_in(self.plan)

    def requests(self) -> Any:
        return CallInRequest.objects.filter(plan=self.plan, decision__version__isnull=False)

    def task(self, which: str) -> Any:
        return routing.open_task_of_kind(self.plan, self.task_kinds[which])

    def refuse_outcome(self, outcome: str) -> str | None:
        if (outcome == CallInOutcomeKind.REFERRED_TO_FULL_COUNCIL
                and not self.plan.partnership.call_in_may_refer_to_full_council):
            return (f"{self.plan.partnership.name}'s constitution does not let the scrutiny "
                    "committee refer a called-in decision to full council.")
        return None

    def moves(self) -> dict[str, str]:
        return _MOVE

    def lifecycle(self) -> Any:
        return PlanLifecycle(self.plan)

    def record(self) -> Any:
        return self.plan

    def move(self, outcome: str, actor: Any, decided_on: datetime.date) -> None:
        """Fire the outcome's transition on the subject's lifecycle and save the subject."""
        kwargs = {"decided_on": decided_on} if outcome == CallInOutcomeKind.NO_FURTHER_ACTION \
            else {}
        self.lifecycle().fire(self.moves()[CallInOutcomeKind(outcome)], actor,
                              enforce_permission=False, **kwargs)
        self.record().save()

    def after_outcome(self, outcome: str, task: Any) -> None:
        if task is None and outcome == CallInOutcomeKind.NO_FURTHER_ACTION:
            routing.on_adopted(self.plan)

    def set_period_end(self, decision: Decision) -> bool:
        """A "publication" council's notice of the awaited decision starts the period."""
        plan = self.plan
        if not (plan.stage == Stage.CALL_IN and plan.call_in_ends_on is None
                and awaited_decision(plan) == decision):
            return False
        plan.call_in_ends_on = call_in_period_end(plan, decision)
        plan.save(update_fields=["call_in_ends_on", "updated_at"])
        routing.on_call_in_period_set(plan)
        return True

    def snapshot(self) -> dict[str, Any]:
        return plan_snapshot(self.plan)


def _subject(
    plan: Plan | None, *, review: Any = None, decision: Decision | None = None,
    request: CallInRequest | None = None,
) -> CallInSubject:
    """The locked subject of a call-in: a review when one is given, or when the decision (or
    the request's decision) is on a review; the plan otherwise. Locks the plan (and the
    review) first."""
    if review is None and request is not None and request.decision.review_id is not None:
        review = request.decision.review
    if review is None and decision is not None and decision.review_id is not None:
        review = decision.review
    if review is not None:
        from .reviews.callin import ReviewCallIn

        return ReviewCallIn.locked(review, plan)
    assert plan is not None
    return CallInSubject(lock_plan(plan.pk))


@service
def call_in_request_record(
    *,
    plan: Plan | None,
    actor: AbstractBaseUser,
    requesters: list[str] | str,
    reasons: str,
    requested_on: datetime.date,
    by_scrutiny_chair: bool = False,
    decision: Decision | None = None,
    review: Any = None,
) -> CallInRequest:
    """Record members' request to call in the executive decision awaiting call-in on
    ``plan`` (or on ``review`` of it, or the one ``decision`` names, which may be on a
    review), made on ``requested_on`` (within the period). The decision is then suspended
    until the scrutiny committee records its outcome."""
    subject = _subject(plan, review=review, decision=decision)
    plan = subject.plan
    _scrutiny(plan, actor)
    subject.in_call_in("call_in_request")
    awaited = subject.awaited()
    assert awaited is not None  # the call-in stage follows an executive decision
    if decision is not None and decision.pk != awaited.pk:
        raise InvalidInput({"decision": [
            f"Decision {decision.pk} is not the executive decision open to call-in on this "
            f"{subject.noun} (that is decision {awaited.pk})."
        ]})
    pending = subject.pending()
    if pending is not None:
        raise Conflict(
            f"The decision was already called in (request {pending.number}, "
            f"{pending.requested_on:%d %B %Y}); the scrutiny committee's outcome is awaited."
        )
    starts = call_in_period_start(awaited)
    ends = subject.ends_on
    if starts is None or ends is None:
        raise Conflict(
            "The call-in period has not started: the executive's decision notice has not been "
            "published yet."
        )
    # A request made within the period may be recorded after it (a record replayed after the
    # fact), as long as the plan has not been adopted meanwhile: its date is what counts.
    today = clock.today()
    names = clean_names(requesters)
    partnership = plan.partnership
    errors: dict[str, list[str]] = {}
    chair_alone = by_scrutiny_chair and partnership.call_in_by_scrutiny_chair
    needed = partnership.call_in_members_needed
    if not chair_alone and len(names) < needed:
        rule = " or the scrutiny committee's chair" if partnership.call_in_by_scrutiny_chair \
            else ""
        errors["requesters"] = [
            f"{partnership.name} needs {needed} members{rule} to call a decision in; "
            f"{len(names)} {'is' if len(names) == 1 else 'are'} named."
        ]
    if chair_alone and not names:
        errors["requesters"] = ["Name the scrutiny committee's chair who requested it."]
    if not reasons.strip():
        errors["reasons"] = ["Give the members' reasons for the call-in; the record keeps them."]
    if requested_on > today:
        errors["requested_on"] = ["A call-in request cannot be dated in the future."]
    elif requested_on < awaited.decided_on or requested_on > ends:
        errors["requested_on"] = [
            f"A call-in is requested between the executive decision of "
            f"{_day(awaited.decided_on)} and the end of the call-in period on {_day(ends)}; "
            f"{_day(requested_on)} is outside it."
        ]
    if errors:
        raise InvalidInput(errors)
    task = subject.task("request")
    before = subject.snapshot()
    request = CallInRequest.objects.create(
        decision=awaited,
        plan=plan,
        number=CallInRequest.objects.filter(plan=plan).count() + 1,
        requesters=names,
        by_scrutiny_chair=by_scrutiny_chair,
        reasons=reasons.strip(),
        requested_on=requested_on,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    if task is not None:
        routing.complete_task(task, actor)
    audit_record(
        actor=actor,
        action="call_in.request",
        obj=request,
        plan_id=plan.pk,
        before=before,
        after={
            **subject.snapshot(),
            "decision": awaited.pk,
            "number": request.number,
            "requested_on": requested_on,
            "requesters": len(names),
            "requesters_sha256": names_digest(names),
            "by_scrutiny_chair": by_scrutiny_chair,
        },
        reason=request.reasons,
    )
    return request


_MOVE = {
    CallInOutcomeKind.NO_FURTHER_ACTION: "call_in_no_further_action",
    CallInOutcomeKind.REFERRED_TO_EXECUTIVE: "call_in_refer_back",
    CallInOutcomeKind.REFERRED_TO_FULL_COUNCIL: "refer_to_full_council",
}


@service
def call_in_outcome_record(
    *,
    plan: Plan | None,
    actor: AbstractBaseUser,
    outcome: str,
    decided_on: datetime.date,
    number: int | None = None,
    review: Any = None,
    attendance: int | None = None,
    minute_reference: str = "",
    votes_for: int = 0,
    votes_against: int = 0,
    votes_abstaining: int = 0,
    declarations_of_interest: str = "",
    reasons: str = "",
) -> CallInOutcome:
    """Record the scrutiny committee's outcome on the plan's pending call-in request (or on
    the pending request on ``review``, or request ``number``, which may be on a review),
    taken at its meeting on ``decided_on``, and apply it: no further action adopts the plan
    (approves the review) that day; a referral back returns it to the executive; a referral
    to full council (where the constitution allows, and never for a review) sends it there."""
    from .decisions import meeting_checked

    chosen = None
    if number is not None:
        chosen = (CallInRequest.objects.filter(plan_id=plan.pk, number=number)
                  .select_related("decision", "decision__review").first()
                  if plan is not None else None)
        if chosen is None:
            raise InvalidInput({"number": [f"This plan has no call-in request {number}."]})
    subject = _subject(plan, review=review, request=chosen)
    plan = subject.plan
    body = _scrutiny(plan, actor)
    request = subject.pending()
    if chosen is not None:
        if chosen.decision.review_id != subject.review_id:
            raise InvalidInput({"number": [
                f"Call-in request {number} is not on the executive's decision on this "
                f"{subject.noun}."
            ]})
        chosen = CallInRequest.objects.filter(pk=chosen.pk).select_related("outcome").first()
        assert chosen is not None
        if hasattr(chosen, "outcome"):
            raise Conflict(
                f"The scrutiny committee's outcome on call-in request {number} is recorded "
                "already."
            )
        request = chosen
    if request is None:
        raise Conflict("No call-in request is waiting for the scrutiny committee's outcome.")
    subject.in_call_in("call_in_outcome")
    errors: dict[str, list[str]] = {}
    if outcome not in CallInOutcomeKind.values:
        errors["outcome"] = [f"Choose one of: {', '.join(CallInOutcomeKind.values)}."]
    elif (refused := subject.refuse_outcome(outcome)) is not None:
        errors["outcome"] = [refused]
    if decided_on > clock.today():
        errors["decided_on"] = ["A decision cannot be dated in the future."]
    elif decided_on < request.requested_on:
        errors["decided_on"] = [
            f"The committee's meeting of {_day(decided_on)} is before the call-in request of "
            f"{_day(request.requested_on)}."
        ]
    meeting, meeting_errors = meeting_checked(
        body, decided_on, attendance, votes_for + votes_against + votes_abstaining,
        quorum_needed_to="decide a call-in",
    )
    errors.update(meeting_errors)
    if errors:
        raise InvalidInput(errors)
    task = subject.task("outcome")
    before = subject.snapshot()
    recorded = CallInOutcome.objects.create(
        request=request,
        body=body,
        meeting=meeting,
        decided_on=decided_on,
        outcome=outcome,
        minute_reference=minute_reference.strip(),
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstaining=votes_abstaining,
        declarations_of_interest=declarations_of_interest.strip(),
        reasons=reasons.strip(),
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    subject.move(outcome, actor, decided_on)
    if task is not None:
        routing.complete_task(task, actor)
    subject.after_outcome(outcome, task)
    audit_record(
        actor=actor,
        action="call_in.outcome",
        obj=recorded,
        plan_id=plan.pk,
        before=before,
        after={
            **subject.snapshot(),
            "request": request.number,
            "decision": request.decision_id,
            "outcome": outcome,
            "decided_on": decided_on,
            "minute_reference": recorded.minute_reference,
            "votes": [votes_for, votes_against, votes_abstaining],
        },
        reason=reasons,
    )
    return recorded


@service
def decision_publish(
    *, decision: Decision, actor: AbstractBaseUser, published_on: datetime.date
) -> Decision:
    """Record the day an executive decision's notice was published (after the fact, with
    its real date). Where the call-in period runs from publication, it starts now (on the
    plan, or on the review the decision is on)."""
    decision = Decision.objects.select_related("body", "review").get(pk=decision.pk)
    subject = _subject(Plan(pk=decision.plan_id), decision=decision)
    plan = subject.plan
    verdict = policy.can_record_for(decision.body, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if decision.body_id != plan.executive_body_id:
        raise InvalidInput({"decision": [
            f"{decision.body.name}'s decisions are not executive decisions; only the "
            "executive's notices start a call-in period."
        ]})
    if decision.published_on is not None:
        raise Conflict(
            f"The notice of this decision was recorded as published on "
            f"{_day(decision.published_on)}."
        )
    if published_on > clock.today():
        raise InvalidInput({"published_on": ["A notice cannot be published in the future."]})
    if published_on < decision.decided_on:
        raise InvalidInput({"published_on": [
            f"The notice of {_day(published_on)} cannot come before the decision of "
            f"{_day(decision.decided_on)}."
        ]})
    before = subject.snapshot()
    decision.published_on = published_on
    decision.save(update_fields=["published_on"])
    subject.set_period_end(decision)
    audit_record(
        actor=actor,
        action="decision.publish",
        obj=decision,
        plan_id=plan.pk,
        before=before,
        after={**subject.snapshot(), "decision": decision.pk, "published_on": published_on},
    )
    return decision
