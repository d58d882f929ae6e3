"""Timetable services: propose a timetable (``timetable_seed``, which saves nothing) and save
one (``timetable_save``, which replaces the plan's milestones: one audit event)."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from documents.models import Plan, Stage
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from governance.models import Body, BodyKind, Meeting
from plangov import clock, text
from plangov.errors import Forbidden, InvalidInput, WrongStage
from plangov.txn import service

from .models import MEETING_KINDS, Milestone, MilestoneKind
from .record import fmt
from .templates import add_months, propose

Actor = AbstractBaseUser | None
K = MilestoneKind

MAX_MILESTONES = 100
MAX_LABEL = 200
MAX_NOTE = 2000
# Milestones may go back a year before the plan was started on plangov (priorities agreed
# before the plan was brought on), and forward to the end of the plan's period or two years
# after it was started, whichever is later (a plan brought on late in its period).
LOOKBACK = datetime.timedelta(days=366)
LOOKAHEAD_YEARS = 2
CLOSED_STAGES = frozenset({Stage.WITHDRAWN, Stage.SUPERSEDED})
FIELDS = ("kind", "label", "body", "target_on", "key_decision", "forward_plan_published_on",
          "note")


def _may_manage(plan: Plan, actor: Actor) -> None:
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)


def timetable_seed(
    *, plan: Plan, actor: Actor, executive_meeting_on: datetime.date | None = None
) -> list[Milestone]:
    """A proposed timetable (unsaved milestones) from the template of the plan's kind and the
    bodies' meeting diaries, starting from the day the plan was started; given the
    executive's meeting, the steps before it are placed backwards from that date. Only those
    who may manage the plan ask for one; nothing is written."""
    _may_manage(plan, actor)
    return propose(plan, start=plan.created_on, executive_meeting_on=executive_meeting_on)


def _full_council(plan: Plan) -> Body | None:
    return Body.objects.filter(partnership_id=plan.partnership_id,
                               kind=BodyKind.FULL_COUNCIL).order_by("pk").first()


def _clean(plan: Plan, milestones: Sequence[Mapping[str, Any]]) -> list[Milestone]:
    """Unsaved milestones from the input, or InvalidInput naming ``milestones[i].field``."""
    errors: dict[str, list[str]] = {}
    today = clock.today()
    earliest = plan.created_on - LOOKBACK
    latest = max(plan.period_end, add_months(plan.created_on, 12 * LOOKAHEAD_YEARS))
    bodies = {b.pk: b for b in Body.objects.filter(partnership_id=plan.partnership_id)}
    council = _full_council(plan)
    if len(milestones) > MAX_MILESTONES:
        raise InvalidInput({"milestones": [f"A timetable has at most {MAX_MILESTONES} "
                                           "milestones."]})
    cleaned: list[Milestone] = []
    for i, item in enumerate(milestones):
        def err(name: str, message: str, i: int = i) -> None:
            errors.setdefault(f"milestones[{i}].{name}", []).append(message)

        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            err(unknown[0], f"Unknown field; a milestone has {', '.join(FIELDS)}.")
        kind = item.get("kind")
        if kind not in K.values:
            err("kind", f"Choose one of: {', '.join(K.values)}.")
            kind = K.OTHER
        label = _text(item.get("label") or "", lambda m: err("label", m), MAX_LABEL, one_line=True)
        note = _text(item.get("note") or "", lambda m: err("note", m), MAX_NOTE)
        if kind == K.OTHER and not label:
            err("label", "Say what this milestone is.")
        target_on = item.get("target_on")
        if not isinstance(target_on, datetime.date):
            err("target_on", "Give the target date, for example 14/07/2016.")
            target_on = None
        elif not earliest <= target_on <= latest:
            err("target_on", f"The target date {fmt(target_on)} is outside the plan's "
                f"timetable: from {fmt(earliest)} (a year before the plan was started) to "
                f"{fmt(latest)}.")
        body = _body(plan, kind, item.get("body"), bodies, council, lambda m: err("body", m))
        key_decision = bool(item.get("key_decision"))
        published = item.get("forward_plan_published_on")
        if kind != K.EXECUTIVE_MEETING:
            if key_decision:
                err("key_decision", "Only the executive's meeting takes a key decision.")
            if published is not None:
                err("forward_plan_published_on",
                    "Only the executive's meeting has a forward plan notice.")
            key_decision, published = False, None
        elif published is not None:
            if not isinstance(published, datetime.date):
                err("forward_plan_published_on", "Give the date, for example 16/06/2016.")
                published = None
            elif published > today:
                err("forward_plan_published_on", f"The notice is dated {fmt(published)}, in the "
                    f"future: record it once it is published (today is {fmt(today)}).")
            elif target_on is not None and published >= target_on:
                err("forward_plan_published_on", f"The notice is dated {fmt(published)}, not "
                    f"before the executive's meeting on {fmt(target_on)}.")
        cleaned.append(Milestone(
            plan=plan, position=i, kind=kind, label=label, body=body, note=note,
            target_on=target_on or plan.created_on, key_decision=key_decision,
            forward_plan_published_on=published,
        ))
    executive = [m.target_on for m, item in zip(cleaned, milestones, strict=True)
                 if m.kind == K.EXECUTIVE_MEETING and isinstance(item.get("target_on"),
                                                                   datetime.date)]
    if executive:
        last = max(executive)
        for i, m in enumerate(cleaned):
            if m.kind == K.BOARD_MEETING and m.target_on > last and \
                    f"milestones[{i}].target_on" not in errors:
                errors[f"milestones[{i}].target_on"] = [
                    f"{m.title} on {fmt(m.target_on)} is after the executive's meeting on "
                    f"{fmt(last)}: the boards decide first."]
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _text(value: Any, refuse: Any, max_length: int, *, one_line: bool = False) -> str:
    if not isinstance(value, str):
        refuse("Give text.")
        return ""
    message = text.text_error(value)
    if message is not None:
        refuse(message)
        return ""
    value = text.normalise_lines(value).strip()
    if one_line and "\n" in value:
        refuse("Keep it to one line; remove the line break.")
    if len(value) > max_length:
        refuse(f"Keep it under {max_length} characters.")
    return value


def _body(plan: Plan, kind: str, value: Any, bodies: dict[int, Body], council: Body | None,
          refuse: Any) -> Body | None:
    body = value if isinstance(value, Body) else None
    if value is not None and (body is None or body.pk not in bodies):
        refuse("Choose a body of the plan's partnership.")
        return None
    if kind == K.BOARD_MEETING:
        if body is None:
            refuse("Choose the board that meets.")
        elif body.kind in (BodyKind.EXECUTIVE, BodyKind.FULL_COUNCIL):
            refuse(f"{body.name} is not a board: choose the executive's or full council's "
                   "meeting as the kind.")
        return body
    if kind == K.EXECUTIVE_MEETING:
        if body is not None and body.pk != plan.executive_body_id:
            refuse(f"The executive for this plan is {plan.executive_body.name}.")
        return bodies.get(plan.executive_body_id)
    if kind == K.FULL_COUNCIL_MEETING:
        if council is None:
            refuse("The partnership has no full council.")
        elif body is not None and body.pk != council.pk:
            refuse(f"Full council is {council.name}.")
        return council
    if body is not None:
        refuse("Only a meeting names a body.")
    return None


def _summary(milestones: Sequence[Milestone]) -> dict[str, Any]:
    """What the audit keeps: the dates and bodies, and a hash of the labels and notes (which
    may name people), never the text."""
    words = json.dumps([[m.label, m.note] for m in milestones], ensure_ascii=False)
    return {
        "milestones": [
            {"kind": m.kind, "body": m.body.slug if m.body else None,
             "meeting": m.meeting_id,
             "target_on": m.target_on.isoformat(), "key_decision": m.key_decision,
             "forward_plan_published_on": (m.forward_plan_published_on.isoformat()
                                           if m.forward_plan_published_on else None)}
            for m in milestones
        ],
        "text_sha256": hashlib.sha256(words.encode("utf-8")).hexdigest(),
    }


@service
def timetable_save(
    *, plan: Plan, milestones: Sequence[Mapping[str, Any]], actor: Actor
) -> list[Milestone]:
    """Replace the plan's timetable with ``milestones`` (mappings with ``kind``,
    ``target_on``, and as they apply ``body``, ``label``, ``note``, ``key_decision``,
    ``forward_plan_published_on``), in the order given. The plan's lead officer or deputy;
    not once the plan is withdrawn or superseded. Meeting milestones are linked to the
    body's diary meeting on their target date. One audit event, none when nothing changed."""
    plan = lock_plan(plan.pk)
    _may_manage(plan, actor)
    if plan.stage in CLOSED_STAGES:
        from workflows.lifecycle import PlanLifecycle

        raise WrongStage(
            action="timetable", stage=plan.stage, stage_label=plan.get_stage_display(),
            possible=PlanLifecycle(plan).possible_actions(),
            detail=f"The plan is {plan.get_stage_display().lower()}: its timetable is closed.",
        )
    new = _clean(plan, milestones)
    meeting_bodies = {m.body_id for m in new if m.kind in MEETING_KINDS and m.body_id}
    diary = {(m.body_id, m.date): m for m in Meeting.objects.filter(
        body_id__in=meeting_bodies, date__in={m.target_on for m in new})}
    for m in new:
        if m.kind in MEETING_KINDS:
            m.meeting = diary.get((m.body_id, m.target_on))
    old = list(plan.milestones.select_related("body").order_by("position"))
    before, after = _summary(old), _summary(new)
    if before == after:
        return old
    plan.milestones.all().delete()
    Milestone.objects.bulk_create(new)
    audit_record(actor=actor, action="timetable.save", obj=plan, plan_id=plan.pk,
                 before=before, after=after)
    return list(plan.milestones.select_related("body", "meeting").order_by("position"))
