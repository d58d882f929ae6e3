"""Recording indicator readings: the rules, bad input, corrections, permission, adoption,
RAG thresholds, and that readings never touch the adopted version's content."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from documents.models import IndicatorReading, LeadLink, RagThresholds
from documents.monitoring.scorecard import NotAdopted, scorecard_as_data, scorecard_build
from documents.monitoring.services import rag_thresholds_set, reading_record
from governance.models import AuditEvent
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput
from tests.conftest import World, make_plan
from tests.factories import MembershipFactory, UserFactory, valid_content

from .monitoring_helpers import adopted, indicators

D = datetime.date
KEY = "obesity-reception"


def record(plan: Any, actor: Any, **overrides: Any) -> IndicatorReading:
    params: dict[str, Any] = {
        "indicator_key": KEY, "value": 9.1, "period_label": "2009/10",
        "period_start": D(2009, 4, 1), "period_end": D(2010, 3, 31),
        "measured_on": D(2010, 6, 1), "source": "National Child Measurement Programme",
        "commentary": "Down from 9.8.",
    }
    params.update(overrides)
    return reading_record(plan=plan, actor=actor, **params)


@pytest.fixture
def plan(world: World, frozen_clock: Any) -> Any:
    return adopted(world)


def test_a_reading_is_recorded_with_one_audit_event(world: World, plan: Any) -> None:
    events = AuditEvent.objects.count()
    reading = record(plan, world.lead)
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "reading.record"
    assert event.plan_id == plan.pk
    assert event.after["value"] == 9.1
    assert "Down from" not in str(event.after)  # commentary only as a hash
    assert len(event.after["commentary_sha256"]) == 64
    reading.refresh_from_db()
    assert (reading.value, reading.period_label, reading.entered_by) == (9.1, "2009/10",
                                                                         world.lead)
    assert reading.entered_at == clock.now()
    assert reading.superseded_by is None


def test_a_value_given_as_text_is_read_as_a_number(world: World, plan: Any) -> None:
    assert record(plan, world.lead, value=" 1,234.5 ").value == 1234.5


def test_readings_never_change_the_adopted_content(world: World, plan: Any) -> None:
    version = plan.adopted_version
    before = (version.content, version.content_hash)
    record(plan, world.lead)
    record(plan, world.lead, value=8.5, period_label="2010/11", period_start=D(2010, 4, 1),
           period_end=D(2011, 3, 31), measured_on=D(2011, 6, 1))
    version.refresh_from_db()
    plan.refresh_from_db()
    assert (version.content, version.content_hash) == before
    assert plan.adopted_version_id == version.pk


BAD = [
    ({"indicator_key": "no-such"}, "indicator"),
    ({"value": "about ten"}, "value"),
    ({"value": ""}, "value"),
    ({"value": None}, "value"),
    ({"value": True}, "value"),
    ({"value": float("nan")}, "value"),
    ({"value": "inf"}, "value"),
    ({"period_label": ""}, "period_label"),
    ({"period_label": "Q1\x0b"}, "period_label"),
    ({"period_start": D(2008, 4, 1)}, "period_start"),  # before the plan's period
    ({"period_end": D(2012, 6, 30)}, "period_end"),  # after it
    ({"period_end": D(2009, 3, 31)}, "period_end"),  # ends before it starts
    ({"period_start": "not a date"}, "period_start"),
    ({"measured_on": D(2016, 7, 15)}, "measured_on"),  # tomorrow
    ({"measured_on": D(2009, 3, 1)}, "measured_on"),  # before the period starts
    ({"source": "x" * 201}, "source"),
    ({"commentary": "bad\x00text"}, "commentary"),
    ({"reason": "Why not"}, "reason"),  # a reason without a correction
    ({"corrects": 999999, "reason": "Typo"}, "corrects"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD)
def test_bad_input_is_400_naming_the_field_and_saves_nothing(
        world: World, plan: Any, overrides: dict[str, Any], field: str) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as raised:
        record(plan, world.lead, **overrides)
    assert field in raised.value.errors, raised.value.errors
    assert IndicatorReading.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_second_reading_for_the_same_period_is_refused(world: World, plan: Any) -> None:
    first = record(plan, world.lead)
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as raised:
        record(plan, world.lead, value=9.0)
    message = raised.value.errors["period_label"][0]
    assert "2009/10" in message and "corrects" in message and str(first.pk) in message
    # Same label, other dates: the same period by name.
    with pytest.raises(InvalidInput):
        record(plan, world.lead, period_end=D(2010, 3, 30))
    assert IndicatorReading.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_correction_supersedes_the_old_reading(world: World, plan: Any) -> None:
    old = record(plan, world.lead)
    events = AuditEvent.objects.count()
    new = record(plan, world.lead, value=9.3, corrects=old.pk,
                 reason="The published figure was revised.")
    assert AuditEvent.objects.count() == events + 1
    old.refresh_from_db()
    assert old.superseded_by == new
    assert new.correction_reason == "The published figure was revised."
    event = AuditEvent.objects.latest("seq")
    assert event.before["reading"] == old.pk and event.after["corrects"] == old.pk
    assert "revised" not in str(event.after)
    assert list(IndicatorReading.objects.filter(superseded_by__isnull=True)) == [new]
    # The old one cannot be corrected again; the new one can.
    with pytest.raises(Conflict):
        record(plan, world.lead, value=9.4, corrects=old.pk, reason="Again.")
    newer = record(plan, world.lead, value=9.4, corrects=new.pk, reason="Again.")
    assert IndicatorReading.objects.get(superseded_by__isnull=True) == newer


def test_a_correction_needs_a_reason(world: World, plan: Any) -> None:
    old = record(plan, world.lead)
    with pytest.raises(InvalidInput) as raised:
        record(plan, world.lead, value=9.3, corrects=old.pk)
    assert "reason" in raised.value.errors
    old.refresh_from_db()
    assert old.superseded_by is None


def test_a_correction_of_another_indicators_reading_is_refused(world: World,
                                                               frozen_clock: Any) -> None:
    plan = adopted(world, valid_content(indicators=indicators(2)))
    old = record(plan, world.lead, indicator_key="ind-0")
    with pytest.raises(InvalidInput) as raised:
        record(plan, world.lead, indicator_key="ind-1", corrects=old.pk, reason="Wrong.")
    assert "corrects" in raised.value.errors


@pytest.mark.parametrize("who", ["board_secretary", "board_chair", "executive_member",
                                 "auditor", "outsider"])
def test_others_may_not_record(world: World, plan: Any, who: str) -> None:
    with pytest.raises(Forbidden):
        record(plan, getattr(world, who))
    assert IndicatorReading.objects.count() == 0


def test_a_linked_lead_staff_and_the_deputy_may_record(world: World, plan: Any) -> None:
    lead = UserFactory(username="head-of-public-health")
    LeadLink.objects.create(plan=plan, name="Head of Public Health", person=lead,
                            linked_at=clock.now())
    with pytest.raises(Forbidden):  # linked, but holding no role in the partnership
        record(plan, lead)
    MembershipFactory(user=lead, body=plan.owning_body)
    record(plan, lead)
    staff = UserFactory(username="staff", is_staff=True)
    record(plan, staff, period_label="2010/11", period_start=D(2010, 4, 1),
           period_end=D(2011, 3, 31), measured_on=D(2011, 6, 1))
    world.lead.memberships.filter(role="lead_officer").update(deputy=world.board_deputy)
    record(plan, world.board_deputy, period_label="2011/12", period_start=D(2011, 4, 1),
           period_end=D(2012, 3, 31), measured_on=D(2012, 6, 1))
    assert IndicatorReading.objects.count() == 3


def test_no_reading_before_adoption(world: World, frozen_clock: Any) -> None:
    plan = make_plan(world)
    with pytest.raises(NotAdopted) as raised:
        record(plan, world.lead)
    assert raised.value.status == 409
    with pytest.raises(NotAdopted):
        scorecard_build(plan)


def test_rag_thresholds(world: World, plan: Any) -> None:
    events = AuditEvent.objects.count()
    row = rag_thresholds_set(plan=plan, green_within_percent="2.5", amber_within_percent=20,
                             actor=world.lead)
    assert AuditEvent.objects.count() == events + 1
    assert (float(row.green_within_percent), float(row.amber_within_percent)) == (2.5, 20)
    rag_thresholds_set(plan=plan, green_within_percent=0, amber_within_percent=5,
                       actor=world.lead)
    assert RagThresholds.objects.get(plan=plan).amber_within_percent == 5
    assert AuditEvent.objects.count() == events + 2


@pytest.mark.parametrize(("green", "amber", "field"), [
    (10, 5, "amber_within_percent"),
    (-1, 5, "green_within_percent"),
    (5, 101, "amber_within_percent"),
    ("lots", 5, "green_within_percent"),
    (1.234, 5, "green_within_percent"),
])
def test_rag_thresholds_bad_input(world: World, plan: Any, green: Any, amber: Any,
                                  field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        rag_thresholds_set(plan=plan, green_within_percent=green, amber_within_percent=amber,
                           actor=world.lead)
    assert field in raised.value.errors
    assert not RagThresholds.objects.exists()


def test_rag_thresholds_by_the_lead_only(world: World, plan: Any) -> None:
    with pytest.raises(Forbidden):
        rag_thresholds_set(plan=plan, green_within_percent=0, amber_within_percent=5,
                           actor=world.board_secretary)


def test_scorecard_from_readings(world: World, plan: Any) -> None:
    record(plan, world.lead, value=9.0)
    record(plan, world.lead, value=8.5, period_label="2010/11", period_start=D(2010, 4, 1),
           period_end=D(2011, 3, 31), measured_on=D(2011, 6, 1))
    card = scorecard_build(plan)
    (row,) = card.rows
    assert row.latest is not None and row.latest.value == 8.5
    assert row.previous is not None and row.previous.value == 9.0
    assert (row.trend, row.trend_vs_baseline) == ("improved", "improved")
    assert row.rag == "amber"  # 8.5 against 8.0, lower is better: 6.25% off, within 10%
    assert [p.value for p in row.series] == [9.0, 8.5]
    assert card.summary.sentence == ("Of 1 indicator where a trend can be identified, 1 has "
                                     "improved (100%).")
    data = scorecard_as_data(card)
    assert data["indicators"][0]["latest"]["period_label"] == "2010/11"
    assert data["summary"]["improved"] == 1
    # What a review snapshots: plain JSON, and it reads back the same.
    assert json.loads(json.dumps(data)) == data
    assert data["indicators"][0]["series"] == [
        {"period_label": "2009/10", "period_end": "2010-03-31", "value": 9.0},
        {"period_label": "2010/11", "period_end": "2011-03-31", "value": 8.5}]


def test_on_a_plan_adopted_through_the_lifecycle(world: World, frozen_clock: Any) -> None:
    from tests.api.conftest import adopted_plan

    plan = adopted_plan(world, frozen_clock)
    version = plan.adopted_version
    content_hash, stage = version.content_hash, plan.stage
    reading = record(plan, world.lead)
    version.refresh_from_db()
    plan.refresh_from_db()
    assert version.content_hash == content_hash and plan.stage == stage
    assert plan.adopted_version_id == version.pk
    assert scorecard_build(plan).rows[0].latest.id == reading.pk  # type: ignore[union-attr]
