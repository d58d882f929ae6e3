"""The timetable template of each plan kind, and proposing a timetable from it and the bodies'
meeting diaries.

A template is the milestones in order, each with its default gap after the one before (months
and weeks). ``BOARDS`` stands for one meeting of each approving body, in the order of the
plan's approval route (bodies that share a position decide in parallel).

Proposing walks the template forwards from the plan's start. A meeting milestone takes the
first meeting of its body in the diary after the milestone before it, or falls back to the gap
when the diary has none. Given the executive's meeting, the milestones before it are placed
backwards from that date instead (each board at its last diary meeting before the next step,
else the gap), and those after it forwards."""

from __future__ import annotations

import bisect
import calendar as month_calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass

from documents.models import ApprovalStep, Plan, PlanKind
from governance.models import Body, Meeting

from .models import Milestone, MilestoneKind

BOARDS = "boards"


@dataclass(frozen=True)
class Step:
    kind: str
    months: int = 0
    weeks: int = 0
    label: str = ""

    def after(self, day: datetime.date) -> datetime.date:
        return add_months(day, self.months) + datetime.timedelta(weeks=self.weeks)

    def before(self, day: datetime.date) -> datetime.date:
        return add_months(day - datetime.timedelta(weeks=self.weeks), -self.months)


K = MilestoneKind
TEMPLATES: dict[str, tuple[Step, ...]] = {
    # A Children and Young People's Plan: two consultation rounds, first on the priorities,
    # then on the draft plan, before the boards and the executive.
    PlanKind.CYPP: (
        Step(K.PRIORITIES_AGREED),
        Step(K.CONSULTATION_OPENS, months=1, label="Consultation on the priorities opens"),
        Step(K.CONSULTATION_CLOSES, months=2, label="Consultation on the priorities closes"),
        Step(K.CONSULTATION_OPENS, months=2, label="Consultation on the draft plan opens"),
        Step(K.CONSULTATION_CLOSES, weeks=6, label="Consultation on the draft plan closes"),
        Step(BOARDS, weeks=4),
        Step(K.EXECUTIVE_MEETING, weeks=4),
        Step(K.PUBLICATION, weeks=3),
    ),
    PlanKind.STRATEGY: (
        Step(K.PRIORITIES_AGREED),
        Step(K.CONSULTATION_OPENS, months=1),
        Step(K.CONSULTATION_CLOSES, months=2),
        Step(BOARDS, months=1),
        Step(K.EXECUTIVE_MEETING, weeks=4),
        Step(K.PUBLICATION, weeks=3),
    ),
    # An action plan delivers a strategy already consulted on; a review reports on a plan.
    PlanKind.ACTION_PLAN: (
        Step(K.PRIORITIES_AGREED),
        Step(BOARDS, months=2),
        Step(K.EXECUTIVE_MEETING, weeks=4),
        Step(K.PUBLICATION, weeks=3),
    ),
    PlanKind.REVIEW: (
        Step(BOARDS, months=2),
        Step(K.EXECUTIVE_MEETING, weeks=4),
        Step(K.PUBLICATION, weeks=3),
    ),
}

# A plan whose adoption is a key decision for the executive (significant effect on
# communities in two or more wards): the over-arching plan and the strategies.
KEY_DECISION_KINDS = frozenset({PlanKind.CYPP, PlanKind.STRATEGY})


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), the month's last day when it has fewer."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = month_calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


class Diary:
    """The bodies' meetings, by date, read in one query."""

    def __init__(self, bodies: list[Body]):
        self.meetings: dict[int, list[Meeting]] = defaultdict(list)
        for meeting in Meeting.objects.filter(body__in=bodies).order_by("date"):
            self.meetings[meeting.body_id].append(meeting)

    def first_after(self, body: Body, day: datetime.date) -> Meeting | None:
        meetings = self.meetings.get(body.pk, [])
        i = bisect.bisect_right([m.date for m in meetings], day)
        return meetings[i] if i < len(meetings) else None

    def last_before(self, body: Body, day: datetime.date) -> Meeting | None:
        meetings = self.meetings.get(body.pk, [])
        i = bisect.bisect_left([m.date for m in meetings], day)
        return meetings[i - 1] if i > 0 else None

    def on(self, body: Body, day: datetime.date) -> Meeting | None:
        return next((m for m in self.meetings.get(body.pk, []) if m.date == day), None)


