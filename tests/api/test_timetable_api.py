"""GET, PUT /api/v1/plans/{id}/timetable/: milestones with planned and actual dates, status
and flags; PUT replaces them (lead officer); problem documents naming milestones[i].field."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from governance.models import AuditEvent
from governance.models import DecisionOutcome as O
from tests.conftest import FrozenClock, World, decide, submitted_plan
from tests.factories import BodyFactory, MembershipFactory, PartnershipFactory, UserFactory
from workflows.timetable.models import Milestone

PROBLEM = "application/problem+json"
D = datetime.date


def url(plan: Any) -> str:
    return f"/api/v1/plans/{plan.pk}/timetable/"


TIMETABLE = {"milestones": [
    {"kind": "consultation_opens", "target_on": "2016-06-01"},
    {"kind": "consultation_closes", "target_on": "2016-06-30", "note": "<script>x</script>"},
    {"kind": "board_meeting", "body": "yorok-board", "target_on": "2016-07-05"},
    {"kind": "board_meeting", "body": "safeguarding-board", "target_on": "2016-07-20"},
    {"kind": "executive_meeting", "target_on": "2016-09-15", "key_decision": True,
     "forward_plan_published_on": "2016-07-14"},
    {"kind": "publication", "target_on": "2016-10-01"},
    {"kind": "other", "label": "Youth panel's version", "target_on": "2016-11-01"},
]}


@pytest.fixture
def plan(world: World, frozen_clock: FrozenClock) -> Any:
    frozen_clock.set(D(2016, 5, 2))
    from documents.services import plan_create

    return plan_create(
        actor=world.lead, partnership=world.partnership, title="Children in Care Strategy",
        kind="strategy", period_start=D(2016, 4, 1), period_end=D(2020, 3, 31),
        owning_body=world.board, lead_officer=world.lead,
        approving_bodies=[world.board, world.safeguarding], executive_body=world.executive,
    )


def put(client: Any, plan: Any, data: Any) -> Any:
    return client.put(url(plan), data, format="json")


def test_lead_officer_puts_and_gets_the_timetable(world, as_user, plan, frozen_clock):
    client = as_user(world.lead)
    events = AuditEvent.objects.count()
    frozen_clock.set(D(2016, 7, 14))
    response = put(client, plan, TIMETABLE)
    assert response.status_code == 200, response.json()
    assert AuditEvent.objects.count() == events + 1
    body = client.get(url(plan)).json()
    assert body == response.json()
    assert body["plan"] == plan.pk and body["today"] == "2016-07-14"
    rows = body["milestones"]
    assert [r["kind"] for r in rows] == [m["kind"] for m in TIMETABLE["milestones"]]
    assert rows[2]["body"] == "yorok-board"
    assert rows[2]["title"] == "YorOK Board's meeting"
    assert rows[4]["body"] == "executive"
    assert rows[1]["note"] == "<script>x</script>"  # kept as text; pages escape it
    # Nothing has happened yet: the consultation was due on 1 June.
    assert [(r["status"], r["days"], r["actual_on"]) for r in rows[:3]] == [
        ("overdue", 43, None), ("overdue", 14, None), ("overdue", 9, None)]
    assert rows[3]["status"] == "due"
    assert rows[6]["status"] == "untracked"
    executive = rows[4]
    assert executive["forward_plan_due_by"] == "2016-08-17"
    assert executive["forward_plan_clear_days"] == 62
    assert {(f["code"], f["milestone"]) for f in body["flags"]} == {
        ("overdue", 0), ("overdue", 1), ("overdue", 2)}
    assert rows[0]["flags"] == [f for f in body["flags"] if f["milestone"] == 0]


def test_actual_dates_come_from_the_record(world, as_user, frozen_clock):
    frozen_clock.set(D(2016, 7, 1))
    plan = submitted_plan(world)  # consulted, closed and submitted on 1 July 2016
    client = as_user(world.lead)
    assert put(client, plan, {"milestones": [
        {"kind": "consultation_opens", "target_on": "2016-06-20"},
        {"kind": "board_meeting", "body": "yorok-board", "target_on": "2016-07-05"},
    ]}).status_code == 200
    frozen_clock.set(D(2016, 7, 8))
    decide(world, plan, world.board, O.APPROVED)
    rows = client.get(url(plan)).json()["milestones"]
    assert [(r["actual_on"], r["status"], r["days"]) for r in rows] == [
        ("2016-07-01", "late", 11), ("2016-07-08", "late", 3)]


@pytest.mark.parametrize("who", ["board_secretary", "executive_member", "auditor",
                                 "board_chair"])
def test_people_who_see_the_plan_read_it_but_may_not_change_it(world, as_user, plan, who):
    client = as_user(world.users[who])
    assert client.get(url(plan)).status_code == 200
    response = put(client, plan, {"milestones": [{"kind": "nonsense"}]})
    assert response.status_code == 403  # refused before its input is read
    assert response["Content-Type"] == PROBLEM
    assert not Milestone.objects.exists()


def test_outsiders_and_other_partnerships_get_404(world, as_user, plan):
    for response in (as_user(world.outsider).get(url(plan)),
                     put(as_user(world.outsider), plan, TIMETABLE)):
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
    assert as_user(world.lead).get("/api/v1/plans/99999999999999999999/timetable/"
                                   ).status_code == 404
    elsewhere = PartnershipFactory(slug="elsewhere")
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, body=BodyFactory(partnership=elsewhere),
                      role="lead_officer")
    assert as_user(stranger).get(url(plan)).status_code == 404


def test_signed_out_is_refused(api, plan):
    assert api.get(url(plan)).status_code in (401, 403)


@pytest.mark.parametrize(("milestone", "field"), [
    ({"kind": "board_meeting", "body": "yorok-board", "target_on": "2016-10-01"},
     "milestones[3].target_on"),  # after the executive's meeting
    ({"kind": "board_meeting", "body": "no-such-board", "target_on": "2016-07-01"},
     "milestones[3].body"),
    ({"kind": "board_meeting", "target_on": "2016-07-01"}, "milestones[3].body"),
    ({"kind": "board_meeting", "body": "yorok-board", "target_on": "1 July"},
     "milestones[3].target_on"),
    ({"kind": "cake", "target_on": "2016-07-01"}, "milestones[3].kind"),
    ({"kind": "other", "target_on": "2016-07-01"}, "milestones[3].label"),
    ({"kind": "other", "label": "Launch", "target_on": "2016-07-01", "note": "a\x0bb"},
     "milestones[3].note"),
    ({"kind": "publication", "target_on": "2016-07-01", "key_decision": True},
     "milestones[3].key_decision"),
    ({"kind": "publication"}, "milestones[3].target_on"),
])
def test_bad_milestones_are_400_naming_the_field(world, as_user, plan, milestone, field):
    data = {"milestones": [*TIMETABLE["milestones"][:3], milestone,
                           TIMETABLE["milestones"][4]]}
    data["milestones"][4] = {**data["milestones"][4], "forward_plan_published_on": None}
    events = AuditEvent.objects.count()
    response = put(as_user(world.lead), plan, data)
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == PROBLEM
    assert field in response.json()["errors"], response.json()["errors"]
    assert not Milestone.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_body_that_is_not_a_list_is_400(world, as_user, plan):
    response = put(as_user(world.lead), plan, {"milestones": "soon"})
    assert response.status_code == 400
    assert "milestones" in response.json()["errors"]


def test_put_on_a_withdrawn_plan_is_409(world, as_user, plan):
    from workflows.services import plan_withdraw

    plan_withdraw(plan=plan, actor=world.lead, reason="Merged into the CYPP.")
    response = put(as_user(world.lead), plan, {"milestones": []})
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM


def test_an_empty_put_clears_the_timetable(world, as_user, plan, frozen_clock):
    frozen_clock.set(D(2016, 7, 14))
    client = as_user(world.lead)
    put(client, plan, TIMETABLE)
    assert Milestone.objects.count() == 7
    response = put(client, plan, {"milestones": []})
    assert (response.status_code, response.json()["milestones"]) == (200, [])
    assert not Milestone.objects.exists()


def test_the_schema_documents_the_timetable(db, api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/plans/{id}/timetable/"]
    assert set(operations) >= {"get", "put"}
    assert set(operations["put"]["responses"]) >= {"200", "400", "403", "404", "409"}
    assert set(operations["get"]["responses"]) >= {"200", "404"}
    for code in ("400", "403", "404"):
        assert PROBLEM in operations["put"]["responses"][code]["content"]
    components = schema["components"]["schemas"]
    milestone = components["Milestone"]["properties"]
    assert {"target_on", "actual_on", "status", "flags", "forward_plan_due_by"} <= set(milestone)
    assert "milestones" in components["TimetableInputRequest"]["properties"]
