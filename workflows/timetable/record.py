"""Planned against actual: what the dated record says happened for each milestone, each
milestone's status, and the slippage flags.

Actual dates come from the dated models the services write (never typed into the timetable):

- priorities agreed: the day the plan's first version was written (it sets the outcomes and
  priorities out);
- consultation opens / closes: the n-th such milestone is the n-th consultation round's
  ``opens_on`` / ``closed_on``;
- a board's meeting: the n-th board-meeting milestone of a body is that body's n-th decision
  on the plan (by the meeting's date);
- the executive's meeting: the n-th executive decision on the plan;
- full council's meeting: the n-th decision of a full council body on the plan;
- publication: the day the plan took effect (``Plan.adopted_on``);
- other milestones: the record has no act for them.

The forward plan (The Local Authorities (Executive Arrangements) (Meetings and Access to
Information) (England) Regulations 2012, reg. 9): a key decision's notice is published at least
28 *clear* days before it is taken; clear days exclude both the day of publication and the day
of the meeting."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from documents.models import Plan, Stage
from governance.models import BodyKind, ConsultationRound, Decision
from plangov import clock

from .models import MilestoneKind

FORWARD_PLAN_CLEAR_DAYS = 28


def fmt(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def clear_days(published_on: datetime.date, meeting_on: datetime.date) -> int:
    """Whole days strictly between a notice's publication and the meeting: neither the day of
    publication nor the day of the meeting counts. Published on 1 January for a meeting on
    30 January: 2 to 29 January, 28 clear days. Zero when published on or after the eve."""
    return max(0, (meeting_on - published_on).days - 1)


def forward_plan_due_by(meeting_on: datetime.date) -> datetime.date:
    """The last day a key decision's notice can be published for ``meeting_on``."""
    return meeting_on - datetime.timedelta(days=FORWARD_PLAN_CLEAR_DAYS + 1)


def enough_notice(published_on: datetime.date, meeting_on: datetime.date) -> bool:
    return clear_days(published_on, meeting_on) >= FORWARD_PLAN_CLEAR_DAYS


class Status:
    DONE = "done"
    LATE = "late"
    DUE = "due"
    OVERDUE = "overdue"
    UNTRACKED = "untracked"

    LABELS = {
        DONE: "Done on time",
        LATE: "Done late",
        DUE: "Due",
        OVERDUE: "Overdue",
        UNTRACKED: "Not in the record",
    }
    ALL = tuple(LABELS)


class FlagCode:
    BOARD_AFTER_EXECUTIVE = "board_after_executive"
    FORWARD_PLAN_MISSING = "forward_plan_missing"
    FORWARD_PLAN_LATE = "forward_plan_late"
    OVERDUE = "overdue"
    LATE = "late"
    ALL = (BOARD_AFTER_EXECUTIVE, FORWARD_PLAN_MISSING, FORWARD_PLAN_LATE, OVERDUE, LATE)


# For the API's schema (named enums, see SPECTACULAR_SETTINGS).
STATUS_CHOICES = [(status, label) for status, label in Status.LABELS.items()]
FLAG_CHOICES = [(code, code.replace("_", " ").capitalize()) for code in FlagCode.ALL]


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    milestone: int | None = None  # the index of the milestone it is about


@dataclass
class Row:
    """One milestone with what the record says."""

    index: int
    milestone: Any  # a Milestone (saved or not)
    actual_on: datetime.date | None
    status: str
    days: int = 0  # days late (done late) or overdue
    flags: list[Flag] = field(default_factory=list)
    forward_plan_due_by: datetime.date | None = None
    forward_plan_clear_days: int | None = None

    @property
    def status_label(self) -> str:
        label = Status.LABELS[self.status]
        if self.status in (Status.LATE, Status.OVERDUE):
            label += f" by {self.days} day{'s' if self.days != 1 else ''}"
        return label

    @property
    def effective_on(self) -> datetime.date:
        """The date that counts now: what happened, else what is planned."""
        return self.actual_on or self.milestone.target_on


@dataclass
class Timetable:
    plan: Plan
    rows: list[Row]
    flags: list[Flag]
    today: datetime.date


def _facts(plan: Plan) -> dict[str, Any]:
    """The dated record of the plan, in three queries."""
    rounds = list(ConsultationRound.objects.filter(plan=plan).order_by("number"))
    decisions = list(
        Decision.objects.filter(plan=plan, version__isnull=False).select_related("body")
        .order_by("decided_on", "pk")
    )
    first_version = plan.versions.order_by("number").values_list("effective_on", flat=True)
    by_body: dict[int, list[datetime.date]] = defaultdict(list)
    council: list[datetime.date] = []
    for decision in decisions:
        by_body[decision.body_id].append(decision.decided_on)
        if decision.body.kind == BodyKind.FULL_COUNCIL:
            council.append(decision.decided_on)
    return {
        "priorities_agreed": list(first_version[:1]),
        "consultation_opens": [r.opens_on for r in rounds],
        "consultation_closes": [r.closed_on for r in rounds if r.closed_on is not None],
        "by_body": by_body,
        "executive": by_body.get(plan.executive_body_id, []),
        "full_council": council,
        "publication": [plan.adopted_on] if plan.adopted_on else [],
    }


