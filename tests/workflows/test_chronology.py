"""Dates in the order of events (workflows.chronology), through the services: each rule on its
own, refused with a 400 naming both dates and writing nothing, and the orderings allowed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from documents.models import ApprovalRoute, Plan, PlanKind, PlanVersion, Stage
from documents.services import plan_create, version_create
from governance.models import AuditEvent, ConsultationRound, Decision, Meeting
from governance.models import DecisionOutcome as O
from plangov.errors import InvalidInput
from tests.conftest import (
    World,
    call_in_outcome,
    call_in_request,
    decide,
    make_plan,
    publish_summary,
)
from tests.factories import valid_content
from workflows.services import (
    plan_adopt,
    plan_close_consultation,
    plan_start_consultation,
    plan_submit,
)

D = datetime.date


def replayed(world: World, *, bodies: list[Any] | None = None, route: str = "joint",
             submit: bool = True) -> Plan:
    """A plan brought onto plangov in July 2016 with its 2008-09 history: started 1 September
    2008, version 1 written 15 September, consulted on from 1 October to 19 December, and
    submitted on 6 March 2009."""
    plan = plan_create(
        actor=world.lead, partnership=world.partnership, title="Children and Young People's Plan",
        kind=PlanKind.CYPP, period_start=D(2009, 4, 1), period_end=D(2012, 3, 31),
        owning_body=world.board, lead_officer=world.lead,
        approving_bodies=bodies or [world.board, world.safeguarding],
        executive_body=world.executive, approval_route=route, created_on=D(2008, 9, 1),
    )
    version_create(plan=plan, actor=world.lead, content=valid_content(),
                   effective_on=D(2008, 9, 15))
    plan_start_consultation(plan=plan, actor=world.lead, opens_on=D(2008, 10, 1))
    plan_close_consultation(plan=plan, actor=world.lead, closed_on=D(2008, 12, 19))
    publish_summary(plan, world.lead, published_on=D(2009, 1, 30))
    if submit:
        plan_submit(plan=plan, actor=world.lead, submitted_on=D(2009, 3, 6))
    plan.refresh_from_db()
    return plan


def written() -> tuple[int, ...]:
    """Counts of every row a dated act writes."""
    return (AuditEvent.objects.count(), Decision.objects.count(), Meeting.objects.count(),
            PlanVersion.objects.count(), PlanVersion.objects.exclude(submitted_on=None).count(),
            ConsultationRound.objects.count(),
            ConsultationRound.objects.exclude(closed_on=None).count(), Plan.objects.count())


def refused(call: Any, field: str, *dates: str) -> str:
    """``call`` is refused on ``field``, naming each of ``dates``, and writes nothing."""
    before = written()
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.status == 400
    assert list(caught.value.errors) == [field]
    [message] = caught.value.errors[field]
    for day in dates:
        assert day in message, (day, message)
    assert written() == before
    return message


# The bug in issue 12: a signed sign-off page that contradicted itself.


def test_a_board_approval_dated_before_the_submission_is_refused(world, frozen_clock):
    plan = replayed(world)
    message = refused(lambda: decide(world, plan, world.board, O.APPROVED,
                                     decided_on=D(2009, 3, 3)),
                      "decided_on", "3 March 2009", "6 March 2009")
    assert message == ("YorOK Board's decision dated 3 March 2009 is before version 1 was "
                       "submitted on 6 March 2009.")
    # On the day of the submission, or after, it is recorded.
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 3, 6))


def test_the_executive_cannot_approve_before_the_last_board_did(world, frozen_clock):
    plan = replayed(world)
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 3, 10))
    decide(world, plan, world.safeguarding, O.APPROVED, decided_on=D(2009, 3, 17))
    message = refused(lambda: decide(world, plan, world.executive, O.APPROVED,
                                     decided_on=D(2009, 3, 12)),
                      "decided_on", "12 March 2009", "17 March 2009")
    assert "Children's Safeguarding Board approved version 1" in message
    decide(world, plan, world.executive, O.APPROVED, decided_on=D(2009, 3, 17))
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    assert plan.call_in_ends_on == D(2009, 3, 24)  # five working days from its own date


def test_a_decision_after_a_deferral_is_not_dated_before_it(world, frozen_clock):
    plan = replayed(world)
    decide(world, plan, world.board, O.DEFERRED, decided_on=D(2009, 3, 10))
    message = refused(lambda: decide(world, plan, world.board, O.APPROVED,
                                     decided_on=D(2009, 3, 9)),
                      "decided_on", "9 March 2009", "10 March 2009")
    assert "its earlier decision on version 1 (deferred)" in message
    # Another body's earlier deferral does not bind it.
    decide(world, plan, world.safeguarding, O.APPROVED, decided_on=D(2009, 3, 7))
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 3, 10))


def test_the_executive_after_its_own_deferral(world, frozen_clock):
    plan = replayed(world)
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 3, 10))
    decide(world, plan, world.safeguarding, O.APPROVED, decided_on=D(2009, 3, 10))
    decide(world, plan, world.executive, O.DEFERRED, decided_on=D(2009, 4, 2))
    refused(lambda: decide(world, plan, world.executive, O.APPROVED, decided_on=D(2009, 4, 1)),
            "decided_on", "1 April 2009", "2 April 2009")


def test_an_ordered_route_decides_in_its_order(world, frozen_clock):
    plan = replayed(world, bodies=[world.board, world.safeguarding],
                    route=ApprovalRoute.ORDERED)
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 3, 10))
    refused(lambda: decide(world, plan, world.safeguarding, O.APPROVED,
                           decided_on=D(2009, 3, 9)),
            "decided_on", "9 March 2009", "10 March 2009")


def test_a_referral_back_starts_a_new_cycle_that_follows_it(world, frozen_clock):
    plan = replayed(world)
    decide(world, plan, world.board, O.REFERRED_BACK, decided_on=D(2009, 3, 10))
    refused(lambda: version_create(plan=plan, actor=world.lead, content=valid_content(),
                                   effective_on=D(2009, 3, 1)),
            "effective_on", "1 March 2009", "10 March 2009")
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Redrafted."),
                   effective_on=D(2009, 3, 20))
    refused(lambda: plan_submit(plan=plan, actor=world.lead, submitted_on=D(2009, 3, 15)),
            "submitted_on", "15 March 2009", "20 March 2009")
    plan_submit(plan=plan, actor=world.lead, submitted_on=D(2009, 4, 1))
    # Version 2 is decided on after its own submission, not version 1's.
    refused(lambda: decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 3, 25)),
            "decided_on", "25 March 2009", "1 April 2009")
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 4, 7))


def to_executive_decision(world: World, frozen_clock: Any) -> Plan:
    frozen_clock.set(D(2016, 7, 25))
    plan = replayed(world)
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2016, 7, 11))
    decide(world, plan, world.safeguarding, O.APPROVED, decided_on=D(2016, 7, 11))
    decide(world, plan, world.executive, O.APPROVED, decided_on=D(2016, 7, 13))
    plan.refresh_from_db()
    return plan


def test_a_call_in_request_is_not_dated_before_the_executive_decided(world, frozen_clock):
    plan = to_executive_decision(world, frozen_clock)
    refused(lambda: call_in_request(world, plan, requested_on=D(2016, 7, 12)),
            "requested_on", "12 July 2016", "13 July 2016")


def test_a_reconsidered_executive_decision_follows_the_referral_back(world, frozen_clock):
    plan = to_executive_decision(world, frozen_clock)
    call_in_request(world, plan, requested_on=D(2016, 7, 14))
    call_in_outcome(world, plan, "referred_to_executive", decided_on=D(2016, 7, 18))
    plan.refresh_from_db()
    refused(lambda: decide(world, plan, world.executive, O.APPROVED, decided_on=D(2016, 7, 15)),
            "decided_on", "15 July 2016", "18 July 2016")
    decide(world, plan, world.executive, O.APPROVED, decided_on=D(2016, 7, 19))
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == D(2016, 7, 19)


# Effective dates of plans and versions.


def test_a_plan_may_be_started_in_the_past_but_not_the_future(world, frozen_clock):
    refused(lambda: plan_create(
        actor=world.lead, partnership=world.partnership, title="Plan", kind=PlanKind.CYPP,
        period_start=D(2009, 4, 1), period_end=D(2012, 3, 31), owning_body=world.board,
        lead_officer=world.lead, approving_bodies=[world.board], executive_body=world.executive,
        created_on=D(2016, 7, 15)), "created_on", "15 July 2016", "14 July 2016")
    plan = make_plan(world)
    assert plan.created_on == D(2016, 7, 14)  # today, by default


def test_a_version_follows_the_plan_and_the_version_before(world, frozen_clock):
    plan = replayed(world, submit=False)
    refused(lambda: version_create(plan=plan, actor=world.lead, content=valid_content(),
                                   effective_on=D(2008, 9, 10)),
            "effective_on", "10 September 2008", "15 September 2008")
    refused(lambda: version_create(plan=plan, actor=world.lead, content=valid_content(),
                                   effective_on=D(2016, 7, 15)),
            "effective_on", "15 July 2016", "14 July 2016")
    other = make_plan(world)
    other.created_on = D(2008, 9, 1)
    other.save()
    refused(lambda: version_create(plan=other, actor=world.lead, content=valid_content(),
                                   effective_on=D(2008, 8, 31)),
            "effective_on", "31 August 2008", "1 September 2008")
    # The same day as the version before is in order.
    version = version_create(plan=plan, actor=world.lead, content=valid_content(),
                             effective_on=D(2008, 9, 15))
    assert (version.number, version.effective_on) == (2, D(2008, 9, 15))
    assert version.created_at.date() == D(2016, 7, 14)


# Consultation.


def test_a_round_opens_after_the_version_it_consults_on(world, frozen_clock):
    plan = replayed(world, submit=False)
    version_create(plan=plan, actor=world.lead, content=valid_content(),
                   effective_on=D(2009, 1, 5))
    refused(lambda: plan_start_consultation(plan=plan, actor=world.lead, opens_on=D(2009, 1, 4)),
            "opens_on", "4 January 2009", "5 January 2009")


def test_a_round_opens_after_the_round_before_closed(world, frozen_clock):
    plan = replayed(world, submit=False)
    message = refused(lambda: plan_start_consultation(plan=plan, actor=world.lead,
                                                      opens_on=D(2008, 12, 1)),
                      "opens_on", "1 December 2008", "19 December 2008")
    assert "consultation round 1 closed" in message
    refused(lambda: plan_start_consultation(plan=plan, actor=world.lead,
                                            opens_on=D(2016, 7, 15)),
            "opens_on", "15 July 2016", "14 July 2016")
    refused(lambda: plan_start_consultation(plan=plan, actor=world.lead, opens_on=D(2009, 1, 5),
                                            closes_on=D(2009, 1, 4)),
            "closes_on", "4 January 2009", "5 January 2009")
    plan_start_consultation(plan=plan, actor=world.lead, opens_on=D(2009, 1, 5),
                            closes_on=D(2009, 2, 27))
    round_ = plan.consultation_rounds.get(number=2)
    assert (round_.opens_on, round_.closes_on) == (D(2009, 1, 5), D(2009, 2, 27))


def test_a_round_closes_after_it_opened(world, frozen_clock):
    plan = make_plan(world)
    plan.created_on = D(2008, 9, 1)
    plan.save()
    plan_start_consultation(plan=plan, actor=world.lead, opens_on=D(2008, 10, 1))
    refused(lambda: plan_close_consultation(plan=plan, actor=world.lead,
                                            closed_on=D(2008, 9, 30)),
            "closed_on", "30 September 2008", "1 October 2008")
    refused(lambda: plan_close_consultation(plan=plan, actor=world.lead,
                                            closed_on=D(2016, 7, 15)),
            "closed_on", "15 July 2016", "14 July 2016")
    plan_close_consultation(plan=plan, actor=world.lead, closed_on=D(2008, 10, 1))
    round_ = plan.consultation_rounds.get()
    assert round_.closed_on == D(2008, 10, 1)
    assert round_.closed_at.date() == D(2016, 7, 14)


# Submission.


def test_a_submission_follows_the_version_and_the_last_round(world, frozen_clock):
    plan = replayed(world, submit=False)
    message = refused(lambda: plan_submit(plan=plan, actor=world.lead,
                                          submitted_on=D(2008, 12, 18)),
                      "submitted_on", "18 December 2008", "19 December 2008")
    assert "consultation round 1 closed" in message
    refused(lambda: plan_submit(plan=plan, actor=world.lead, submitted_on=D(2016, 7, 15)),
            "submitted_on", "15 July 2016", "14 July 2016")
    version_create(plan=plan, actor=world.lead, content=valid_content(),
                   effective_on=D(2009, 1, 20))
    refused(lambda: plan_submit(plan=plan, actor=world.lead, submitted_on=D(2009, 1, 19)),
            "submitted_on", "19 January 2009", "20 January 2009")
    plan_submit(plan=plan, actor=world.lead, submitted_on=D(2009, 1, 20))
    version = plan.versions.get(number=2)
    assert version.submitted_on == D(2009, 1, 20)
    assert version.submitted_at.date() == D(2016, 7, 14)


def test_an_action_plan_needs_no_consultation_but_follows_any_round_it_had(world, frozen_clock):
    plan = make_plan(world, kind=PlanKind.ACTION_PLAN)
    plan.created_on = D(2008, 9, 1)
    plan.save()
    version_create(plan=plan, actor=world.lead, content=valid_content(),
                   effective_on=D(2008, 9, 2))
    plan_start_consultation(plan=plan, actor=world.lead, opens_on=D(2008, 9, 3))
    plan_close_consultation(plan=plan, actor=world.lead, closed_on=D(2008, 9, 30))
    refused(lambda: plan_submit(plan=plan, actor=world.lead, submitted_on=D(2008, 9, 29)),
            "submitted_on", "29 September 2008", "30 September 2008")


def test_a_refused_date_comes_after_the_stage_and_permission_checks(world, frozen_clock):
    from plangov.errors import Forbidden

    plan = replayed(world, submit=False)
    with pytest.raises(Forbidden):
        plan_submit(plan=plan, actor=world.outsider, submitted_on=D(2000, 1, 1))


# Audit: the date it happened and the time it was recorded.


def test_every_dated_act_is_audited_with_its_date_and_its_recording_time(world, frozen_clock):
    plan = replayed(world)
    decide(world, plan, world.board, O.APPROVED, decided_on=D(2009, 3, 10))
    decide(world, plan, world.safeguarding, O.APPROVED, decided_on=D(2009, 3, 11))
    decide(world, plan, world.executive, O.APPROVED, decided_on=D(2009, 3, 12))
    plan_adopt(plan=plan, actor=world.lead)
    expected = {
        "plan.create": ("created_on", "2008-09-01"),
        "version.create": ("effective_on", "2008-09-15"),
        "plan.start_consultation": ("opens_on", "2008-10-01"),
        "plan.close_consultation": ("closed_on", "2008-12-19"),
        "plan.submit": ("submitted_on", "2009-03-06"),
    }
    events = list(AuditEvent.objects.filter(plan=plan).order_by("seq"))
    for event in events:
        assert event.created_at.date() == D(2016, 7, 14)  # when it was recorded
        if event.action in expected:
            field, day = expected[event.action]
            assert event.after[field] == day
    decided = [e.after["decided_on"] for e in events if e.action == "decision.record"]
    assert decided == ["2009-03-10", "2009-03-11", "2009-03-12"]
