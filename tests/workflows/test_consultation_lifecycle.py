"""Opening and closing rounds through the lifecycle services, by hand and by the beat scan at
their times; rounds recorded after the event; the submission guard by drafting cycle."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from documents.models import Plan, PlanKind, Stage
from documents.services import plan_create, version_create
from governance.consultation.models import ConsultationRound, Question, Response
from governance.consultation.services import (
    responses_digest,
    round_create,
    round_publish_summary,
)
from governance.models import AuditEvent
from governance.models import DecisionOutcome as O
from plangov.errors import Conflict, GuardFailed, InvalidInput
from tests.conftest import World, consult, decide, make_plan, publish_summary
from tests.factories import valid_content
from tests.workflows.test_guards import plan_in
from workflows.services import (
    plan_close_consultation,
    plan_revise,
    plan_start_consultation,
    plan_submit,
    round_record_held,
)
from workflows.tasks import scan_consultation_rounds

D = datetime.date


def at(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def actions(plan: Plan, prefix: str = "plan.") -> list[str]:
    return list(AuditEvent.objects.filter(plan=plan, action__startswith=prefix)
                .order_by("seq").values_list("action", flat=True))


def drafted(world: World, **kwargs: Any) -> Plan:
    plan = make_plan(world, **kwargs)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    return plan


def reload(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def test_a_round_opens_and_closes_through_the_lifecycle_one_event_each(world, frozen_clock):
    plan = drafted(world)
    round = round_create(plan=plan, title="Priorities", closes_at=at(2016, 9, 30, 23, 59),
                         actor=world.lead)
    Question.objects.create(round=round, kind="free_text", text="Why?", order=1)
    plan = plan_start_consultation(plan=plan, round=round, actor=world.lead)
    round.refresh_from_db()
    assert plan.stage == Stage.CONSULTATION and round.status == "open"
    assert round.opens_on == D(2016, 7, 14) and round.opens_at == frozen_clock.current
    assert round.drafting_cycle == 1 and round.version_id == plan.current_version_id
    Response.objects.create(round=round, submitted_at=frozen_clock.current)
    frozen_clock.advance(days=3)
    plan = plan_close_consultation(plan=plan, round=round, actor=world.lead)
    round.refresh_from_db()
    assert plan.stage == Stage.DRAFTING and round.status == "closed"
    # Closed early, by hand: the day it closed, and the time it really closed.
    assert round.closed_on == D(2016, 7, 17) == round.closes_on
    assert round.closes_at == frozen_clock.current
    assert actions(plan) == ["plan.create", "plan.start_consultation",
                             "plan.close_consultation"]
    close = AuditEvent.objects.get(plan=plan, action="plan.close_consultation")
    assert close.after["responses"] == 1
    assert close.after["responses_digest"] == responses_digest(round)
    assert close.after["consultation_round"] == 1


def test_a_round_not_the_open_one_or_already_open_is_a_409(world, frozen_clock):
    plan = drafted(world)
    first = round_create(plan=plan, title="One", actor=world.lead)
    second = round_create(plan=plan, title="Two", actor=world.lead)
    plan_start_consultation(plan=plan, round=first, actor=world.lead)
    with pytest.raises(Conflict):
        plan_close_consultation(plan=plan, round=second, actor=world.lead)
    plan_close_consultation(plan=plan, round=first, actor=world.lead)
    with pytest.raises(Conflict, match="already closed"):
        plan_start_consultation(plan=plan, round=first, actor=world.lead)


def test_the_beat_opens_and_closes_a_round_at_its_times_once(world, frozen_clock):
    plan = drafted(world)
    round = round_create(plan=plan, title="Priorities", opens_at=at(2016, 7, 20, 9),
                         closes_at=at(2016, 9, 30, 23, 59), actor=world.lead)
    assert scan_consultation_rounds() == 0  # not yet
    frozen_clock.set(D(2016, 7, 20), hour=12)
    scan_consultation_rounds()
    scan_consultation_rounds()  # a second run (or a second beat) finds nothing to do
    round.refresh_from_db()
    assert round.status == "open" and round.opens_on == D(2016, 7, 20)
    assert round.opens_at == at(2016, 7, 20, 9)  # its time, not the scan's
    assert actions(plan).count("plan.start_consultation") == 1
    event = AuditEvent.objects.get(plan=plan, action="plan.start_consultation")
    assert event.actor_label == "system" and "opening time" in event.reason
    # The scan that closes it runs late (the workers were down over the weekend): the round
    # still closed on its own day.
    frozen_clock.set(D(2016, 10, 2))
    scan_consultation_rounds()
    scan_consultation_rounds()
    round.refresh_from_db()
    assert round.status == "closed" and round.closed_on == D(2016, 9, 30)
    assert actions(plan).count("plan.close_consultation") == 1
    assert reload(plan).stage == Stage.DRAFTING


def test_the_beat_leaves_a_round_while_the_plan_is_not_in_drafting(world, frozen_clock):
    plan = drafted(world)
    first = round_create(plan=plan, title="One", actor=world.lead)
    round_create(plan=plan, title="Two", opens_at=at(2016, 7, 15, 9), actor=world.lead)
    plan_start_consultation(plan=plan, round=first, actor=world.lead)
    frozen_clock.set(D(2016, 7, 16))
    assert scan_consultation_rounds() == 0
    assert list(plan.consultation_rounds.values_list("status", flat=True)) == ["open", "draft"]


def test_opening_by_hand_before_its_time_moves_the_opening_to_now(world, frozen_clock):
    plan = drafted(world)
    round = round_create(plan=plan, title="Early", opens_at=at(2016, 8, 1, 9),
                         actor=world.lead)
    plan_start_consultation(plan=plan, round=round, actor=world.lead)
    round.refresh_from_db()
    assert round.opens_at == frozen_clock.current and round.opens_on == D(2016, 7, 14)


def replay_2008(world: World) -> Plan:
    plan = plan_create(
        actor=world.lead, partnership=world.partnership, title="Children and Young People's Plan",
        kind=PlanKind.CYPP, period_start=D(2009, 4, 1), period_end=D(2012, 3, 31),
        owning_body=world.board, lead_officer=world.lead,
        approving_bodies=[world.board, world.safeguarding], executive_body=world.executive,
        created_on=D(2008, 4, 1),
    )
    version_create(plan=plan, actor=world.lead, content=valid_content(),
                   effective_on=D(2008, 5, 20))
    return plan


def test_a_2008_round_recorded_after_the_event_keeps_its_dates(world, frozen_clock):
    """A coordinator replays the 2008 timetable: the round ran June to September 2008."""
    plan = replay_2008(world)
    round = round_create(plan=plan, title="First round", recorded=True,
                         opens_at=at(2008, 6, 2, 9), closes_at=at(2008, 9, 30, 17),
                         actor=world.lead)
    plan = round_record_held(round=round, actor=world.lead)
    round.refresh_from_db()
    assert (round.status, round.opens_on, round.closed_on) == (
        "closed", D(2008, 6, 2), D(2008, 9, 30))
    assert round.opened_at == round.closed_at == frozen_clock.current  # recorded in 2016
    opened, closed = (AuditEvent.objects.get(plan=plan, action=f"plan.{a}_consultation")
                      for a in ("start", "close"))
    assert opened.after["opens_on"] == "2008-06-02" and opened.after["recorded"] is True
    assert closed.after["closed_on"] == "2008-09-30"
    round_publish_summary(round=round, actor=world.lead, published_on=D(2008, 10, 20))
    plan = plan_submit(plan=plan, actor=world.lead, submitted_on=D(2008, 11, 3))
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL


def test_the_beat_records_a_past_round_with_its_own_dates(world, frozen_clock):
    plan = replay_2008(world)
    round_create(plan=plan, title="First round", recorded=True,
                 opens_at=at(2008, 6, 2, 9), closes_at=at(2008, 9, 30, 17), actor=world.lead)
    scan_consultation_rounds()  # opens it
    scan_consultation_rounds()  # closes it
    round = ConsultationRound.objects.get(plan=plan)
    assert (round.status, round.opens_on, round.closed_on) == (
        "closed", D(2008, 6, 2), D(2008, 9, 30))


def test_a_recorded_round_out_of_order_is_a_400_naming_both_dates(world, frozen_clock):
    plan = replay_2008(world)
    round = round_create(plan=plan, title="Too early", recorded=True,
                         opens_at=at(2008, 5, 1, 9), closes_at=at(2008, 6, 30, 17),
                         actor=world.lead)
    with pytest.raises(InvalidInput) as error:
        round_record_held(round=round, actor=world.lead)
    message = error.value.errors["opens_on"][0]
    assert "1 May 2008" in message and "20 May 2008" in message
    round.refresh_from_db()
    assert round.status == "draft" and reload(plan).stage == Stage.DRAFTING
    assert scan_consultation_rounds() == 1  # tried, refused, logged, nothing written
    round.refresh_from_db()
    assert round.status == "draft" and actions(plan) == ["plan.create"]


# The submission guard follows the drafting cycle.


def test_the_first_draft_needs_a_closed_round_with_its_summary_published(world, frozen_clock):
    plan = drafted(world)
    with pytest.raises(GuardFailed, match="closed consultation round"):
        plan_submit(plan=plan, actor=world.lead)
    round = round_create(plan=plan, title="Priorities", actor=world.lead)
    plan_start_consultation(plan=plan, round=round, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    with pytest.raises(GuardFailed) as error:
        plan_submit(plan=plan, actor=world.lead)
    assert "round 1 (Priorities) has closed but its summary is not published" in \
        error.value.detail
    publish_summary(plan, world.lead)
    assert plan_submit(plan=plan, actor=world.lead).stage == Stage.PARTNERSHIP_APPROVAL


def test_a_redraft_after_a_referral_back_needs_no_new_round(world, frozen_clock):
    plan = drafted(world)
    consult(world, plan)
    plan = plan_submit(plan=plan, actor=world.lead)
    decide(world, plan, world.board, O.REFERRED_BACK)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Redrafted."))
    plan = plan_submit(plan=reload(plan), actor=world.lead)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL and plan.drafting_cycle == 1


def test_a_revision_after_review_needs_a_new_round(world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    plan = plan_revise(plan=plan, actor=world.lead)
    assert plan.drafting_cycle == 2
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Revised."))
    # The round of the first cycle, closed and published, does not count any more.
    assert plan.consultation_rounds.filter(status="closed").exclude(
        summary_published_at=None).exists()
    with pytest.raises(GuardFailed, match="held since the review revised it"):
        plan_submit(plan=reload(plan), actor=world.lead)
    consult(world, reload(plan))
    assert plan.consultation_rounds.get(number=2).drafting_cycle == 2
    assert plan_submit(plan=reload(plan), actor=world.lead).stage == Stage.PARTNERSHIP_APPROVAL


def test_an_action_plan_needs_no_round(world, frozen_clock):
    plan = drafted(world, kind=PlanKind.ACTION_PLAN)
    assert plan_submit(plan=plan, actor=world.lead).stage == Stage.PARTNERSHIP_APPROVAL


def test_the_api_action_still_creates_and_opens_a_round(world, frozen_clock, as_user):
    plan = drafted(world)
    response = as_user(world.lead).post(
        f"/api/v1/plans/{plan.pk}/actions/start_consultation/",
        {"title": "Priorities", "closes_on": "2016-09-30"}, format="json")
    assert response.status_code == 200, response.content
    round = ConsultationRound.objects.get(plan=plan)
    assert (round.status, round.title, round.closes_on, round.recorded) == (
        "open", "Priorities", D(2016, 9, 30), False)
    assert actions(plan, "") == ["plan.create", "version.create",
                                 "consultation.round_create", "plan.start_consultation"]
