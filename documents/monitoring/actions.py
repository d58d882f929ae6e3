"""Progress on an adopted plan's actions.

Actions have no key in the content: an action is named by its number (1-based position) in
the ADOPTED version's ``actions`` list, with its title kept beside it (``ActionProgress``).
Progress rows are created lazily, the first time an action's progress is reported.

Services (one transaction, the plan locked, exactly one audit event each, free text only as
a hash in it):

- ``lead_link_set`` / ``lead_link_remove`` (in ``lead_links``): the lead officer links a
  lead named in the adopted (or current) version to a person holding a role in the
  partnership, who then gets that lead's tasks (``leads.priority_leads``) and may report
  progress on its actions;
- ``action_progress_update``: a dated progress note with the action's status, by the
  action's linked lead, the plan's lead officer (or deputy) or staff;
- ``action_progress_bulk``: many updates at once (the API's JSON, a spreadsheet), checked
  whole first: one wrong update and nothing is saved; else all in one transaction with ONE
  audit event (counts and the hash of the input).

Every update is checked by ``UpdateChecker``, whatever the door, so a form, the API and a
file row are refused for the same reasons in the same words.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from documents.models import (
    ActionProgress,
    ActionStatus,
    LeadLink,
    Plan,
    PlanVersion,
    ProgressNote,
    Stage,
)
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from plangov import clock, tabular, text
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.txn import service

MAX_NOTE = 5_000
MAX_UPDATES = 2_000
CLOSED = frozenset({Stage.SUPERSEDED, Stage.WITHDRAWN})
STATUS_WORDS = {tabular.header_key(v): v for v in ActionStatus.values} | {
    tabular.header_key(label): value for value, label in ActionStatus.choices}


def sha256_of(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# The content.


def actions_of(version: PlanVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    # Every entry keeps its place: an action's number is its position in the list.
    return [a if isinstance(a, dict) else {} for a in (version.content or {}).get(
        "actions", [])]


def adopted_version(plan: Plan) -> PlanVersion | None:
    if not plan.adopted_version_id:
        return None
    return PlanVersion.objects.filter(pk=plan.adopted_version_id).first()


def adoption_day(plan: Plan) -> datetime.date | None:
    if plan.adopted_on is not None:
        return plan.adopted_on
    return timezone.localdate(plan.adopted_at) if plan.adopted_at else None


# Checking updates.


@dataclass
class Update:
    action_number: int
    title: str
    status: str
    noted_on: datetime.date
    text: str


class UpdateChecker:
    """Checks one update at a time against the adopted version: answers the clean update or
    its problems by field (action_number, action_title, status, noted_on, text)."""

    def __init__(self, plan: Plan, version: PlanVersion, actor: Any, *,
                 today: datetime.date | None = None):
        self.plan = plan
        self.actions = actions_of(version)
        self.today = today or clock.today()
        self.adopted_on = adoption_day(plan)
        self.everything = policy.is_staff(actor) or bool(policy.can_lead(plan, actor))
        self.leads = set() if self.everything else set(
            LeadLink.objects.filter(plan=plan, person=actor).values_list("name", flat=True))

    def refusal(self, number: int) -> str:
        """Why the actor may not update action ``number``, or "" if they may."""
        action = self.actions[number - 1]
        if self.everything or str(action.get("lead", "")).strip() in self.leads:
            return ""
        return (f"You do not lead action {number} ('{str(action.get('title', ''))[:80]}'); "
                "only its lead, the plan's lead officer and staff update it.")

    def number(self, raw: Any) -> tuple[int | None, str | None]:
        count = len(self.actions)
        if raw is None or raw == "":
            return None, "Give the action's number."
        if isinstance(raw, bool):
            return None, "The action's number is a whole number."
        if isinstance(raw, str):
            raw = raw.strip()
            if not raw.isdigit() or len(raw) > 9:
                return None, f"'{raw[:40]}' is not an action number; use 1 to {count}."
            raw = int(raw)
        if not isinstance(raw, int):
            return None, "The action's number is a whole number."
        if not 1 <= raw <= count:
            return None, f"The adopted plan has no action {raw}; its actions are 1 to {count}."
        return raw, None

    def check(self, raw: dict[str, Any]) -> tuple[Update | None, dict[str, str]]:
        errors: dict[str, str] = {}
        number, problem = self.number(raw.get("action_number"))
        if problem:
            errors["action_number"] = problem
        action = self.actions[number - 1] if number else None
        title = str(action.get("title", "")) if action else ""
        if action is not None and "action_title" in raw:
            given = raw.get("action_title")
            given = given.strip() if isinstance(given, str) else ""
            if given[:1] == "'" and given[1:2] and given[1] in tabular.FORMULA_STARTS:
                given = given[1:]  # the template's guard on a title that looks like a formula
            if tabular.header_key(given) != tabular.header_key(title):
                errors["action_title"] = (
                    f"Action {number} of the adopted plan is '{title[:120]}', not "
                    f"'{given[:120]}'. Download a new template: this sheet may be for an "
                    "older version of the plan.")
        if number and (refusal := self.refusal(number)):
            errors["action_number"] = refusal
        status = raw.get("status")
        status_key = tabular.header_key(status) if isinstance(status, str) else ""
        if status_key not in STATUS_WORDS:
            shown = f"'{status[:40]}' is not a status" if isinstance(status, str) and (
                status.strip()) else "Give the action's status"
            errors["status"] = f"{shown}; use one of: {', '.join(ActionStatus.values)}."
        noted_on = self.date(raw.get("noted_on"), errors)
        note = raw.get("text")
        if note is None:
            note = ""
        if not isinstance(note, str):
            errors["text"] = "The progress note is text."
            note = ""
        else:
            if (refused := text.text_error(note)) is not None:
                errors["text"] = refused
            note = text.normalise_lines(note).strip()
            if len(note) > MAX_NOTE:
                errors["text"] = (f"The note is {len(note):,} characters; notes are at most "
                                  f"{MAX_NOTE:,}.")
        if errors:
            return None, errors
        assert number is not None and noted_on is not None
        return Update(number, title, STATUS_WORDS[status_key], noted_on, note), {}

    def date(self, raw: Any, errors: dict[str, str]) -> datetime.date | None:
        if isinstance(raw, datetime.datetime):
            raw = raw.date()
        if isinstance(raw, str):
            day = tabular.parse_date(raw) if raw.strip() else None
            if day is None:
                errors["noted_on"] = (f"'{raw[:40]}' is not a date; {tabular.DATE_HINT}."
                                      if raw.strip() else "Give the date of the progress.")
                return None
            raw = day
        if not isinstance(raw, datetime.date):
            errors["noted_on"] = "Give the date of the progress."
            return None
        if raw > self.today:
            errors["noted_on"] = f"{raw:%-d %B %Y} is in the future."
            return None
        if self.adopted_on is not None and raw < self.adopted_on:
            errors["noted_on"] = (f"{raw:%-d %B %Y} is before the plan was adopted on "
                                  f"{self.adopted_on:%-d %B %Y}.")
            return None
        return raw


def may_report(plan: Plan, actor: Any) -> policy.Verdict:
    """Who reports progress: one rule for readings and actions (policy.can_report_progress)."""
    return policy.can_report_progress(plan, actor)


def open_plan(plan_id: int, actor: Any) -> tuple[Plan, PlanVersion]:
    plan = lock_plan(plan_id)
    verdict = may_report(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    version = adopted_version(plan)
    if version is None:
        raise Conflict("This plan has not been adopted: progress is reported on the actions "
                       "of the adopted plan.")
    if plan.stage in CLOSED:
        raise Conflict(f"This plan is {plan.get_stage_display().lower()}: its actions take "
                       "no more progress.")
    return plan, version


# Writing.


def _apply(plan: Plan, version: PlanVersion, updates: Sequence[Update], actor: Any) -> list[
        ActionProgress]:
    """Write the notes, creating the progress rows the first time; an action's status moves
    with a note dated on or after the status it has (a note about the past is history)."""
    numbers = {u.action_number for u in updates}
    rows = {p.action_number: p for p in ActionProgress.objects.filter(
        plan=plan, version=version, action_number__in=numbers)}
    now = clock.now()
    touched: dict[int, ActionProgress] = {}
    notes = []
    for update in updates:
        progress = rows.get(update.action_number)
        if progress is None:
            progress = ActionProgress.objects.create(
                plan=plan, version=version, action_number=update.action_number,
                action_title=update.title[:500])
            rows[update.action_number] = progress
        if progress.status_on is None or update.noted_on >= progress.status_on:
            progress.status, progress.status_on = update.status, update.noted_on
        progress.updated_by, progress.updated_at = actor, now
        touched[update.action_number] = progress
        notes.append(ProgressNote(progress=progress, noted_on=update.noted_on,
                                  status=update.status, text=update.text, author=actor,
                                  recorded_at=now))
    ProgressNote.objects.bulk_create(notes)
    ActionProgress.objects.bulk_update(list(touched.values()),
                                       ["status", "status_on", "updated_by", "updated_at"])
    return list(touched.values())


@service
def action_progress_update(*, plan: Plan, action_number: int, status: str,
                           noted_on: datetime.date | str, text: str = "",
                           actor: Any) -> ActionProgress:
    """A dated progress note on action ``action_number`` of the adopted version, with the
    action's status. A complete or dropped action can still take a note."""
    plan, version = open_plan(plan.pk, actor)
    checker = UpdateChecker(plan, version, actor)
    number, _ = checker.number(action_number)
    if number and (refusal := checker.refusal(number)):
        raise Forbidden(refusal)
    update, errors = checker.check({"action_number": action_number, "status": status,
                                    "noted_on": noted_on, "text": text})
    if update is None:
        raise InvalidInput({field: [message] for field, message in errors.items()})
    before = ActionProgress.objects.filter(plan=plan, version=version,
                                           action_number=update.action_number).first()
    was = {"status": before.status if before else None,
           "status_on": before.status_on if before else None}
    (progress,) = _apply(plan, version, [update], actor)
    note = progress.notes.order_by("-id").first()
    audit_record(actor=actor, action="action_progress.update", obj=progress, plan_id=plan.pk,
                 before=was, after={
                     "version": version.number, "action_number": update.action_number,
                     "status": progress.status, "status_on": progress.status_on,
                     "note": note.pk if note else None, "note_status": update.status,
                     "noted_on": update.noted_on, "text_sha256": sha256_of(update.text)})
    return progress


