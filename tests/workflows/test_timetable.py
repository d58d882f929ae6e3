"""The plan timetable: templates and seeding from the meeting diaries, saving (validation, one
audit event), planned against actual from a real history, the forward plan's clear days, and
the slippage flags."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.models import Plan, PlanKind
from governance.models import AuditEvent, Meeting
from governance.models import DecisionOutcome as O
from plangov.errors import Forbidden, InvalidInput, WrongStage
from tests.conftest import FrozenClock, World, add_full_council, make_plan
from tests.histories import Event, History, Recorder
from workflows.services import plan_withdraw
from workflows.timetable.models import Milestone, MilestoneKind
from workflows.timetable.record import (
    FlagCode,
    Status,
    clear_days,
    enough_notice,
    forward_plan_due_by,
    timetable_report,
)
from workflows.timetable.services import timetable_save, timetable_seed
from workflows.timetable.templates import TEMPLATES, add_months

K = MilestoneKind
D = datetime.date


# The forward plan: 28 clear days (2012 regulations, reg. 9), neither end counted.

@pytest.mark.parametrize(("published", "meeting", "days"), [
    (D(2016, 6, 15), D(2016, 7, 14), 28),   # 16 June .. 13 July
    (D(2016, 6, 16), D(2016, 7, 14), 27),
    (D(2016, 6, 1), D(2016, 7, 14), 42),
    (D(2016, 7, 13), D(2016, 7, 14), 0),    # the eve: no clear day between
    (D(2016, 7, 14), D(2016, 7, 14), 0),
    (D(2016, 7, 20), D(2016, 7, 14), 0),    # after the meeting
    (D(2016, 2, 1), D(2016, 3, 1), 28),     # across a leap day: 2..29 February
    (D(2015, 2, 1), D(2015, 3, 1), 27),
])
def test_clear_days_exclude_both_ends(published: D, meeting: D, days: int) -> None:
    assert clear_days(published, meeting) == days
    assert enough_notice(published, meeting) is (days >= 28)


def test_the_last_day_to_publish_gives_exactly_28_clear_days() -> None:
    meeting = D(2016, 7, 14)
    due = forward_plan_due_by(meeting)
    assert due == D(2016, 6, 15)
    assert clear_days(due, meeting) == 28
    assert not enough_notice(due + datetime.timedelta(days=1), meeting)


def test_add_months_keeps_the_day_or_takes_the_last() -> None:
    assert add_months(D(2009, 1, 31), 1) == D(2009, 2, 28)
    assert add_months(D(2008, 11, 30), 3) == D(2009, 2, 28)
    assert add_months(D(2009, 3, 15), -3) == D(2008, 12, 15)
    assert add_months(D(2009, 12, 1), 1) == D(2010, 1, 1)


# Seeding.

@pytest.fixture
def autumn_2008(frozen_clock: FrozenClock) -> FrozenClock:
    """Drafting York's 2009-12 plan: the consultation ran to the end of October 2008."""
    frozen_clock.set(D(2008, 9, 1))
    return frozen_clock


def kinds_and_dates(milestones: list[Milestone]) -> list[tuple[str, str, D]]:
    return [(m.kind, m.body.slug if m.body else "", m.target_on) for m in milestones]


def test_every_plan_kind_has_a_template_ending_with_executive_and_publication() -> None:
    for kind in PlanKind.values:
        steps = [s.kind for s in TEMPLATES[kind]]
        assert steps[-2:] == [K.EXECUTIVE_MEETING, K.PUBLICATION]
        assert (K.CONSULTATION_OPENS in steps) is PlanKind.needs_consultation(kind)


