"""The signed record tells one story: generated histories with past dates, driven through the
services, render a sign-off page and decision notices whose every date follows the order of
events; and any date out of that order is refused with a 400 naming both dates, writing
nothing.

The documents are rendered to HTML from the same context builder and templates as the PDF
(WeasyPrint is too slow for many examples); one generated history is rendered to a real PDF
and its text checked to print the same dates in the same order."""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from documents.models import Plan
from governance.models import AuditEvent, Decision
from governance.models import DecisionOutcome as O
from plangov import clock
from plangov.errors import InvalidInput
from tests.conftest import FrozenClock, add_full_council
from tests.histories import (
    Event,
    History,
    Recorder,
    field_of,
    full_dates,
    histories,
    notice_html,
    printed,
    signoff_html,
)
from workflows.chronology import fmt

pytestmark = pytest.mark.slow

ADOPTED = re.compile(r"[Aa]dopted\s+on\s+(\d{1,2} \w+ \d{4})")
# Everything a refused call must leave as it was.
STATE_SQL = """
SELECT p.stage, p.current_version_id, p.updated_at,
       (SELECT COUNT(*) FROM documents_planversion),
       (SELECT COUNT(submitted_on) FROM documents_planversion),
       (SELECT COUNT(*) FROM governance_decision),
       (SELECT COUNT(*) FROM governance_meeting),
       (SELECT COUNT(*) FROM governance_consultationround),
       (SELECT COUNT(closed_on) FROM governance_consultationround),
       (SELECT COUNT(*) FROM governance_auditevent)
FROM documents_plan p WHERE p.id = %s
"""
AUDITED_DATE = {"plan.create": "created_on", "version.create": "effective_on",
                "plan.start_consultation": "opens_on", "plan.close_consultation": "closed_on",
                "plan.submit": "submitted_on", "decision.record": "decided_on"}


def state(plan: Plan) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL, [plan.pk])
        return tuple(cursor.fetchone())


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class Model:
    """The dates each act must follow, kept from the history as it is recorded: an
    independent statement of the rules in workflows.chronology."""

    def __init__(self, history: History):
        self.history = history
        self.version_on: datetime.date | None = None
        self.open_on: datetime.date | None = None
        self.closed_on: datetime.date | None = None
        self.submitted_on: datetime.date | None = None
        self.last_decision_on: datetime.date | None = None
        self.on_version: list[Event] = []  # decisions on the current version

    def bound(self, event: Event) -> datetime.date:
        """The latest date ``event`` must not precede."""
        h = self.history
        if event.what == "version":
            bounds = [h.created_on, self.version_on, self.last_decision_on]
        elif event.what == "open":
            bounds = [h.created_on, self.version_on, self.closed_on, self.last_decision_on]
        elif event.what == "close":
            bounds = [self.open_on]
        elif event.what == "submit":
            bounds = [self.version_on, self.closed_on, self.last_decision_on]
        else:
            bounds = [self.submitted_on]
            bounds += [d.on for d in self.on_version if d.body == event.body]
            latest = {d.body: d for d in self.on_version}
            approving = [d for d in latest.values()
                         if d.body in h.bodies and d.outcome in O.approving()]
            if event.body == "executive":
                bounds += [d.on for d in approving]
            elif event.body == "full_council":
                bounds += [d.on for d in self.on_version if d.body == "executive"]
            elif h.route == "ordered":
                mine = h.bodies.index(event.body)
                bounds += [d.on for d in approving if h.bodies.index(d.body) < mine]
        return max(b for b in bounds if b is not None)

    def recorded(self, event: Event) -> None:
        if event.what == "version":
            self.version_on = event.on
        elif event.what == "open":
            self.open_on = event.on
        elif event.what == "close":
            self.closed_on = event.on
        elif event.what == "submit":
            self.submitted_on, self.on_version = event.on, []
        else:
            self.last_decision_on = event.on
            self.on_version.append(event)


def try_out_of_order(recorder: Recorder, model: Model, event: Event, days: int) -> None:
    """A date ``days`` before the one the act must follow is refused, naming both dates, and
    nothing is written."""
    bound = model.bound(event)
    bad = bound - datetime.timedelta(days=days)
    before = state(recorder.plan)
    with pytest.raises(InvalidInput) as refused:
        recorder.call(event, on=bad)
    assert refused.value.status == 400
    [(field, [message])] = refused.value.errors.items()
    assert field == field_of(event)
    assert fmt(bad) in message and fmt(bound) in message, (message, bad, bound)
    assert state(recorder.plan) == before, "a refused date wrote something"