@dataclass
class BulkResult:
    updates: int
    actions: int
    progress: list[ActionProgress]
    skipped: int = 0  # updates already recorded (the same file uploaded again)


def updates_check(plan: Plan, version: PlanVersion, actor: Any,
                  items: Iterable[tuple[Any, dict[str, Any]]]) -> tuple[
                      list[Update], list[tabular.Problem]]:
    """Every item checked (``where`` names it in the problems: a file's row, an index)."""
    checker = UpdateChecker(plan, version, actor)
    clean: list[Update] = []
    problems: list[tabular.Problem] = []
    for where, raw in items:
        update, errors = checker.check(raw)
        if update is None:
            problems.extend(tabular.Problem(where, field, message)
                            for field, message in errors.items())
        else:
            clean.append(update)
    return clean, problems


def _new_only(plan: Plan, version: PlanVersion, updates: Sequence[Update]) -> list[Update]:
    """The updates not recorded already: a note with the same action, date, status and text
    is the same note (a file uploaded twice writes nothing the second time)."""
    seen = {(n, d, s, t) for n, d, s, t in ProgressNote.objects.filter(
        progress__plan=plan, progress__version=version,
        progress__action_number__in={u.action_number for u in updates},
    ).values_list("progress__action_number", "noted_on", "status", "text")}
    fresh = []
    for update in updates:
        key = (update.action_number, update.noted_on, update.status, update.text)
        if key not in seen:
            seen.add(key)
            fresh.append(update)
    return fresh