def test_seed_without_diary_meetings_falls_back_to_the_offsets(world: World,
                                                                autumn_2008: Any) -> None:
    plan = make_plan(world)
    proposed = timetable_seed(plan=plan, actor=world.lead)
    assert kinds_and_dates(proposed) == [
        (K.PRIORITIES_AGREED, "", D(2008, 9, 1)),
        (K.CONSULTATION_OPENS, "", D(2008, 10, 1)),
        (K.CONSULTATION_CLOSES, "", D(2008, 12, 1)),
        (K.CONSULTATION_OPENS, "", D(2009, 2, 1)),
        (K.CONSULTATION_CLOSES, "", D(2009, 3, 15)),
        # A joint route: both boards four weeks after the consultation closes.
        (K.BOARD_MEETING, "yorok-board", D(2009, 4, 12)),
        (K.BOARD_MEETING, "safeguarding-board", D(2009, 4, 12)),
        (K.EXECUTIVE_MEETING, "executive", D(2009, 5, 10)),
        (K.PUBLICATION, "", D(2009, 5, 31)),
    ]
    assert all(m.meeting is None for m in proposed)
    executive = proposed[7]
    assert executive.key_decision is True  # a CYPP is a key decision
    assert not Milestone.objects.exists()  # seeding proposes; it saves nothing


def diary(world: World) -> dict[str, Meeting]:
    meetings = {
        "old_board": Meeting.objects.create(body=world.board, date=D(2009, 1, 10)),
        "board": Meeting.objects.create(body=world.board, date=D(2009, 3, 20)),
        "board_later": Meeting.objects.create(body=world.board, date=D(2009, 5, 20)),
        "safeguarding": Meeting.objects.create(body=world.safeguarding, date=D(2009, 4, 2)),
        "executive_early": Meeting.objects.create(body=world.executive, date=D(2009, 3, 26)),
        "executive": Meeting.objects.create(body=world.executive, date=D(2009, 4, 16)),
    }
    return meetings


def test_seed_takes_each_body_first_diary_meeting_after_the_step_before(
        world: World, autumn_2008: Any) -> None:
    plan = make_plan(world)
    meetings = diary(world)
    proposed = timetable_seed(plan=plan, actor=world.lead)
    boards = [m for m in proposed if m.kind == K.BOARD_MEETING]
    # The consultation closes on 15 March 2009: each board's next meeting after it.
    assert {m.body.slug: (m.target_on, m.meeting) for m in boards} == {
        "yorok-board": (D(2009, 3, 20), meetings["board"]),
        "safeguarding-board": (D(2009, 4, 2), meetings["safeguarding"]),
    }
    executive = next(m for m in proposed if m.kind == K.EXECUTIVE_MEETING)
    # After the last board, not the executive's earlier meeting of 26 March.
    assert (executive.target_on, executive.meeting) == (D(2009, 4, 16), meetings["executive"])
    assert proposed[-1].target_on == D(2009, 5, 7)  # publication: three weeks on


def test_seed_on_an_ordered_route_takes_the_boards_one_after_another(
        world: World, autumn_2008: Any) -> None:
    from documents.services import plan_create

    plan = plan_create(
        actor=world.lead, partnership=world.partnership, title="Early Help Strategy",
        kind=PlanKind.STRATEGY, period_start=D(2009, 4, 1), period_end=D(2012, 3, 31),
        owning_body=world.board, lead_officer=world.lead,
        approving_bodies=[world.safeguarding, world.board], executive_body=world.executive,
        approval_route="ordered",
    )
    Meeting.objects.create(body=world.board, date=D(2009, 1, 5))
    Meeting.objects.create(body=world.board, date=D(2009, 1, 20))
    Meeting.objects.create(body=world.safeguarding, date=D(2009, 1, 12))
    proposed = timetable_seed(plan=plan, actor=world.lead)
    boards = [(m.body.slug, m.target_on) for m in proposed if m.kind == K.BOARD_MEETING]
    # The consultation closes on 1 December 2008; safeguarding first, then the board at
    # its first meeting after safeguarding's (not its meeting of 5 January).
    assert boards == [("safeguarding-board", D(2009, 1, 12)), ("yorok-board", D(2009, 1, 20))]


