"""Action progress and lead links: the services, their permissions and audit events."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import pytest

from documents.models import ActionProgress, ActionStatus, LeadLink, Plan, ProgressNote, Stage
from documents.monitoring.actions import (
    action_progress_bulk,
    action_progress_update,
    action_rows,
    may_report,
)
from documents.monitoring.lead_links import lead_link_remove, lead_link_set, lead_names
from documents.monitoring.leads import priority_leads
from governance import policy
from governance.models import AuditEvent
from plangov.errors import Conflict, Forbidden, InvalidInput
from tests.factories import UserFactory

from .action_helpers import LEADS, adopted_plan, partnership_person, title

TODAY = datetime.date(2016, 7, 14)


@pytest.fixture
def plan(world: Any, frozen_clock: Any) -> Plan:
    return adopted_plan(world)


@pytest.fixture
def health_lead(world: Any, plan: Plan) -> Any:
    person = partnership_person(world, "public_health")
    lead_link_set(plan=plan, name=LEADS[0], person=person, actor=world.lead)
    return person


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def nothing_saved() -> None:
    assert not ProgressNote.objects.exists()
    assert not ActionProgress.objects.exists()
    assert events("action_progress.update") == 0
    assert events("action_progress.import") == 0


# Lead links.


def test_the_lead_officer_links_a_named_lead_who_then_gets_the_priority_task(world, plan):
    person = partnership_person(world, "public_health")
    assert lead_names(plan) == LEADS
    assert priority_leads(plan, plan.adopted_version)[0]["lead"] == world.lead
    link = lead_link_set(plan=plan, name=LEADS[0], person=person, actor=world.lead)
    assert (link.name, link.person, link.linked_by) == (LEADS[0], person, world.lead)
    first = priority_leads(plan, plan.adopted_version)[0]
    assert (first["lead"], first["lead_name"]) == (person, LEADS[0])
    event = AuditEvent.objects.get(action="lead_link.set")
    assert event.after["person"] == person.pk and LEADS[0] not in json.dumps(event.after)
    # The same person again changes nothing; another replaces them; removal unlinks.
    lead_link_set(plan=plan, name=LEADS[0], person=person, actor=world.lead)
    assert events("lead_link.set") == 1
    other = partnership_person(world, "deputy_health")
    lead_link_set(plan=plan, name=LEADS[0], person=other.pk, actor=world.lead)
    assert LeadLink.objects.get(plan=plan, name=LEADS[0]).person == other
    assert events("lead_link.set") == 2
    lead_link_remove(plan=plan, name=LEADS[0], actor=world.lead)
    assert not LeadLink.objects.exists() and events("lead_link.remove") == 1


@pytest.mark.parametrize("name, field", [
    ("Head of Nothing", "name"), ("", "name"), ("Head\x00 of Schools", "name")])
def test_a_lead_not_named_in_the_plan_is_refused(world, plan, name, field):
    person = partnership_person(world, "public_health")
    with pytest.raises(InvalidInput) as refused:
        lead_link_set(plan=plan, name=name, person=person, actor=world.lead)
    assert field in refused.value.errors
    assert not LeadLink.objects.exists() and events("lead_link.set") == 0


def test_only_a_current_member_of_the_partnership_can_be_linked(world, plan):
    stranger = UserFactory(username="stranger")
    for person in (stranger, None, "abc", 10**9, 10**30, -1, True):
        with pytest.raises(InvalidInput) as refused:
            lead_link_set(plan=plan, name=LEADS[0], person=person, actor=world.lead)
        assert "person" in refused.value.errors
    inactive = partnership_person(world, "gone")
    inactive.is_active = False
    inactive.save()
    with pytest.raises(InvalidInput):
        lead_link_set(plan=plan, name=LEADS[0], person=inactive, actor=world.lead)
    assert not LeadLink.objects.exists()


def test_only_the_lead_officer_links_leads(world, plan):
    person = partnership_person(world, "public_health")
    for actor in (world.board_secretary, world.auditor, person):
        with pytest.raises(Forbidden):
            lead_link_set(plan=plan, name=LEADS[0], person=person, actor=actor)
    assert not LeadLink.objects.exists()


def test_a_lead_named_only_in_the_current_version_can_be_linked(world, plan):
    from tests.factories import valid_content

    from .action_helpers import action

    content = valid_content(actions=[action(1, "Head of Youth Services")])
    version = plan.adopted_version
    Plan.objects.filter(pk=plan.pk).update(stage=Stage.DRAFTING)
    from documents.services import version_create

    newer = version_create(plan=plan, actor=world.lead, content=content)
    Plan.objects.filter(pk=plan.pk).update(stage=Stage.ADOPTED, adopted_version=version,
                                           current_version=newer)
    plan.refresh_from_db()
    assert "Head of Youth Services" in lead_names(plan)
    lead_link_set(plan=plan, name="Head of Youth Services",
                  person=partnership_person(world, "youth"), actor=world.lead)


# One progress update.


def test_the_lead_officer_records_progress_with_one_audit_event(world, plan):
    progress = action_progress_update(plan=plan, action_number=2, status="on_track",
                                      noted_on=datetime.date(2016, 7, 1),
                                      text="Three schools joined.", actor=world.lead)
    assert (progress.action_number, progress.action_title, progress.version) == (
        2, title(2), plan.adopted_version)
    assert (progress.status, progress.status_on) == (ActionStatus.ON_TRACK,
                                                    datetime.date(2016, 7, 1))
    note = progress.notes.get()
    assert (note.text, note.author, note.noted_on) == ("Three schools joined.", world.lead,
                                                       datetime.date(2016, 7, 1))
    assert events("action_progress.update") == 1
    event = AuditEvent.objects.get(action="action_progress.update")
    assert "Three schools" not in json.dumps(event.after)
    assert event.after["text_sha256"] == hashlib.sha256(
        json.dumps("Three schools joined.", ensure_ascii=False).encode()).hexdigest()
    assert event.plan_id == plan.pk


def test_a_later_note_moves_the_status_and_an_earlier_one_is_history(world, plan):
    action_progress_update(plan=plan, action_number=1, status="at_risk",
                           noted_on=datetime.date(2016, 7, 10), actor=world.lead)
    progress = action_progress_update(plan=plan, action_number=1, status="on_track",
                                      noted_on=datetime.date(2016, 6, 20), text="Back then.",
                                      actor=world.lead)
    assert (progress.status, progress.status_on) == ("at_risk", datetime.date(2016, 7, 10))
    progress = action_progress_update(plan=plan, action_number=1, status="complete",
                                      noted_on=TODAY, actor=world.lead)
    assert progress.status == "complete"
    # A complete (or dropped) action still takes a note.
    progress = action_progress_update(plan=plan, action_number=1, status="complete",
                                      noted_on=TODAY, text="Evaluated.", actor=world.lead)
    assert progress.notes.count() == 4 and ActionProgress.objects.count() == 1
    assert events("action_progress.update") == 4


@pytest.mark.parametrize("changes, field", [
    ({"action_number": 0}, "action_number"),
    ({"action_number": 4}, "action_number"),
    ({"action_number": "two"}, "action_number"),
    ({"action_number": None}, "action_number"),
    ({"status": "green"}, "status"),
    ({"status": ""}, "status"),
    ({"noted_on": datetime.date(2016, 7, 15)}, "noted_on"),
    ({"noted_on": datetime.date(2016, 5, 31)}, "noted_on"),
    ({"noted_on": "31/02/2016"}, "noted_on"),
    ({"noted_on": None}, "noted_on"),
    ({"text": "Bad\x0bbreak"}, "text"),
    ({"text": "x" * 5001}, "text"),
    ({"text": 12}, "text"),
])
def test_each_bad_input_is_refused_naming_its_field_and_nothing_is_saved(
        world, plan, changes, field):
    params = {"action_number": 1, "status": "on_track", "noted_on": TODAY, "text": "Fine."}
    params.update(changes)
    with pytest.raises(InvalidInput) as refused:
        action_progress_update(plan=plan, actor=world.lead, **params)
    assert list(refused.value.errors) == [field]
    assert refused.value.status == 400
    nothing_saved()


def test_status_words_and_dates_as_typed_are_accepted(world, plan):
    progress = action_progress_update(plan=plan, action_number="3", status="Off track",
                                      noted_on="01/07/2016", actor=world.lead)
    assert (progress.status, progress.status_on) == ("off_track", datetime.date(2016, 7, 1))


def test_a_linked_lead_updates_their_own_actions_only(world, plan, health_lead):
    assert policy.can_report_progress(plan, health_lead)
    action_progress_update(plan=plan, action_number=1, status="on_track", noted_on=TODAY,
                           actor=health_lead)
    with pytest.raises(Forbidden) as refused:
        action_progress_update(plan=plan, action_number=2, status="on_track", noted_on=TODAY,
                               actor=health_lead)
    assert refused.value.status == 403 and "do not lead action 2" in refused.value.detail
    assert ProgressNote.objects.count() == 1


def test_a_linked_lead_who_left_the_partnership_reports_no_more(world, plan, health_lead):
    health_lead.memberships.update(ends_on=datetime.date(2016, 7, 1))
    assert not may_report(plan, health_lead)
    with pytest.raises(Forbidden):
        action_progress_update(plan=plan, action_number=1, status="on_track", noted_on=TODAY,
                               actor=health_lead)


@pytest.mark.parametrize("who", ["board_secretary", "auditor", "outsider", "board_chair"])
def test_anyone_else_is_refused_403_and_nothing_is_saved(world, plan, who):
    assert not policy.can_report_progress(plan, world.users[who])
    with pytest.raises(Forbidden):
        action_progress_update(plan=plan, action_number=1, status="on_track", noted_on=TODAY,
                               actor=world.users[who])
    nothing_saved()


def test_staff_and_the_deputy_update_any_action(world, plan):
    staff = UserFactory(username="staff", is_staff=True)
    action_progress_update(plan=plan, action_number=2, status="at_risk", noted_on=TODAY,
                           actor=staff)
    deputy = UserFactory(username="lead_deputy")
    world.lead.memberships.update(deputy=deputy)
    action_progress_update(plan=plan, action_number=3, status="on_track", noted_on=TODAY,
                           actor=deputy)
    assert ProgressNote.objects.count() == 2


def test_progress_needs_an_adopted_plan_and_stops_when_it_is_superseded(world, plan):
    from tests.conftest import make_plan

    draft = make_plan(world)
    with pytest.raises(Conflict):
        action_progress_update(plan=draft, action_number=1, status="on_track", noted_on=TODAY,
                               actor=world.lead)
    Plan.objects.filter(pk=plan.pk).update(stage=Stage.SUPERSEDED)
    with pytest.raises(Conflict):
        action_progress_update(plan=plan, action_number=1, status="on_track", noted_on=TODAY,
                               actor=world.lead)
    Plan.objects.filter(pk=plan.pk).update(stage=Stage.DRAFTING)  # a revision in progress
    action_progress_update(plan=plan, action_number=1, status="on_track", noted_on=TODAY,
                           actor=world.lead)


# Many at once (the API's JSON).


def test_bulk_updates_are_checked_whole_and_written_with_one_audit_event(world, plan):
    updates = [
        {"action_number": 1, "status": "on_track", "noted_on": "2016-07-01", "text": "a"},
        {"action_number": 2, "status": "complete", "noted_on": "2016-07-02"},
        {"action_number": 3, "status": "dropped", "noted_on": "2016-07-03", "text": "c"},
    ]
    result = action_progress_bulk(plan=plan, updates=updates, actor=world.lead)
    assert (result.updates, result.actions) == (3, 3)
    assert ProgressNote.objects.count() == 3
    assert events("action_progress.import") == 1 and events("action_progress.update") == 0
    event = AuditEvent.objects.get(action="action_progress.import")
    assert event.after["updates"] == 3 and len(event.after["input_sha256"]) == 64


def test_bulk_updates_with_bad_items_name_each_and_save_nothing(world, plan):
    updates = [
        {"action_number": 1, "status": "on_track", "noted_on": "2016-07-01"},
        {"action_number": 9, "status": "on_track", "noted_on": "2016-07-01"},
        {"action_number": 2, "status": "green", "noted_on": "2099-01-01", "colour": "x"},
        "not an object",
    ]
    with pytest.raises(InvalidInput) as refused:
        action_progress_bulk(plan=plan, updates=updates, actor=world.lead)
    assert set(refused.value.errors) == {"updates[1].action_number", "updates[2].status",
                                         "updates[2].noted_on", "updates[2].colour",
                                         "updates[3]"}
    nothing_saved()
    for bad in ([], None, {"a": 1}):
        with pytest.raises(InvalidInput) as refused:
            action_progress_bulk(plan=plan, updates=bad, actor=world.lead)
        assert list(refused.value.errors) == ["updates"]


# Reading.


def test_the_rows_show_status_latest_note_and_linked_person(world, plan, health_lead):
    action_progress_update(plan=plan, action_number=1, status="at_risk",
                           noted_on=datetime.date(2016, 7, 1), text="Older.", actor=world.lead)
    action_progress_update(plan=plan, action_number=1, status="on_track",
                           noted_on=datetime.date(2016, 7, 5), text="Newer.", actor=health_lead)
    rows = action_rows(plan)
    assert [r.number for r in rows] == [1, 2, 3]
    assert (rows[0].status, rows[0].note.text, rows[0].person) == ("on_track", "Newer.",
                                                                  health_lead)
    assert (rows[1].status, rows[1].note, rows[1].person) == ("not_started", None, None)
    assert [r.number for r in action_rows(plan, status="not_started")] == [2, 3]


def test_on_a_plan_adopted_through_the_approval_path(world, frozen_clock):
    from tests.api.conftest import adopted_plan as approved_and_adopted

    plan = approved_and_adopted(world, frozen_clock)
    assert plan.stage == Stage.ADOPTED and plan.adopted_on is not None
    person = partnership_person(world, "public_health")
    lead_link_set(plan=plan, name="Head of Public Health", person=person, actor=world.lead)
    with pytest.raises(InvalidInput) as early:
        action_progress_update(plan=plan, action_number=1, status="on_track",
                               noted_on=plan.adopted_on - datetime.timedelta(days=1),
                               actor=person)
    assert "before the plan was adopted" in early.value.errors["noted_on"][0]
    progress = action_progress_update(plan=plan, action_number=1, status="on_track",
                                      noted_on=plan.adopted_on, actor=person)
    assert progress.version_id == plan.adopted_version_id
    assert priority_leads(plan, plan.adopted_version)[0]["lead"] == person