def bulk_apply(*, plan: Plan, version: PlanVersion, updates: Sequence[Update], actor: Any,
               source: str, input_sha256: str, extra: dict[str, Any] | None = None
               ) -> BulkResult:
    """Write checked updates (those not recorded already), with the ONE audit event of the
    import; none when there was nothing new. Inside the caller's service (transaction, plan
    locked)."""
    fresh = _new_only(plan, version, updates)
    skipped = len(updates) - len(fresh)
    if not fresh:
        return BulkResult(updates=0, actions=0, progress=[], skipped=skipped)
    progress = _apply(plan, version, fresh, actor)
    audit_record(actor=actor, action="action_progress.import", obj=plan, plan_id=plan.pk,
                 before={}, after={
                     "source": source, "version": version.number, "updates": len(fresh),
                     "skipped": skipped, "actions": len(progress),
                     "input_sha256": input_sha256, **(extra or {})})
    return BulkResult(updates=len(fresh), actions=len(progress), progress=progress,
                      skipped=skipped)


@service
def action_progress_bulk(*, plan: Plan, updates: Any, actor: Any) -> BulkResult:
    """Many updates (dicts of action_number, status, noted_on, text), checked whole: any
    wrong and nothing is saved (400 naming ``updates[3].status``); else all are written."""
    plan, version = open_plan(plan.pk, actor)
    if not isinstance(updates, list) or not updates:
        raise InvalidInput({"updates": ["Give a list of one or more updates."]})
    if len(updates) > MAX_UPDATES:
        raise InvalidInput({"updates": [f"At most {MAX_UPDATES:,} updates at once (this has "
                                        f"{len(updates):,})."]})
    errors: dict[str, list[str]] = {}
    items = []
    for index, item in enumerate(updates):
        if not isinstance(item, dict):
            errors[f"updates[{index}]"] = ["Each update is an object."]
            continue
        unknown = set(item) - {"action_number", "action_title", "status", "noted_on", "text"}
        for key in sorted(map(str, unknown)):
            errors[f"updates[{index}].{key}"] = ["Not a field of an update."]
        items.append((index, item))
    clean, problems = updates_check(plan, version, actor, items)
    for problem in problems:
        errors.setdefault(f"updates[{problem.row}].{problem.column}", []).append(
            problem.problem)
    if errors:
        raise InvalidInput(errors)
    return bulk_apply(plan=plan, version=version, updates=clean, actor=actor, source="api",
                      input_sha256=sha256_of(updates))