def test_seed_backwards_from_the_executive_meeting(world: World, autumn_2008: Any) -> None:
    plan = make_plan(world)
    meetings = diary(world)
    proposed = timetable_seed(plan=plan, actor=world.lead,
                              executive_meeting_on=D(2009, 4, 16))
    assert kinds_and_dates(proposed) == [
        (K.PRIORITIES_AGREED, "", D(2008, 8, 9)),
        (K.CONSULTATION_OPENS, "", D(2008, 9, 9)),
        (K.CONSULTATION_CLOSES, "", D(2008, 11, 9)),
        (K.CONSULTATION_OPENS, "", D(2009, 1, 9)),
        (K.CONSULTATION_CLOSES, "", D(2009, 2, 20)),   # four weeks before the first board
        (K.BOARD_MEETING, "yorok-board", D(2009, 3, 20)),
        (K.BOARD_MEETING, "safeguarding-board", D(2009, 4, 2)),
        (K.EXECUTIVE_MEETING, "executive", D(2009, 4, 16)),
        (K.PUBLICATION, "", D(2009, 5, 7)),
    ]
    assert proposed[7].meeting == meetings["executive"]


def test_seed_backwards_without_diary_uses_the_offsets(world: World,
                                                       autumn_2008: Any) -> None:
    plan = make_plan(world, kind=PlanKind.ACTION_PLAN)
    proposed = timetable_seed(plan=plan, actor=world.lead,
                              executive_meeting_on=D(2009, 6, 25))
    assert kinds_and_dates(proposed) == [
        (K.PRIORITIES_AGREED, "", D(2009, 3, 28)),
        (K.BOARD_MEETING, "yorok-board", D(2009, 5, 28)),
        (K.BOARD_MEETING, "safeguarding-board", D(2009, 5, 28)),
        (K.EXECUTIVE_MEETING, "executive", D(2009, 6, 25)),
        (K.PUBLICATION, "", D(2009, 7, 16)),
    ]
    assert proposed[3].key_decision is False  # an action plan is not a key decision


def test_only_who_manages_the_plan_may_seed(world: World, autumn_2008: Any) -> None:
    plan = make_plan(world)
    with pytest.raises(Forbidden):
        timetable_seed(plan=plan, actor=world.board_secretary)


# Saving.

def rows(world: World, **overrides: Any) -> list[dict[str, Any]]:
    milestones = [
        {"kind": K.PRIORITIES_AGREED, "target_on": D(2008, 9, 15)},
        {"kind": K.CONSULTATION_OPENS, "target_on": D(2008, 10, 1)},
        {"kind": K.CONSULTATION_CLOSES, "target_on": D(2008, 10, 31)},
        {"kind": K.BOARD_MEETING, "body": world.board, "target_on": D(2009, 1, 20)},
        {"kind": K.BOARD_MEETING, "body": world.safeguarding, "target_on": D(2009, 1, 22)},
        {"kind": K.EXECUTIVE_MEETING, "target_on": D(2009, 2, 12), "key_decision": True,
         "forward_plan_published_on": None},
        {"kind": K.PUBLICATION, "target_on": D(2009, 2, 26), "note": "Print run <b>500</b>"},
    ]
    for key, value in overrides.items():
        index, name = key.split("__")
        milestones[int(index[1:])][name] = value
    return milestones