def _actuals(plan: Plan, milestones: Sequence[Any]) -> list[datetime.date | None]:
    facts = _facts(plan)
    seen: dict[Any, int] = defaultdict(int)
    found: list[datetime.date | None] = []
    for m in milestones:
        if m.kind == MilestoneKind.BOARD_MEETING:
            key: Any = ("body", m.body_id)
            dates = facts["by_body"].get(m.body_id, [])
        elif m.kind == MilestoneKind.EXECUTIVE_MEETING:
            key, dates = "executive", facts["executive"]
        elif m.kind == MilestoneKind.FULL_COUNCIL_MEETING:
            key, dates = "full_council", facts["full_council"]
        elif m.kind in facts:
            key, dates = m.kind, facts[m.kind]
        else:
            found.append(None)
            continue
        n = seen[key]
        seen[key] += 1
        found.append(dates[n] if n < len(dates) else None)
    return found


def _status(kind: str, target: datetime.date, actual: datetime.date | None,
            today: datetime.date) -> tuple[str, int]:
    if kind == MilestoneKind.OTHER:
        return Status.UNTRACKED, 0
    if actual is not None:
        late = (actual - target).days
        return (Status.LATE, late) if late > 0 else (Status.DONE, 0)
    if target < today:
        return Status.OVERDUE, (today - target).days
    return Status.DUE, 0


def timetable_report(plan: Plan, milestones: Sequence[Any] | None = None) -> Timetable:
    """Each milestone with its actual date, status and flags (``milestones`` default: the
    plan's saved timetable, with their bodies)."""
    if milestones is None:
        milestones = list(plan.milestones.select_related("body").order_by("position"))
    today = clock.today()
    actuals = _actuals(plan, milestones)
    rows: list[Row] = []
    for index, (m, actual) in enumerate(zip(milestones, actuals, strict=True)):
        status, days = _status(m.kind, m.target_on, actual, today)
        rows.append(Row(index=index, milestone=m, actual_on=actual, status=status, days=days))
    # A withdrawn plan's remaining milestones will never happen: not worth a warning each.
    _flag(rows, overdue_matters=plan.stage != Stage.WITHDRAWN)
    flags = [flag for row in rows for flag in row.flags]
    return Timetable(plan=plan, rows=rows, flags=flags, today=today)


def _flag(rows: list[Row], *, overdue_matters: bool) -> None:
    executive = [r for r in rows if r.milestone.kind == MilestoneKind.EXECUTIVE_MEETING]
    last_executive = max(executive, key=lambda r: r.effective_on, default=None)
    for row in rows:
        m, what = row.milestone, row.milestone.title
        n = row.index + 1
        if m.kind == MilestoneKind.BOARD_MEETING and last_executive is not None:
            board_on, executive_on = row.effective_on, last_executive.effective_on
            if board_on > executive_on:
                verb = "was held" if row.actual_on else "is planned"
                executive_verb = "held" if last_executive.actual_on else "planned"
                row.flags.append(Flag(
                    FlagCode.BOARD_AFTER_EXECUTIVE,
                    f"Milestone {n}: {what} {verb} on {fmt(board_on)}, after the executive's "
                    f"meeting {executive_verb} on {fmt(executive_on)}; the executive decides "
                    "on what the boards approved.", row.index))
        if m.kind == MilestoneKind.EXECUTIVE_MEETING and m.key_decision:
            meeting_on = row.effective_on
            row.forward_plan_due_by = forward_plan_due_by(meeting_on)
            published = m.forward_plan_published_on
            if published is None:
                row.flags.append(Flag(
                    FlagCode.FORWARD_PLAN_MISSING,
                    f"Milestone {n}, {what} on {fmt(meeting_on)}: the key decision has no "
                    "forward plan notice recorded; it must be published by "
                    f"{fmt(row.forward_plan_due_by)} (28 clear days before).", row.index))
            else:
                row.forward_plan_clear_days = clear_days(published, meeting_on)
                if not enough_notice(published, meeting_on):
                    row.flags.append(Flag(
                        FlagCode.FORWARD_PLAN_LATE,
                        f"Milestone {n}, {what} on {fmt(meeting_on)}: the key decision was on "
                        f"the forward plan published {fmt(published)}: "
                        f"{row.forward_plan_clear_days} clear days' notice, not the 28 the "
                        "2012 regulations ask (publish by "
                        f"{fmt(row.forward_plan_due_by)}).", row.index))
        if row.status == Status.OVERDUE and overdue_matters:
            row.flags.append(Flag(
                FlagCode.OVERDUE,
                f"Milestone {n}: {what} was due on {fmt(m.target_on)} and the record does not "
                f"show it yet ({row.days} day{'s' if row.days != 1 else ''} overdue).",
                row.index))
        elif row.status == Status.LATE:
            row.flags.append(Flag(
                FlagCode.LATE,
                f"Milestone {n}: {what} happened on {fmt(row.actual_on)}, {row.days} "
                f"day{'s' if row.days != 1 else ''} after its target of {fmt(m.target_on)}.",
                row.index))