# Reading.


@dataclass
class ActionRow:
    number: int
    title: str
    lead: str
    person: Any
    outcome: str
    priority: str
    due_date: str
    status: str
    status_label: str
    status_on: datetime.date | None
    note: ProgressNote | None
    progress: ActionProgress | None


def action_rows(plan: Plan, *, status: str = "") -> list[ActionRow]:
    """Every action of the adopted version with its linked lead, status and latest note (a
    fixed number of queries however many actions), filtered by ``status`` if given."""
    from .leads import lead_people

    version = adopted_version(plan)
    actions = actions_of(version)
    if version is None:
        return []
    latest = ProgressNote.objects.filter(progress=OuterRef("pk")).order_by(
        "-noted_on", "-id").values("id")[:1]
    progress = {p.action_number: p for p in ActionProgress.objects.filter(
        plan=plan, version=version).annotate(latest_note=Subquery(latest))}
    notes = {n.pk: n for n in ProgressNote.objects.filter(
        pk__in=[p.latest_note for p in progress.values() if p.latest_note]).select_related(
            "author")}
    people = lead_people(plan)
    labels = dict(ActionStatus.choices)
    rows = []
    for number, action in enumerate(actions, start=1):
        row_progress = progress.get(number)
        current = row_progress.status if row_progress else ActionStatus.NOT_STARTED
        if status and current != status:
            continue
        lead = str(action.get("lead", ""))
        rows.append(ActionRow(
            number=number, title=str(action.get("title", "")), lead=lead,
            person=people.get(lead), outcome=str(action.get("outcome", "")),
            priority=str(action.get("priority", "")), due_date=str(action.get("due_date") or ""),
            status=current, status_label=labels[current],
            status_on=row_progress.status_on if row_progress else None,
            note=notes.get(row_progress.latest_note) if row_progress else None,
            progress=row_progress))
    return rows