def check_signoff(plan: Plan, history: History) -> None:
    html = signoff_html(plan)
    dates: dict[str, list[datetime.date]] = defaultdict(list)
    for event, day, shown in printed(html):
        assert fmt(day) in shown, (event, day, shown)
        dates[event].append(day)
    started, = dates["plan-started"]
    written, = dates["version-written"]
    submitted, = dates["submitted"]
    executive, = dates["executive-decision"]
    boards = dates["board-decision"]
    assert started <= written <= submitted
    rounds: list[datetime.date] = []
    number = 1
    while f"round-{number}-opened" in dates:
        rounds += dates[f"round-{number}-opened"] + dates[f"round-{number}-closed"]
        number += 1
    assert rounds == sorted(rounds), "consultation rounds overlap or run backwards"
    assert started <= (rounds or [started])[0]
    assert (rounds or [submitted])[-1] <= submitted
    assert len(boards) == len(history.bodies)
    assert all(submitted <= day <= executive for day in boards)
    ends = dates.get("call-in-ends", [])
    assert all(executive <= day for day in ends)
    adopted = [datetime.datetime.strptime(m, "%d %B %Y").date()
               for m in ADOPTED.findall(text_of(html))]
    assert adopted and all(day >= max([executive, *ends]) for day in adopted)
    # The dates printed are the record's own: the history's, for the version adopted.
    assert started == history.created_on
    last_submit = max(e.on for e in history.events if e.what == "submit")
    assert submitted == last_submit
    assert executive == max(e.on for e in history.events if e.body == "executive")
    council = dates.get("council-decision", [])
    assert all(executive <= day for day in council)
    assert all(day in adopted for day in council), "full council's decision adopts the plan"
    # Every full date in the consultation and sign-off chapters is one of those checked.
    tail = text_of(html[html.index('id="consultation"'):])
    known = {day for days in dates.values() for day in days} | set(adopted)
    assert set(full_dates(tail)) <= known


def check_notices(plan: Plan) -> None:
    last: dict[tuple[int, int], datetime.date] = {}
    approvals: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    required = set(plan.approving_bodies.values_list("pk", flat=True))
    for decision in Decision.objects.filter(plan=plan).select_related("body", "version",
                                                                        "meeting", "plan"):
        html = notice_html(decision)
        dates: dict[str, datetime.date] = {}
        for event, day, shown in printed(html):
            assert fmt(day) in shown, (event, day, shown)
            dates[event] = day
        decided = dates["decided"]
        assert decided == decision.decided_on == dates["meeting"]
        assert dates["version-written"] <= dates["submitted"] <= decided <= dates["recorded"]
        if "call-in-ends" in dates:
            assert decided <= dates["call-in-ends"]
        key = (decision.body_id, decision.version_id)
        assert decided >= last.get(key, decided), "a body's later decision dated before"
        last[key] = decided
        if decision.body_id in required and decision.is_approving:
            approvals[decision.version_id][decision.body_id] = decided
        if decision.body_id == plan.executive_body_id:
            assert all(decided >= day for day in approvals[decision.version_id].values())
        assert set(full_dates(text_of(html))) <= set(dates.values())


def check_audit(plan: Plan) -> None:
    """Each dated act is audited with the date it happened, and recorded no earlier."""
    for event in AuditEvent.objects.filter(plan=plan):
        field = AUDITED_DATE.get(event.action)
        if field is None:
            continue
        happened = datetime.date.fromisoformat(event.after[field])
        assert happened <= event.created_at.date(), (event.action, happened, event.created_at)


def drive(world: Any, frozen: FrozenClock, history: History, data: Any = None) -> Plan:
    recorder = Recorder(world, frozen, history)
    recorder.create()
    model = Model(history)
    for event in history.events:
        recorder.at(event.on, event.lag)
        if data is not None and data.draw(st.integers(0, 2), label="try out of order") == 0:
            try_out_of_order(recorder, model, event, data.draw(st.integers(1, 400),
                                                                label="days early"))
        recorder.call(event)
        model.recorded(event)
    return recorder.adopt()


def test_generated_histories_print_their_dates_in_the_order_of_events(world, monkeypatch):
    frozen = FrozenClock(datetime.datetime(2016, 7, 14, 10, tzinfo=datetime.UTC))
    monkeypatch.setattr(clock, "source", frozen)
    add_full_council(world)  # an endorsement goes to full council, which adopts
    runs = {"examples": 0, "cycles": 0}

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(history=histories(), data=st.data())
    def run(history: History, data: Any) -> None:
        with transaction.atomic():
            try:
                plan = drive(world, frozen, history, data)
                check_signoff(plan, history)
                check_notices(plan)
                check_audit(plan)
                runs["examples"] += 1
                runs["cycles"] += sum(e.what == "submit" for e in history.events) > 1
            finally:
                transaction.set_rollback(True)

    run()
    assert runs["examples"] >= 10 and runs["cycles"] > 0
    assert not Plan.objects.exists()


def test_one_generated_history_prints_the_same_dates_in_its_signed_pdf(world, monkeypatch):
    from pypdf import PdfReader

    from documents.publishing.pdf import html_to_pdf

    frozen = FrozenClock(datetime.datetime(2016, 7, 14, 10, tzinfo=datetime.UTC))
    monkeypatch.setattr(clock, "source", frozen)
    add_full_council(world)  # an endorsement goes to full council, which adopts
    # A history sent back once, consulted on, decided on by two boards after a deferral.
    history = find(histories(), lambda h: (
        sum(e.what == "submit" for e in h.events) > 1
        and any(e.what == "open" for e in h.events) and len(h.bodies) == 2
        and any(e.outcome == O.DEFERRED for e in h.events) and h.call_in
    ), settings=settings(database=None, derandomize=True, max_examples=5000))
    plan = drive(world, frozen, history)
    html = signoff_html(plan)
    check_signoff(plan, history)
    pdf, _ = html_to_pdf(html)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    in_html = full_dates(text_of(html))
    assert len(in_html) >= 8
    assert full_dates(re.sub(r"\s+", " ", text)) == in_html
    assert "open to call-in until" in re.sub(r"\s+", " ", text)
