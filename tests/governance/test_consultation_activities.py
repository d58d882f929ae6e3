"""Engagement activities: record, change, delete; who may, when, and what the audit keeps."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from governance.audit import verify_chain
from governance.consultation.activities import activity_delete, activity_record, activity_update
from governance.models import (
    Activity,
    ActivityReach,
    AuditEvent,
    ConsultationRound,
    ConsultationStatus,
)
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput

from .consultation_import_helpers import consultation_round

DAY = datetime.date(2016, 6, 20)


def record(round: ConsultationRound, actor: Any, **kwargs: Any) -> Activity:
    params: dict[str, Any] = {
        "title": "Youth council workshop", "channel": "youth_group", "held_on": DAY,
        "reach": {"children-and-young-people": 45, "parents-and-carers": 3},
    }
    params.update(kwargs)
    return activity_record(round=round, actor=actor, **params)


def test_the_lead_officer_records_an_activity_with_its_reach(world: Any) -> None:
    round = consultation_round(world)
    activity = record(round, world.lead, description="At the Hub, Priory Street.",
                      held_until=DAY + datetime.timedelta(days=2))
    reach = {r.audience.slug: r.count for r in activity.reach.select_related("audience")}
    assert reach == {"children-and-young-people": 45, "parents-and-carers": 3}
    event = AuditEvent.objects.latest("seq")
    assert event.action == "consultation.activity_record" and event.plan_id == round.plan_id
    assert event.after["reach"] == {"children-and-young-people": 45, "parents-and-carers": 3}
    assert "Priory" not in str(event.after) and "workshop" not in str(event.after)
    assert len(event.after["title_sha256"]) == 64
    assert verify_chain().ok


def test_a_deputy_may_record_and_others_may_not(world: Any) -> None:
    from governance.models import Membership, Role

    Membership.objects.filter(user=world.lead, role=Role.LEAD_OFFICER).update(
        deputy=world.board_deputy)
    round = consultation_round(world)
    assert record(round, world.board_deputy).pk
    for who in (world.board_secretary, world.auditor, world.outsider):
        with pytest.raises(Forbidden):
            record(round, who)
    assert Activity.objects.count() == 1


def test_rounds_recorded_after_the_event_take_activities_until_the_summary_is_published(
        world: Any) -> None:
    round = consultation_round(world, status=ConsultationStatus.CLOSED,
                               opens_on=datetime.date(2008, 6, 1))
    ConsultationRound.objects.filter(pk=round.pk).update(recorded=True)
    activity = record(round, world.lead, held_on=datetime.date(2008, 7, 1))
    assert activity.held_on == datetime.date(2008, 7, 1)
    ConsultationRound.objects.filter(pk=round.pk).update(summary_published_at=clock.now())
    with pytest.raises(Conflict, match="published"):
        record(round, world.lead)
    with pytest.raises(Conflict):
        activity_delete(activity=activity, actor=world.lead)
    draft = consultation_round(world, status=ConsultationStatus.DRAFT)
    with pytest.raises(Conflict, match="not opened"):
        record(draft, world.lead)


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": ""}, "title"),
    ({"title": "Line\x0bbreak"}, "title"),
    ({"title": "x" * 301}, "title"),
    ({"description": "nul\x00"}, "description"),
    ({"channel": "carrier_pigeon"}, "channel"),
    ({"held_on": None}, "held_on"),
    ({"held_on": datetime.date(2099, 1, 1)}, "held_on"),
    ({"held_until": DAY - datetime.timedelta(days=1)}, "held_until"),
    ({"reach": {"pensioners": 4}}, "reach.pensioners"),
    ({"reach": {"schools": -1}}, "reach.schools"),
    ({"reach": {"schools": 10_000_001}}, "reach.schools"),
    ({"reach": {"schools": "12"}}, "reach.schools"),
    ({"reach": {"schools": 0}}, "reach"),
    ({"reach": {}}, "reach"),
])
def test_bad_input_is_400_naming_the_field(world: Any, changes: dict[str, Any],
                                           field: str) -> None:
    round = consultation_round(world)
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        record(round, world.lead, **changes)
    assert field in refused.value.errors
    assert Activity.objects.count() == 0 and AuditEvent.objects.count() == events


def test_update_replaces_the_reach_and_delete_removes_it_each_with_one_event(world: Any) -> None:
    round = consultation_round(world)
    activity = record(round, world.lead)
    activity_update(activity=activity, actor=world.lead, title="Youth council workshops",
                    channel="event", held_on=DAY, reach={"schools": 12})
    activity.refresh_from_db()
    assert activity.channel == "event" and activity.title == "Youth council workshops"
    assert list(activity.reach.values_list("audience__slug", "count")) == [("schools", 12)]
    event = AuditEvent.objects.latest("seq")
    assert event.action == "consultation.activity_update"
    assert event.before["reach"] == {"children-and-young-people": 45, "parents-and-carers": 3}
    assert event.after["reach"] == {"schools": 12}
    events = AuditEvent.objects.count()
    activity_update(activity=activity, actor=world.lead, title="Youth council workshops",
                    channel="event", held_on=DAY, reach={"schools": 12})
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded
    activity_delete(activity=activity, actor=world.lead)
    assert not Activity.objects.exists() and not ActivityReach.objects.exists()
    assert AuditEvent.objects.latest("seq").action == "consultation.activity_delete"
    assert verify_chain().ok