def test_save_replaces_the_timetable_with_one_audit_event(world: World,
                                                         autumn_2008: Any) -> None:
    plan = make_plan(world)
    meeting = Meeting.objects.create(body=world.board, date=D(2009, 1, 20))
    before = AuditEvent.objects.count()
    saved = timetable_save(plan=plan, milestones=rows(world), actor=world.lead)
    assert [m.position for m in saved] == list(range(7))
    assert saved[3].meeting == meeting  # linked to the board's diary meeting that day
    assert saved[5].body == world.executive
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.plan_id, event.actor_id) == ("timetable.save", plan.pk,
                                                             world.lead.pk)
    assert "Print run" not in str(event.after)  # notes are hashed, never kept
    assert event.after["milestones"][3] == {
        "kind": "board_meeting", "body": "yorok-board", "meeting": meeting.pk,
        "target_on": "2009-01-20", "key_decision": False, "forward_plan_published_on": None}
    # Saving the same again changes nothing and records nothing.
    timetable_save(plan=plan, milestones=rows(world), actor=world.lead)
    assert AuditEvent.objects.count() == before + 1
    # A shorter timetable replaces the longer one, as one more event.
    timetable_save(plan=plan, milestones=rows(world)[:2], actor=world.lead)
    assert plan.milestones.count() == 2
    assert AuditEvent.objects.count() == before + 2


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"m3__target_on": D(2009, 3, 1)}, "milestones[3].target_on", "after the executive"),
    ({"m0__target_on": D(2005, 1, 1)}, "milestones[0].target_on", "outside"),
    ({"m0__target_on": D(2012, 4, 1)}, "milestones[0].target_on", "outside"),
    ({"m0__target_on": None}, "milestones[0].target_on", "Give the target date"),
    ({"m0__kind": "tea_party"}, "milestones[0].kind", "Choose one of"),
    ({"m0__kind": K.OTHER}, "milestones[0].label", "Say what"),
    ({"m3__body": None}, "milestones[3].body", "Choose the board"),
    ({"m0__body": "board"}, "milestones[0].body", "partnership"),
    ({"m1__key_decision": True}, "milestones[1].key_decision", "Only the executive"),
    ({"m5__target_on": D(2008, 8, 20), "m5__forward_plan_published_on": D(2008, 8, 20)},
     "milestones[5].forward_plan_published_on", "not before the executive"),
    ({"m5__forward_plan_published_on": D(2008, 9, 2)},
     "milestones[5].forward_plan_published_on", "in the future"),
    ({"m6__note": "Ready\x0b to print"}, "milestones[6].note", "U+000B"),
    ({"m6__label": "Launch\nevent"}, "milestones[6].label", "one line"),
    ({"m6__label": "x" * 201}, "milestones[6].label", "under 200"),
])
def test_save_refuses_bad_milestones_naming_each_field(
        world: World, autumn_2008: Any, overrides: dict[str, Any], field: str,
        words: str) -> None:
    plan = make_plan(world)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        timetable_save(plan=plan, milestones=rows(world, **overrides), actor=world.lead)
    assert field in refused.value.errors, refused.value.errors
    assert words in " ".join(refused.value.errors[field])
    assert not Milestone.objects.exists()
    assert AuditEvent.objects.count() == before


def test_save_refuses_a_body_of_another_partnership(world: World, autumn_2008: Any) -> None:
    from tests.factories import BodyFactory

    plan = make_plan(world)
    stranger = BodyFactory(name="Elsewhere Board")
    with pytest.raises(InvalidInput) as refused:
        timetable_save(plan=plan, milestones=rows(world, m3__body=stranger), actor=world.lead)
    assert list(refused.value.errors) == ["milestones[3].body"]


def test_full_council_meeting_needs_a_full_council(world: World, autumn_2008: Any) -> None:
    plan = make_plan(world)
    council = [{"kind": K.FULL_COUNCIL_MEETING, "target_on": D(2009, 3, 5)}]
    with pytest.raises(InvalidInput) as refused:
        timetable_save(plan=plan, milestones=council, actor=world.lead)
    assert "no full council" in refused.value.errors["milestones[0].body"][0]
    add_full_council(world)
    saved = timetable_save(plan=plan, milestones=council, actor=world.lead)
    assert saved[0].body == world.full_council


def test_only_the_lead_officer_or_deputy_saves(world: World, autumn_2008: Any) -> None:
    plan = make_plan(world)
    for who in ("board_secretary", "executive_member", "auditor", "outsider"):
        with pytest.raises(Forbidden):
            timetable_save(plan=plan, milestones=rows(world), actor=world.users[who])
    assert not Milestone.objects.exists()


