"""Services for plans and their versions. Each runs in one transaction, locks the plan row,
checks permission and stage, and writes exactly one audit event."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from governance import policy
from governance.audit import audit_record
from governance.models import Body, BodyKind, Partnership
from plangov import clock, steps, text
from plangov.errors import Forbidden, InvalidInput, WrongStage
from plangov.prepared import Prepared
from plangov.txn import service

from .content import ContentInvalid, content_hash, normalise
from .models import ApprovalRoute, ApprovalStep, Plan, PlanKind, PlanVersion, Stage

EDITABLE_STAGES = frozenset({Stage.DRAFTING, Stage.CONSULTATION})


def _chronology() -> Any:
    # The ordering rules live in workflows.chronology, which builds on documents.
    from workflows import chronology

    return chronology


# Read with the plan: its versions and executive, and its partnership (whose calendar dates
# the tasks the step makes, kept for the step under ("partnership", id)).
PLAN_RELATED = ("current_version", "adopted_version", "executive_body", "partnership")


class PlanFinder:
    """How a step finds the plan it locks: by its id, or through a row that names it (the plan
    of a task, say: ``where`` turns the key into a subquery of the plan's id). Both reads are
    prepared (plangov.prepared): compiled once, then only run."""

    def __init__(self, where: Callable[[Any], Any] = lambda key: key) -> None:
        self.lock = Prepared(lambda key: Plan.objects.select_for_update().filter(
            pk=where(key)).values_list("pk", flat=True), key=int)
        self.read = Prepared(lambda key: Plan.objects.select_related(*PLAN_RELATED).filter(
            pk=where(key)), key=int)


BY_ID = PlanFinder()


def lock_plan(plan_id: Any, *, finder: PlanFinder = BY_ID) -> Plan:
    """Fetch the plan under a row lock (a no-op on SQLite, whose IMMEDIATE transaction
    already holds the database's write lock).

    The lock is taken by a query of the plan row alone, and the plan is read with its
    relations only once the lock is held. A PostgreSQL ``SELECT ... FOR UPDATE`` that joins
    other tables and has to wait re-reads the locked row as the writer before it left it,
    but re-checks the join against the rows it saw before waiting: a plan whose
    ``current_version`` moved meanwhile comes back with no current version at all.

    The locked plan is remembered for the rest of the step (plangov.steps), so what the step
    calls (the approval flow's gateways, the routing helpers) reads this instance, moved and
    saved by the service, rather than the row again.

    ``plan_id`` is the plan's id (or the plan), or with ``finder`` the key of the row that
    names it (a task's id, with routing's finder): the plan is then found and locked in one
    statement."""
    key = plan_id.pk if isinstance(plan_id, Plan) else plan_id
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    plan = None
    if isinstance(key, int):
        if connection.features.has_select_for_update:
            locked = finder.lock.first(key=key)
            plan = None if locked is None else BY_ID.read.first(key=locked)
        else:  # SQLite: the transaction holds the write lock already; one read is enough
            plan = finder.read.first(key=key)
    if plan is None:
        named = f"the id {key}" if isinstance(key, int) else "that reference"
        raise InvalidInput({"plan": [f"No plan has {named}."]})
    plan._as_locked = _values(plan)  # type: ignore[attr-defined]
    steps.remember(("partnership", plan.partnership_id), plan.partnership)
    return steps.remember(("plan", plan.pk), plan)


def _values(plan: Plan) -> dict[str, Any]:
    return {f.attname: getattr(plan, f.attname) for f in plan._meta.concrete_fields}


def plan_save(plan: Plan) -> None:
    """Save the fields the step changed on the plan it locked (lock_plan), and its
    ``updated_at``; a plan not read by lock_plan is saved whole."""
    locked = getattr(plan, "_as_locked", None)
    if locked is None:
        plan.save()
        return
    now = _values(plan)
    changed = [name for name, value in now.items() if locked.get(name) != value]
    plan.save(update_fields=[*changed, "updated_at"])
    plan._as_locked = _values(plan)  # type: ignore[attr-defined]


def step_plan(plan_id: int) -> Plan:
    """The plan this step locked (lock_plan), or else read now."""
    return steps.recall(("plan", plan_id)) or Plan.objects.select_related(
        *PLAN_RELATED).get(pk=plan_id)


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The plan's governed state, as recorded before and after each change."""
    return {
        "stage": plan.stage,
        "current_version": plan.current_version.number if plan.current_version_id else None,
        "adopted_version": plan.adopted_version.number if plan.adopted_version_id else None,
        "call_in_ends_on": plan.call_in_ends_on.isoformat() if plan.call_in_ends_on else None,
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None,
    }


@service
def plan_create(
    *,
    actor: AbstractBaseUser,
    partnership: Partnership,
    title: str,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    owning_body: Body,
    lead_officer: AbstractBaseUser,
    approving_bodies: Sequence[Body],
    executive_body: Body,
    subject_to_call_in: bool = True,
    approval_route: str = ApprovalRoute.JOINT,
    created_on: datetime.date | None = None,
) -> Plan:
    """Create a plan. ``created_on`` is the date it was started, for a plan brought onto
    plangov part-way through (default: today)."""
    verdict = policy.can_create_plan(partnership.pk, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["A plan needs a title."]
    elif (refused := text.text_error(title)) is not None:
        errors["title"] = [refused]
    if kind not in PlanKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(PlanKind.values)}."]
    if period_end <= period_start:
        errors["period_end"] = ["The period must end after it starts."]
    for field, body in (("owning_body", owning_body), ("executive_body", executive_body)):
        if body.partnership_id != partnership.pk:
            errors[field] = [f"{body.name} is not a body of {partnership.name}."]
    if executive_body.kind != BodyKind.EXECUTIVE:
        errors.setdefault("executive_body", []).append(
            f"{executive_body.name} is not an executive."
        )
    if approval_route not in ApprovalRoute.values:
        errors["approval_route"] = [f"Choose one of: {', '.join(ApprovalRoute.values)}."]
    if not approving_bodies:
        errors["approving_bodies"] = ["Name at least one body whose approval the plan needs."]
    for body in approving_bodies:
        if body.partnership_id != partnership.pk:
            errors.setdefault("approving_bodies", []).append(
                f"{body.name} is not a body of {partnership.name}."
            )
        elif body.kind in {BodyKind.EXECUTIVE, BodyKind.SCRUTINY_COMMITTEE}:
            errors.setdefault("approving_bodies", []).append(
                f"{body.name} decides later in the lifecycle, not at partnership approval."
            )
    if not policy.can_create_plan(partnership.pk, lead_officer):
        errors["lead_officer"] = [
            f"{lead_officer.get_username()} is not a lead officer of {partnership.name}."
        ]
    if errors:
        raise InvalidInput(errors)
    created_on = created_on or clock.today()
    _chronology().plan_started(created_on=created_on)
    plan = Plan.objects.create(
        title=text.normalise_lines(title).strip(),
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        partnership=partnership,
        owning_body=owning_body,
        lead_officer=lead_officer,
        executive_body=executive_body,
        subject_to_call_in=subject_to_call_in,
        approval_route=approval_route,
        created_on=created_on,
    )
    plan.approving_bodies.set(approving_bodies)
    ordered = approval_route == ApprovalRoute.ORDERED
    ApprovalStep.objects.bulk_create(
        ApprovalStep(plan=plan, body=body, position=index + 1 if ordered else 1)
        for index, body in enumerate(dict.fromkeys(approving_bodies))
    )
    audit_record(
        actor=actor,
        action="plan.create",
        obj=plan,
        plan_id=plan.pk,
        before={},
        after={
            **plan_snapshot(plan),
            "title": plan.title,
            "kind": plan.kind,
            "period": [period_start.isoformat(), period_end.isoformat()],
            "approving_bodies": [b.slug for b in approving_bodies],
            "approval_route": approval_route,
            "executive_body": executive_body.slug,
            "lead_officer": lead_officer.get_username(),
            "created_on": created_on,
        },
    )
    return plan


@service
def version_create(
    *, plan: Plan, actor: AbstractBaseUser, content: Any, note: str = "",
    effective_on: datetime.date | None = None,
) -> PlanVersion:
    """Write the plan's next version. Versions are append-only: this is how a plan is edited.
    ``effective_on`` is the date it was written, when it is recorded later (default: today)."""
    plan = lock_plan(plan.pk)
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if plan.stage not in EDITABLE_STAGES:
        from workflows.lifecycle import PlanLifecycle  # workflows builds on documents

        raise WrongStage(
            action="version",
            stage=plan.stage,
            stage_label=plan.get_stage_display(),
            possible=PlanLifecycle(plan).possible_actions(),
            detail=(
                "A new version can only be written while the plan is in drafting or "
                f"consultation; it is in {plan.get_stage_display().lower()}."
            ),
        )
    try:
        normal = normalise(content)
    except ContentInvalid as exc:
        raise InvalidInput({f"content.{k}" if k != "content" else k: v
                            for k, v in exc.errors.items()}) from exc
    effective_on = effective_on or clock.today()
    _chronology().version_written(plan=plan, effective_on=effective_on)
    before = plan_snapshot(plan)
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = PlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        content=normal,
        content_hash=content_hash(normal),
        note=note[:250],
        created_by=actor,
        effective_on=effective_on,
    )
    plan.current_version = version
    plan.save(update_fields=["current_version", "updated_at"])
    audit_record(
        actor=actor,
        action="version.create",
        obj=version,
        plan_id=plan.pk,
        before=before,
        after={**plan_snapshot(plan), "content_hash": version.content_hash,
               "effective_on": effective_on},
        reason=note,
    )
    return version


# A plan's title can be corrected until the plan is adopted; the adopted record keeps the
# title it was adopted under.
TITLE_FROZEN_STAGES = frozenset({Stage.ADOPTED, Stage.SUPERSEDED, Stage.WITHDRAWN})


@service
def plan_rename(*, plan: Plan, title: str, actor: AbstractBaseUser, reason: str = "") -> Plan:
    """Correct the plan's title: its lead officer (or deputy), until the plan is adopted."""
    plan = lock_plan(plan.pk)
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if plan.stage in TITLE_FROZEN_STAGES or plan.adopted_version_id is not None:
        from workflows.lifecycle import PlanLifecycle  # workflows builds on documents

        raise WrongStage(
            action="rename", stage=plan.stage, stage_label=plan.get_stage_display(),
            possible=PlanLifecycle(plan).possible_actions(),
            detail=(f"The title can be changed until the plan is adopted; this plan is "
                    f"{plan.get_stage_display().lower()}, and its record keeps its title."),
        )
    new = text.field_name(title, "title", what="The title",
                          max_length=Plan._meta.get_field("title").max_length or 250)
    reason = text.field_text(reason, "reason").strip()
    if new == plan.title:
        return plan
    before = {"title": plan.title}
    plan.title = new
    plan.save(update_fields=["title", "updated_at"])
    audit_record(actor=actor, action="plan.rename", obj=plan, plan_id=plan.pk, before=before,
                 after={"title": new}, reason=reason)
    return plan
