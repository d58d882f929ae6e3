"""Services that move a plan through its lifecycle. Views, the API, the admin, commands and
Celery tasks all call these, so every door enforces the same guards and writes the same audit.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, Max, OuterRef, Q

from documents.models import Plan, Review, ReviewStage, Stage
from documents.services import lock_plan, plan_save, plan_snapshot
from governance.audit import audit_record
from governance.consultation import services as consultation
from governance.models import CallInRequest, ConsultationRound, ConsultationStatus
from plangov import clock, steps
from plangov.errors import Conflict, InvalidInput
from plangov.txn import service

from . import chronology, routing
from .lifecycle import PlanLifecycle

Actor = AbstractBaseUser | None


def _move(
    plan: Plan,
    actor: Actor,
    action: str,
    reason: str,
    *,
    extra_after: dict[str, Any] | None = None,
    obj: Any = None,
    enforce_permission: bool = True,
    **kwargs: Any,
) -> Plan:
    """Lock, check, transition, save and audit. Callers are already inside @service. A plan
    the step has locked already (lock_plan), and passes here, is not locked and read again."""
    if steps.recall(("plan", plan.pk)) is not plan:
        plan = lock_plan(plan.pk)
    before = plan_snapshot(plan)
    PlanLifecycle(plan).fire(action, actor, enforce_permission=enforce_permission, **kwargs)
    plan_save(plan)
    audit_record(
        actor=actor,
        action=f"plan.{action}",
        obj=obj or plan,
        plan_id=plan.pk,
        before=before,
        after={**plan_snapshot(plan), **(extra_after or {})},
        reason=reason,
    )
    return plan


@service
def plan_start_consultation(
    *,
    plan: Plan,
    actor: Actor,
    reason: str = "",
    round: ConsultationRound | None = None,
    title: str = "",
    closes_on: datetime.date | None = None,
    opens_on: datetime.date | None = None,
) -> Plan:
    """Open a consultation round: ``round`` (set up with round_create, not yet open), or a new
    one made here from ``title`` and ``closes_on`` (the API's start_consultation action).

    The day it opened: ``opens_on`` if given; else the day of its opening time when that has
    come (the beat scan, or a round recorded after the event), so a late scan never moves it;
    else today, and its opening time becomes now (opened by hand before its time)."""
    plan = lock_plan(plan.pk)
    # The beat scan (no actor) opens a round the lead officer set up; anyone else must lead.
    enforce = not (actor is None and round is not None)
    # Check before creating the round, so a refused start leaves nothing behind.
    PlanLifecycle(plan).check("start_consultation", actor, enforce_permission=enforce)
    now = clock.now()
    if round is None:
        opens_on = opens_on or clock.today()
        chronology.consultation_opens(plan=plan, opens_on=opens_on, closes_on=closes_on)
        number = (plan.consultation_rounds.aggregate(n=Max("number"))["n"] or 0) + 1
        round = consultation.round_create(
            plan=plan, actor=actor, title=title.strip() or f"Consultation round {number}",
            opens_at=now if opens_on == clock.today() else consultation.start_of(opens_on),
            closes_at=consultation.end_of(closes_on) if closes_on else None,
            recorded=opens_on < clock.today(), version=plan.current_version,
        )
    round = ConsultationRound.objects.select_for_update().get(pk=round.pk)
    if round.plan_id != plan.pk:
        raise InvalidInput({"round": [f"Round {round.number} is not a round of this plan."]})
    if round.status != ConsultationStatus.DRAFT:
        raise Conflict(f"Consultation round {round.number} is already "
                       f"{round.get_status_display().lower()}.")
    if opens_on is None:
        due = round.opens_at is not None and round.opens_at <= now
        if due and (round.recorded or consultation.day_of(round.opens_at) == clock.today()):
            opens_on = consultation.day_of(round.opens_at)
        else:  # opened by hand before its time, or late (the plan was busy): it opens now
            opens_on, round.opens_at = clock.today(), now
    elif round.opens_at is None or consultation.day_of(round.opens_at) != opens_on:
        round.opens_at = now if opens_on == clock.today() else consultation.start_of(opens_on)
    chronology.consultation_opens(plan=plan, opens_on=opens_on, closes_on=round.closes_on)
    round.status = ConsultationStatus.OPEN
    round.opens_on = opens_on
    round.opened_at = now
    round.drafting_cycle = plan.drafting_cycle
    if round.version_id is None:
        round.version_id = plan.current_version_id
    round.save()
    return _move(
        plan,
        actor,
        "start_consultation",
        reason,
        enforce_permission=enforce,
        extra_after={"consultation_round": round.number, "opens_on": opens_on,
                     "closes_on": round.closes_on, "opens_at": round.opens_at,
                     "closes_at": round.closes_at, "recorded": round.recorded,
                     "drafting_cycle": plan.drafting_cycle},
    )


@service
def plan_close_consultation(
    *,
    plan: Plan,
    actor: Actor,
    reason: str = "",
    round: ConsultationRound | None = None,
    closed_on: datetime.date | None = None,
) -> Plan:
    """Close the open round (``round``, if named, must be it). The day it closed:
    ``closed_on`` if given; else the day of its closing time when that has come (the beat
    scan, or a round recorded after the event); else today, and its closing time becomes now
    (closed early). The event carries the count and digest of its responses."""
    plan = lock_plan(plan.pk)
    enforce = not (actor is None and round is not None)  # the beat scan, as above
    PlanLifecycle(plan).check("close_consultation", actor, enforce_permission=enforce)
    open_round = (
        ConsultationRound.objects.select_for_update()
        .filter(plan=plan, status=ConsultationStatus.OPEN).first()
    )
    if round is not None and (open_round is None or open_round.pk != round.pk):
        raise Conflict(f"Consultation round {round.number} is not the plan's open round.")
    now = clock.now()
    closes_at = open_round.closes_at if open_round else None
    if closed_on is None:
        if closes_at is not None and closes_at <= now:
            closed_on = consultation.day_of(closes_at)
        else:
            closed_on, closes_at = clock.today(), now
    elif closes_at is None or consultation.day_of(closes_at) != closed_on:
        closes_at = now if closed_on == clock.today() else consultation.end_of(closed_on)
    chronology.consultation_closes(plan=plan, closed_on=closed_on)
    extra: dict[str, Any] = {"closed_on": closed_on}
    if open_round is not None:
        extra.update({
            "consultation_round": open_round.number, "closes_at": closes_at,
            "responses": open_round.responses.count(),
            "responses_digest": consultation.responses_digest(open_round),
        })
    plan = _move(plan, actor, "close_consultation", reason, extra_after=extra,
                 enforce_permission=enforce)
    if open_round is not None:
        ConsultationRound.objects.filter(pk=open_round.pk).update(
            status=ConsultationStatus.CLOSED, closed_at=now, closed_on=closed_on,
            closes_at=closes_at, closes_on=consultation.day_of(closes_at),
        )
    return plan


@service
def round_record_held(*, round: ConsultationRound, actor: Actor, reason: str = "") -> Plan:
    """A round recorded after the event: open and close it with its own past dates (two
    acts, two events, one transaction: both or neither)."""
    if not round.recorded:
        raise Conflict(f"Consultation round {round.number} is run on plangov: open it, and it "
                       "closes at its closing time.")
    if round.closes_at is None or round.closes_at > clock.now():
        raise Conflict(f"Consultation round {round.number} has not closed yet; open it now and "
                       "it closes at its closing time.")
    plan = plan_start_consultation(plan=round.plan, round=round, actor=actor, reason=reason)
    return plan_close_consultation(plan=plan, round=round, actor=actor, reason=reason)


# The beat scan: rounds open and close by themselves at their times (workflows.tasks).


def rounds_due(now: datetime.datetime | None = None) -> tuple[list[int], list[int]]:
    """Rounds whose opening time has come while they are not yet open, and open rounds whose
    closing time has come (by plangov's clock)."""
    now = now or clock.now()
    to_open = ConsultationRound.objects.filter(
        status=ConsultationStatus.DRAFT, opens_at__lte=now, plan__stage=Stage.DRAFTING,
    ).order_by("opens_at", "pk").values_list("pk", flat=True)
    to_close = ConsultationRound.objects.filter(
        status=ConsultationStatus.OPEN, closes_at__lte=now,
    ).order_by("closes_at", "pk").values_list("pk", flat=True)
    return list(to_open), list(to_close)


@service
def round_open_due(*, round_id: int) -> bool:
    """Open the round if it is (still) due: compare and set under the plan's lock, so a second
    scan, or two racing, open it once. False when there was nothing to do."""
    return _round_act_if_due(round_id, ConsultationStatus.DRAFT, "opens_at",
                             plan_start_consultation, "The round opened at its opening time.")


@service
def round_close_due(*, round_id: int) -> bool:
    """Close the round if it is (still) open and its closing time has come; as above."""
    return _round_act_if_due(round_id, ConsultationStatus.OPEN, "closes_at",
                             plan_close_consultation, "The round closed at its closing time.")


def _round_act_if_due(round_id: int, status: str, time_field: str, act: Any,
                      reason: str) -> bool:
    """The beat scan's compare-and-set: under the plan's lock, act on the round only while it
    is still in ``status`` and its ``time_field`` has come."""
    round = ConsultationRound.objects.filter(pk=round_id).select_related("plan").first()
    if round is None:
        return False
    lock_plan(round.plan_id)
    round.refresh_from_db()
    due_at = getattr(round, time_field)
    if round.status != status or due_at is None or due_at > clock.now():
        return False
    act(plan=round.plan, round=round, actor=None, reason=reason)
    return True


@service
def plan_submit(
    *, plan: Plan, actor: Actor, reason: str = "", submitted_on: datetime.date | None = None
) -> Plan:
    """Submit the current version for approval, on ``submitted_on`` when it is recorded later
    (default today)."""
    plan = lock_plan(plan.pk)
    PlanLifecycle(plan).check("submit", actor)
    submitted_on = submitted_on or clock.today()
    chronology.submission(plan=plan, version=plan.current_version, submitted_on=submitted_on)
    plan = _move(plan, actor, "submit", reason, submitter=actor, submitted_on=submitted_on,
                 extra_after={"submitted_on": submitted_on})
    _link_revision(plan)
    routing.on_submitted(plan, actor)
    return plan


@service
def plan_adopt(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    plan = _move(plan, actor, "adopt", reason)
    routing.on_adopted(plan)
    return plan


@service
def plan_revise(
    *, plan: Plan, actor: Actor, review: Review | None = None, reason: str = ""
) -> Plan:
    """A review changed the priorities: a new drafting cycle while the plan stays adopted (the
    adopted version stays in force until the revision is adopted). ``review`` is that review;
    the version submitted in this cycle becomes its ``revision`` (plan_submit)."""
    extra: dict[str, Any] = {}
    if review is not None:
        problems = []
        if review.plan_id != plan.pk:
            problems.append("The review is of another plan.")
        elif review.stage == ReviewStage.WITHDRAWN:
            problems.append("The review was withdrawn.")
        elif not review.changes_priorities:
            problems.append("The review does not change the plan's priorities; record that it "
                            "does before revising the plan.")
        elif review.version_id != lock_plan(plan.pk).adopted_version_id:
            problems.append("The review is of an earlier adopted version.")
        if problems:
            raise InvalidInput({"review": problems})
        extra["review"] = review.pk
    return _move(plan, actor, "revise", reason, extra_after=extra)


def _link_revision(plan: Plan) -> None:
    """The version submitted in a revision is the revision of the reviews of the adopted
    version that change its priorities (their revision so far, if any, is a version
    submitted earlier in the cycle and referred back)."""
    if not plan.adopted_version_id or plan.current_version_id == plan.adopted_version_id:
        return
    adopted_number = plan.versions.filter(pk=plan.adopted_version_id).values_list(
        "number", flat=True).first() or 0
    Review.objects.filter(
        plan=plan, version_id=plan.adopted_version_id, changes_priorities=True,
    ).exclude(stage=ReviewStage.WITHDRAWN).filter(
        Q(revision__isnull=True) | Q(revision__number__gt=adopted_number)
    ).update(revision=plan.current_version_id)


@service
def plan_supersede(
    *, plan: Plan, actor: Actor, reason: str = "", successor: Plan | None = None
) -> Plan:
    if successor is not None and successor.pk == plan.pk:
        raise InvalidInput({"successor": ["A plan cannot supersede itself."]})
    extra = {"superseded_by": successor.pk if successor else None}
    plan = _move(plan, actor, "supersede", reason, extra_after=extra, successor=successor)
    from .successor import cancel_prompt

    cancel_prompt(plan)
    return plan


@service
def plan_withdraw(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    """Withdraw the plan; or, while an adopted plan is being revised, the revision: the plan
    is adopted again with its adopted version current, never withdrawn."""
    if not reason.strip():
        what = "revision" if plan.adopted_version_id else "plan"
        raise InvalidInput({"reason": [f"Say why the {what} is withdrawn; the record keeps it."]})
    plan = lock_plan(plan.pk)
    consulting = plan.stage == Stage.CONSULTATION
    plan = _move(plan, actor, "withdraw", reason)
    # A withdrawn plan consults nobody: an open round closes with it. Rounds are open only
    # in consultation (start_consultation opens one as the plan enters it; close_consultation
    # and withdraw, the only ways out, close it).
    if consulting:
        now = clock.now()
        ConsultationRound.objects.filter(plan=plan, status=ConsultationStatus.OPEN).update(
            status=ConsultationStatus.CLOSED, closed_at=now, closed_on=clock.today(),
            closes_at=now, closes_on=clock.today(),
        )
    routing.on_withdrawn(plan)
    return plan


# The API's plans/{id}/actions/{action}/ dispatches through this table.
PLAN_ACTIONS: dict[str, Callable[..., Plan]] = {
    "start_consultation": plan_start_consultation,
    "close_consultation": plan_close_consultation,
    "submit": plan_submit,
    "adopt": plan_adopt,
    "revise": plan_revise,
    "supersede": plan_supersede,
    "withdraw": plan_withdraw,
}


# The actions that take the date they happened, recorded later, and the service's name for it.
# The API's action input and the plan page call each of them ``on``.
ACTION_DATE_FIELDS: dict[str, str] = {
    "start_consultation": "opens_on",
    "close_consultation": "closed_on",
    "submit": "submitted_on",
}


def plans_due_for_adoption(on: datetime.date | None = None) -> list[int]:
    """Plans whose call-in period has run out without a call-in request."""
    day = on or clock.today()
    pending = CallInRequest.objects.filter(plan=OuterRef("pk"), outcome__isnull=True,
                                           decision__review=None)
    return list(
        Plan.objects.filter(stage=Stage.CALL_IN, call_in_ends_on__lt=day)
        .exclude(Exists(pending))
        .values_list("pk", flat=True)
    )