def test_a_withdrawn_plan_timetable_is_closed(world: World, autumn_2008: Any) -> None:
    plan = make_plan(world)
    timetable_save(plan=plan, milestones=rows(world), actor=world.lead)
    autumn_2008.set(D(2009, 6, 1))
    assert FlagCode.OVERDUE in {f.code for f in timetable_report(plan).flags}
    plan = plan_withdraw(plan=plan, actor=world.lead, reason="Replaced by a joint plan.")
    with pytest.raises(WrongStage):
        timetable_save(plan=plan, milestones=rows(world), actor=world.lead)
    # Its milestones will never happen: still overdue, no longer a warning each.
    report = timetable_report(plan)
    assert report.rows[0].status == Status.OVERDUE
    assert FlagCode.OVERDUE not in {f.code for f in report.flags}


# Planned against actual, from a real history.

def run_history(world: World, frozen: FrozenClock, events: list[Event]) -> tuple[Plan,
                                                                                Recorder]:
    history = History(kind=PlanKind.CYPP, bodies=["board", "safeguarding"], route="joint",
                      call_in=True, created_on=D(2008, 9, 1), replay=False)
    recorder = Recorder(world, frozen, history)
    plan = recorder.create()
    timetable_save(plan=plan, milestones=rows(world), actor=world.lead)
    for event in events:
        recorder.record(event)
    # The executive's secretary published the forward plan on 14 January 2009; the
    # coordinator records it once it is out.
    timetable_save(plan=plan, milestones=rows(world, m5__forward_plan_published_on=D(
        2009, 1, 14)), actor=world.lead)
    return plan, recorder


HISTORY = [
    Event("version", D(2008, 9, 20)),
    Event("open", D(2008, 10, 1)),
    Event("close", D(2008, 10, 31)),
    Event("submit", D(2008, 11, 5)),
    Event("decide", D(2009, 1, 20), "board", O.APPROVED),
    Event("decide", D(2009, 1, 29), "safeguarding", O.APPROVED),
    Event("decide", D(2009, 2, 12), "executive", O.APPROVED),
]


@pytest.mark.slow
def test_actual_dates_come_from_the_record(world: World, frozen_clock: FrozenClock) -> None:
    plan, recorder = run_history(world, frozen_clock, HISTORY)
    plan = recorder.adopt()
    report = timetable_report(plan)
    got = [(r.milestone.kind, r.actual_on, r.status, r.days) for r in report.rows]
    assert got == [
        (K.PRIORITIES_AGREED, D(2008, 9, 20), Status.LATE, 5),  # the first version
        (K.CONSULTATION_OPENS, D(2008, 10, 1), Status.DONE, 0),
        (K.CONSULTATION_CLOSES, D(2008, 10, 31), Status.DONE, 0),
        (K.BOARD_MEETING, D(2009, 1, 20), Status.DONE, 0),
        (K.BOARD_MEETING, D(2009, 1, 29), Status.LATE, 7),
        (K.EXECUTIVE_MEETING, D(2009, 2, 12), Status.DONE, 0),
        # Adopted when the five working days of call-in ran out.
        (K.PUBLICATION, plan.adopted_on, Status.DONE, 0),
    ]
    assert plan.adopted_on == D(2009, 2, 19)
    # 14 January to 12 February: 28 clear days, enough notice; the only flags are lateness.
    assert report.rows[5].forward_plan_clear_days == 28
    assert [(f.code, f.milestone) for f in report.flags] == [
        (FlagCode.LATE, 0), (FlagCode.LATE, 4)]


