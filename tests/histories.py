"""Generated plan histories with past dates that obey the order of events, driven through the
services under a frozen clock, and the dates the signed documents print.

A history is a line of dated events (each on or after the one before): the plan started, a
version written, consultation rounds opened and closed, the version submitted, board decisions
(deferrals, approvals, a referral back that starts a new cycle with a new version), the
executive's decision, adoption. Each is recorded on its own day or long after (a council
replaying its 2007-2009 records), never before it happened."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from documents.models import ApprovalRoute, Plan, PlanKind, SignedDocument, Stage
from documents.publishing.services import build_html, record_key
from documents.services import plan_create, version_create
from governance.models import Decision
from governance.models import DecisionOutcome as O
from plangov import calendar
from tests.conftest import FrozenClock, World, publish_summary
from tests.factories import valid_content
from workflows.decisions import decision_record
from workflows.services import (
    plan_adopt,
    plan_close_consultation,
    plan_start_consultation,
    plan_submit,
)

# Replayed histories are all recorded on this day, long after the events.
REPLAY_DAY = datetime.date(2016, 7, 14)
GAP = st.integers(0, 45)
LAG = st.sampled_from([0, 0, 1, 3, 30])


@dataclass
class Event:
    """One dated act: ``what`` is version, open, close, submit, decide or adopt."""

    what: str
    on: datetime.date
    body: str = ""
    outcome: str = ""
    lag: int = 0  # days between the event and its recording (live histories)


@dataclass
class History:
    kind: str
    bodies: list[str]
    route: str
    call_in: bool
    created_on: datetime.date
    replay: bool
    events: list[Event] = field(default_factory=list)


@st.composite
def histories(draw: Any) -> History:
    kind = draw(st.sampled_from([PlanKind.CYPP, PlanKind.STRATEGY, PlanKind.ACTION_PLAN]))
    bodies = draw(st.sampled_from([["board"], ["board", "safeguarding"],
                                   ["safeguarding", "board"]]))
    route = draw(st.sampled_from(ApprovalRoute.values))
    day = draw(st.dates(datetime.date(2007, 1, 1), datetime.date(2009, 12, 31)))
    history = History(kind=kind, bodies=bodies, route=route, call_in=draw(st.booleans()),
                      created_on=day, replay=draw(st.booleans()))

    def event(what: str, body: str = "", outcome: str = "") -> None:
        nonlocal day
        day += datetime.timedelta(days=draw(GAP))
        history.events.append(Event(what, day, body, outcome, lag=draw(LAG)))

    cycles = draw(st.integers(1, 3))
    for cycle in range(cycles):
        final = cycle == cycles - 1
        event("version")
        first = cycle == 0 and PlanKind.needs_consultation(kind)
        for _ in range(draw(st.integers(1 if first else 0, 2))):
            event("open")
            event("close")
        if draw(st.booleans()):
            event("version")  # rewritten after what the consultation heard
        event("submit")
        # Who sends this version back, in a cycle that is not the last.
        sender = None if final else draw(st.sampled_from([*bodies, "executive"]))
        waiting, deferred = list(bodies), set()
        while waiting:
            name = waiting[0] if route == ApprovalRoute.ORDERED else draw(
                st.sampled_from(waiting))
            if name not in deferred and draw(st.integers(0, 3)) == 0:
                deferred.add(name)
                event("decide", name, O.DEFERRED)
            elif name == sender:
                event("decide", name, draw(st.sampled_from([O.REFERRED_BACK, O.REJECTED])))
                break
            else:
                event("decide", name, draw(st.sampled_from([O.APPROVED,
                                                             O.APPROVED_WITH_AMENDMENTS])))
                waiting.remove(name)
        if waiting:
            continue  # referred back: the next cycle writes a new version
        if draw(st.integers(0, 3)) == 0:
            event("decide", "executive", O.DEFERRED)
        if sender == "executive":
            event("decide", "executive", O.REFERRED_BACK)
        else:
            outcome = draw(st.sampled_from([O.APPROVED, O.ENDORSED]))
            event("decide", "executive", outcome)
            if outcome == O.ENDORSED:  # recommended to full council, which adopts the plan
                event("decide", "full_council", O.APPROVED)
    return history


RECORDERS = {"board": "board_secretary", "safeguarding": "safeguarding_secretary",
             "executive": "executive_member", "full_council": "council_secretary"}


class Recorder:
    """Drives a history through the services, moving the frozen clock to each recording."""

    def __init__(self, world: World, frozen: FrozenClock, history: History):
        self.world, self.frozen, self.history = world, frozen, history
        self.recorded_on = REPLAY_DAY if history.replay else history.created_on
        self.plan: Plan | None = None

    def at(self, event_on: datetime.date, lag: int = 0) -> None:
        """Move the clock to when the event is recorded: never before the event, never back."""
        if not self.history.replay:
            self.recorded_on = max(self.recorded_on, event_on + datetime.timedelta(days=lag))
        self.frozen.set(self.recorded_on)

    def create(self) -> Plan:
        world, history = self.world, self.history
        self.at(history.created_on)
        self.plan = plan_create(
            actor=world.lead, partnership=world.partnership, title="Children and Young "
            "People's Plan", kind=history.kind, period_start=datetime.date(2009, 4, 1),
            period_end=datetime.date(2012, 3, 31), owning_body=world.board,
            lead_officer=world.lead,
            approving_bodies=[getattr(world, name) for name in history.bodies],
            executive_body=world.executive, subject_to_call_in=history.call_in,
            approval_route=history.route, created_on=history.created_on,
        )
        return self.plan

    def call(self, event: Event, on: datetime.date | None = None) -> Any:
        """Record ``event``, dated ``on`` (default: its own date)."""
        world, plan, day = self.world, self.plan, on or event.on
        assert plan is not None
        lead = world.lead
        if event.what == "version":
            return version_create(plan=plan, actor=lead, effective_on=day,
                                  content=valid_content(vision=f"Written on {event.on}."))
        if event.what == "open":
            return plan_start_consultation(plan=plan, actor=lead, opens_on=day)
        if event.what == "close":
            # The round's summary is published the day it closes: what a submission needs.
            plan = plan_close_consultation(plan=plan, actor=lead, closed_on=day)
            publish_summary(plan, lead, published_on=day)
            return plan
        if event.what == "submit":
            return plan_submit(plan=plan, actor=lead, submitted_on=day)
        assert event.what == "decide"
        return decision_record(
            plan=plan, actor=world.users[RECORDERS[event.body]],
            body=getattr(world, event.body), outcome=event.outcome, decided_on=day,
            attendance=8, votes_for=6, minute_reference=f"{event.body}/{event.on}",
        )

    def record(self, event: Event) -> Any:
        self.at(event.on, event.lag)
        return self.call(event)

    def adopt(self) -> Plan:
        """Adopt once the call-in period is over (or the executive's approval adopted it)."""
        plan = Plan.objects.get(pk=self.plan.pk)
        if plan.stage == Stage.CALL_IN:
            self.at(plan.call_in_ends_on + datetime.timedelta(days=1))
            plan = plan_adopt(plan=plan, actor=None)
        assert plan.stage == Stage.ADOPTED, plan.stage
        return plan


def field_of(event: Event) -> str:
    return {"version": "effective_on", "open": "opens_on", "close": "closed_on",
            "submit": "submitted_on", "decide": "decided_on"}[event.what]


# What the signed documents print.

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December")
FULL_DATE = re.compile(rf"\b(\d{{1,2}}) ({MONTHS}) (\d{{4}})\b")
TIME = re.compile(r'<time datetime="(\d{4}-\d{2}-\d{2})" data-event="([a-z0-9-]+)">([^<]*)</time>')


def printed(html: str) -> list[tuple[str, datetime.date, str]]:
    """Each dated event the document prints: (event, date, the text shown)."""
    return [(m[2], datetime.date.fromisoformat(m[1]), m[3]) for m in TIME.finditer(html)]


def full_dates(text: str) -> list[datetime.date]:
    return [datetime.datetime.strptime(" ".join(m.groups()), "%d %B %Y").date()
            for m in FULL_DATE.finditer(text)]


def signoff_html(plan: Plan) -> str:
    document = SignedDocument(kind="plan", plan=plan, version=plan.adopted_version,
                              key=record_key("plan", plan.adopted_version))
    return build_html(document)[0]


def notice_html(decision: Decision) -> str:
    document = SignedDocument(kind="decision_notice", plan=decision.plan,
                              version=decision.version, decision=decision,
                              key=record_key("decision_notice", decision.version,
                                             decision=decision))
    return build_html(document)[0]


def call_in_end(decided_on: datetime.date, days: int) -> datetime.date:
    return calendar.add_working_days(decided_on, days)
