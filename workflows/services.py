"""Services that move a plan through its lifecycle. Views, the API, the admin, commands and
Celery tasks all call these, so every door enforces the same guards and writes the same audit.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef

from documents.models import Plan, Stage
from documents.services import lock_plan, plan_snapshot
from governance.audit import audit_record
from governance.models import CallInRequest, ConsultationRound, ConsultationStatus
from plangov import clock
from plangov.errors import InvalidInput
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
    **kwargs: Any,
) -> Plan:
    """Lock, check, transition, save and audit. Callers are already inside @service."""
    plan = lock_plan(plan.pk)
    before = plan_snapshot(plan)
    PlanLifecycle(plan).fire(action, actor, **kwargs)
    plan.save()
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
    title: str = "",
    closes_on: datetime.date | None = None,
    opens_on: datetime.date | None = None,
) -> Plan:
    """Open a consultation round, on ``opens_on`` when it is recorded later (default today)."""
    plan = lock_plan(plan.pk)
    number = plan.consultation_rounds.count() + 1
    # Check before creating the round, so a refused start leaves nothing behind.
    PlanLifecycle(plan).check("start_consultation", actor)
    opens_on = opens_on or clock.today()
    chronology.consultation_opens(plan=plan, opens_on=opens_on, closes_on=closes_on)
    ConsultationRound.objects.create(
        plan=plan,
        number=number,
        title=title.strip() or f"Consultation round {number}",
        opens_on=opens_on,
        closes_on=closes_on,
    )
    return _move(
        plan,
        actor,
        "start_consultation",
        reason,
        extra_after={"consultation_round": number, "opens_on": opens_on, "closes_on": closes_on},
    )


@service
def plan_close_consultation(
    *, plan: Plan, actor: Actor, reason: str = "", closed_on: datetime.date | None = None
) -> Plan:
    """Close the open round, on ``closed_on`` when it is recorded later (default today)."""
    plan = lock_plan(plan.pk)
    PlanLifecycle(plan).check("close_consultation", actor)
    closed_on = closed_on or clock.today()
    chronology.consultation_closes(plan=plan, closed_on=closed_on)
    plan = _move(plan, actor, "close_consultation", reason, extra_after={"closed_on": closed_on})
    ConsultationRound.objects.filter(plan=plan, status=ConsultationStatus.OPEN).update(
        status=ConsultationStatus.CLOSED, closed_at=clock.now(), closed_on=closed_on
    )
    return plan


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
    routing.on_submitted(plan, actor)
    return plan


@service
def plan_adopt(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    plan = _move(plan, actor, "adopt", reason)
    routing.on_adopted(plan)
    return plan


@service
def plan_start_review(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    return _move(plan, actor, "start_review", reason)


@service
def plan_conclude_review(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    return _move(plan, actor, "conclude_review", reason)


@service
def plan_revise(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    return _move(plan, actor, "revise", reason)


@service
def plan_supersede(
    *, plan: Plan, actor: Actor, reason: str = "", successor: Plan | None = None
) -> Plan:
    if successor is not None and successor.pk == plan.pk:
        raise InvalidInput({"successor": ["A plan cannot supersede itself."]})
    extra = {"superseded_by": successor.pk if successor else None}
    return _move(plan, actor, "supersede", reason, extra_after=extra, successor=successor)


@service
def plan_withdraw(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    if not reason.strip():
        raise InvalidInput({"reason": ["Say why the plan is withdrawn; the record keeps it."]})
    plan = _move(plan, actor, "withdraw", reason)
    # A withdrawn plan consults nobody: an open round closes with it.
    ConsultationRound.objects.filter(plan=plan, status=ConsultationStatus.OPEN).update(
        status=ConsultationStatus.CLOSED, closed_at=clock.now(), closed_on=clock.today()
    )
    routing.on_withdrawn(plan)
    return plan


# The API's plans/{id}/actions/{action}/ dispatches through this table.
PLAN_ACTIONS: dict[str, Callable[..., Plan]] = {
    "start_consultation": plan_start_consultation,
    "close_consultation": plan_close_consultation,
    "submit": plan_submit,
    "adopt": plan_adopt,
    "start_review": plan_start_review,
    "conclude_review": plan_conclude_review,
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
    pending = CallInRequest.objects.filter(plan=OuterRef("pk"), outcome__isnull=True)
    return list(
        Plan.objects.filter(stage=Stage.CALL_IN, call_in_ends_on__lt=day)
        .exclude(Exists(pending))
        .values_list("pk", flat=True)
    )