def test_part_way_through_due_and_overdue_by_the_clock(world: World,
                                                       frozen_clock: FrozenClock) -> None:
    plan, _ = run_history(world, frozen_clock, HISTORY[:5])
    frozen_clock.set(D(2009, 1, 25))
    report = timetable_report(plan)
    got = [(r.status, r.days) for r in report.rows]
    assert got == [(Status.LATE, 5), (Status.DONE, 0), (Status.DONE, 0), (Status.DONE, 0),
                   (Status.OVERDUE, 3), (Status.DUE, 0), (Status.DUE, 0)]
    assert report.rows[4].status_label == "Overdue by 3 days"
    overdue = [f for f in report.flags if f.code == FlagCode.OVERDUE]
    assert [f.milestone for f in overdue] == [4]
    assert "Children's Safeguarding Board's meeting was due on 22 January 2009" in \
        overdue[0].message


def test_a_board_held_after_the_executive_planned_date_is_flagged(
        world: World, frozen_clock: FrozenClock) -> None:
    late_board = [*HISTORY[:5], Event("decide", D(2009, 2, 20), "safeguarding", O.APPROVED)]
    plan, _ = run_history(world, frozen_clock, late_board)
    report = timetable_report(plan)
    codes = {(f.code, f.milestone) for f in report.flags}
    assert (FlagCode.BOARD_AFTER_EXECUTIVE, 4) in codes
    # The executive has not met and its planned day has passed.
    assert (FlagCode.OVERDUE, 5) in codes
    message = next(f.message for f in report.flags if f.code == FlagCode.BOARD_AFTER_EXECUTIVE)
    assert "was held on 20 February 2009, after the executive's meeting planned on " \
        "12 February 2009" in message


def test_a_deferral_then_the_decision_match_two_board_meetings(
        world: World, frozen_clock: FrozenClock) -> None:
    events = [*HISTORY[:4], Event("decide", D(2009, 1, 20), "board", O.DEFERRED),
              Event("decide", D(2009, 2, 24), "board", O.APPROVED)]
    plan, _ = run_history(world, frozen_clock, events)
    timetable_save(plan=plan, actor=world.lead, milestones=[
        {"kind": K.BOARD_MEETING, "body": world.board, "target_on": D(2009, 1, 20)},
        {"kind": K.BOARD_MEETING, "body": world.board, "target_on": D(2009, 2, 17)},
        {"kind": K.BOARD_MEETING, "body": world.safeguarding, "target_on": D(2009, 3, 17)},
    ])
    report = timetable_report(plan)
    assert [(r.actual_on, r.status, r.days) for r in report.rows] == [
        (D(2009, 1, 20), Status.DONE, 0), (D(2009, 2, 24), Status.LATE, 7),
        (None, Status.DUE, 0)]


# Flags on the forward plan.

def executive_only(published: D | None, *, key: bool = True) -> list[dict[str, Any]]:
    return [{"kind": K.EXECUTIVE_MEETING, "target_on": D(2009, 7, 14), "key_decision": key,
             "forward_plan_published_on": published}]


@pytest.mark.parametrize(("published", "flagged"), [
    (D(2009, 6, 15), False),  # 28 clear days
    (D(2009, 6, 16), True),   # 27
])
def test_key_decision_needs_28_clear_days_on_the_forward_plan(
        world: World, frozen_clock: FrozenClock, published: D, flagged: bool) -> None:
    frozen_clock.set(D(2009, 6, 30))
    plan = make_plan(world)
    timetable_save(plan=plan, milestones=executive_only(published), actor=world.lead)
    report = timetable_report(plan)
    codes = [f.code for f in report.flags]
    assert (FlagCode.FORWARD_PLAN_LATE in codes) is flagged
    assert report.rows[0].forward_plan_due_by == D(2009, 6, 15)


def test_key_decision_with_no_notice_recorded_is_flagged(world: World,
                                                         frozen_clock: FrozenClock) -> None:
    frozen_clock.set(D(2009, 6, 30))
    plan = make_plan(world)
    timetable_save(plan=plan, milestones=executive_only(None), actor=world.lead)
    flags = timetable_report(plan).flags
    assert [f.code for f in flags] == [FlagCode.FORWARD_PLAN_MISSING]
    assert "published by 15 June 2009" in flags[0].message
    # Not a key decision: no notice is needed.
    timetable_save(plan=plan, milestones=executive_only(None, key=False), actor=world.lead)
    assert timetable_report(plan).flags == []