def approval_groups(plan: Plan) -> list[list[Body]]:
    """The approving bodies in route order: bodies deciding in parallel share a group."""
    steps = list(ApprovalStep.objects.filter(plan=plan).select_related("body")
                 .order_by("position", "pk"))
    if not steps:
        return [sorted(plan.approving_bodies.all(), key=lambda b: b.name)] \
            if plan.approving_bodies.exists() else []
    groups: dict[int, list[Body]] = defaultdict(list)
    for step in steps:
        groups[step.position].append(step.body)
    return [groups[p] for p in sorted(groups)]


def propose(plan: Plan, *, start: datetime.date,
            executive_meeting_on: datetime.date | None = None) -> list[Milestone]:
    """Unsaved milestones for ``plan`` from its kind's template and the diaries."""
    template = TEMPLATES[PlanKind(plan.kind)]
    groups = approval_groups(plan)
    executive = plan.executive_body
    diary = Diary([b for group in groups for b in group] + [executive])
    # Each entry: (step, [(date, body, meeting), ...]) for the steps in template order.
    placed: list[list[tuple[datetime.date, Body | None, Meeting | None]]] = [
        [] for _ in template
    ]

    def forward(index: int, prev: datetime.date) -> datetime.date:
        step = template[index]
        if step.kind == BOARDS:
            group_prev = prev
            for group in groups:
                dates = []
                for body in group:
                    meeting = diary.first_after(body, group_prev)
                    day = meeting.date if meeting else step.after(group_prev)
                    placed[index].append((day, body, meeting))
                    dates.append(day)
                group_prev = max(dates)
            placed[index].sort(key=lambda item: item[0])
            return group_prev
        if step.kind == K.EXECUTIVE_MEETING:
            meeting = diary.first_after(executive, prev)
            day = meeting.date if meeting else step.after(prev)
            placed[index].append((day, executive, meeting))
            return day
        day = step.after(prev)
        placed[index].append((day, None, None))
        return day

    def backward(index: int, nxt: datetime.date, gap: Step) -> datetime.date:
        """Place step ``index`` before ``nxt`` (the next step's earliest date), ``gap`` being
        the next step's gap after this one."""
        step = template[index]
        if step.kind == BOARDS:
            group_next = nxt
            for group in reversed(groups):
                dates = []
                for body in group:
                    meeting = diary.last_before(body, group_next)
                    day = meeting.date if meeting else gap.before(group_next)
                    placed[index].append((day, body, meeting))
                    dates.append(day)
                group_next = min(dates)
            placed[index].sort(key=lambda item: item[0])
            return group_next
        day = gap.before(nxt)
        placed[index].append((day, None, None))
        return day

    executive_index = next((i for i, s in enumerate(template) if s.kind == K.EXECUTIVE_MEETING),
                           None)
    if executive_meeting_on is None or executive_index is None:
        prev = start
        for index in range(len(template)):
            prev = forward(index, prev)
    else:
        placed[executive_index].append(
            (executive_meeting_on, executive, diary.on(executive, executive_meeting_on)))
        nxt = executive_meeting_on
        for index in range(executive_index - 1, -1, -1):
            nxt = backward(index, nxt, template[index + 1])
        prev = executive_meeting_on
        for index in range(executive_index + 1, len(template)):
            prev = forward(index, prev)

    milestones: list[Milestone] = []
    for index, step in enumerate(template):
        kind = K.BOARD_MEETING if step.kind == BOARDS else step.kind
        for day, body, meeting in placed[index]:
            milestones.append(Milestone(
                plan=plan, position=len(milestones), kind=kind, label=step.label, body=body,
                meeting=meeting, target_on=day,
                key_decision=kind == K.EXECUTIVE_MEETING and plan.kind in KEY_DECISION_KINDS,
            ))
    return milestones