def test_other_milestones_are_not_in_the_record(world: World,
                                                frozen_clock: FrozenClock) -> None:
    frozen_clock.set(D(2009, 6, 30))
    plan = make_plan(world)
    timetable_save(plan=plan, actor=world.lead, milestones=[
        {"kind": K.OTHER, "label": "Youth panel reads the draft", "target_on": D(2009, 1, 5)}])
    report = timetable_report(plan)
    assert (report.rows[0].status, report.flags) == (Status.UNTRACKED, [])


# Properties.

@given(published=st.dates(D(2000, 1, 1), D(2030, 12, 31)),
       gap=st.integers(-5, 60))
def test_clear_days_count_the_days_strictly_between(published: D, gap: int) -> None:
    meeting = published + datetime.timedelta(days=gap)
    between = sum(1 for n in range(1, max(gap, 0))
                  if published < published + datetime.timedelta(days=n) < meeting)
    assert clear_days(published, meeting) == between
    assert enough_notice(published, meeting) is (published <= forward_plan_due_by(meeting))


@pytest.mark.slow
def test_generated_histories_against_a_seeded_timetable(world: World,
                                                        frozen_clock: FrozenClock) -> None:
    """Any history the services accept, against the timetable its template suggests: every
    actual date is the record's own (rounds, decisions in order, adoption), and the status
    follows from the dates."""
    from django.db import transaction

    from governance.models import ConsultationRound, Decision
    from tests.histories import histories

    add_full_council(world)
    runs = {"examples": 0}

    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(history=histories())
    def run(history: History) -> None:
        with transaction.atomic():
            try:
                recorder = Recorder(world, frozen_clock, history)
                plan = recorder.create()
                proposed = timetable_seed(plan=plan, actor=world.lead)
                fields = ("kind", "label", "body", "target_on", "key_decision")
                timetable_save(plan=plan, actor=world.lead, milestones=[
                    {f: getattr(m, f) for f in fields} for m in proposed])
                for event in history.events:
                    recorder.record(event)
                plan = recorder.adopt()
                report = timetable_report(plan)
                rounds = list(ConsultationRound.objects.filter(plan=plan).order_by("number"))
                decisions = list(Decision.objects.filter(plan=plan).order_by("decided_on",
                                                                             "pk"))
                expected: dict[Any, list[D]] = {
                    K.PRIORITIES_AGREED: [plan.versions.get(number=1).effective_on],
                    K.CONSULTATION_OPENS: [r.opens_on for r in rounds],
                    K.CONSULTATION_CLOSES: [r.closed_on for r in rounds],
                    K.PUBLICATION: [plan.adopted_on],
                    K.EXECUTIVE_MEETING: [d.decided_on for d in decisions
                                          if d.body_id == world.executive.pk],
                }
                seen: dict[Any, int] = {}
                for row in report.rows:
                    m = row.milestone
                    key = m.body_id if m.kind == K.BOARD_MEETING else m.kind
                    dates = expected.get(key) if key in expected else [
                        d.decided_on for d in decisions if d.body_id == m.body_id]
                    n = seen[key] = seen.get(key, -1) + 1
                    assert row.actual_on == (dates[n] if n < len(dates) else None)
                    if row.actual_on is None:
                        assert row.status in (Status.DUE, Status.OVERDUE)
                    else:
                        late = (row.actual_on - m.target_on).days
                        assert (row.status, row.days) == (
                            (Status.LATE, late) if late > 0 else (Status.DONE, 0))
                runs["examples"] += 1
            finally:
                transaction.set_rollback(True)

    run()
    assert runs["examples"] >= 5
