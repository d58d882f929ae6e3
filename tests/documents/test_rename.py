"""Titles and names stay editable until adoption: each correction a service, one audit event."""

from __future__ import annotations

import pytest

from documents.models import Stage
from documents.services import plan_rename
from governance.models import AuditEvent
from governance.names import body_rename, partnership_rename
from plangov.errors import Forbidden, InvalidInput, WrongStage
from tests.api.conftest import make_lead_deputy, plan_in_stage
from tests.conftest import make_plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BEFORE_ADOPTION = [Stage.DRAFTING, Stage.CONSULTATION, Stage.PARTNERSHIP_APPROVAL,
                   Stage.EXECUTIVE_APPROVAL, Stage.CALL_IN]
FROZEN = [Stage.ADOPTED, Stage.SUPERSEDED, Stage.WITHDRAWN]


def renames() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__endswith=".rename").order_by("seq"))


@pytest.mark.parametrize("stage", BEFORE_ADOPTION)
def test_the_lead_officer_renames_a_plan_in_any_stage_before_adoption(world, frozen_clock,
                                                                       stage):
    plan = plan_in_stage(world, frozen_clock, stage)
    plan = plan_rename(plan=plan, title=" Early Help Strategy ", actor=world.lead,
                       reason="Typo")
    assert plan.title == "Early Help Strategy"
    [event] = renames()
    assert (event.action, event.actor, event.plan_id) == ("plan.rename", world.lead, plan.pk)
    assert event.before == {"title": "Children and Young People's Plan"}
    assert event.after == {"title": "Early Help Strategy"} and event.reason == "Typo"


def test_the_lead_officers_deputy_renames_too(world):
    make_lead_deputy(world, world.board_deputy)
    plan = plan_rename(plan=make_plan(world), title="New", actor=world.board_deputy)
    assert plan.title == "New"


@pytest.mark.parametrize("stage", FROZEN)
def test_a_plan_is_not_renamed_once_adopted(world, frozen_clock, stage):
    plan = plan_in_stage(world, frozen_clock, stage)
    with pytest.raises(WrongStage) as caught:
        plan_rename(plan=plan, title="Later", actor=world.lead)
    assert caught.value.status == 409 and caught.value.action == "rename"
    plan.refresh_from_db()
    assert plan.title == "Children and Young People's Plan" and not renames()


@pytest.mark.parametrize("who", ["board_secretary", "board_chair", "executive_member",
                                 "auditor", "outsider"])
def test_only_the_lead_officer_renames_a_plan(world, who):
    with pytest.raises(Forbidden):
        plan_rename(plan=make_plan(world), title="Mine", actor=world.users[who])
    assert not renames()


@pytest.mark.parametrize(("title", "field", "message"), [
    ("", "title", "cannot be blank"), ("   ", "title", "cannot be blank"),
    ("Two\nlines", "title", "one line"), ("x" * 251, "title", "under 250"),
    ("Bad\x0b", "title", "U+000B (LINE TABULATION)"),
])
def test_a_bad_title_is_refused_naming_the_field(world, title, field, message):
    with pytest.raises(InvalidInput) as caught:
        plan_rename(plan=make_plan(world), title=title, actor=world.lead)
    assert message in caught.value.errors[field][0]
    assert not renames()


def test_a_bad_reason_is_refused(world):
    with pytest.raises(InvalidInput) as caught:
        plan_rename(plan=make_plan(world), title="New", actor=world.lead, reason="x\x00")
    assert list(caught.value.errors) == ["reason"]


def test_the_same_title_again_changes_nothing(world):
    plan = make_plan(world)
    plan_rename(plan=plan, title=plan.title, actor=world.lead)
    assert not renames()


def test_staff_rename_a_partnership_and_a_body_one_event_each(world):
    staff = UserFactory(username="staff", is_staff=True)
    partnership_rename(partnership=world.partnership, name="York Children's Trust",
                       actor=staff, reason="New name from April")
    body_rename(body=world.board, name="York Board", actor=staff)
    world.partnership.refresh_from_db()
    world.board.refresh_from_db()
    assert (world.partnership.name, world.board.name) == ("York Children's Trust", "York Board")
    partnership, body = renames()
    assert partnership.action == "partnership.rename" and partnership.actor == staff
    assert partnership.before == {"name": "YorOK Children's Trust"}
    assert partnership.reason == "New name from April"
    assert body.action == "body.rename" and body.after == {"name": "York Board"}


@pytest.mark.parametrize("who", ["lead", "board_chair", "board_secretary"])
def test_only_staff_rename_partnerships_and_bodies(world, who):
    with pytest.raises(Forbidden):
        partnership_rename(partnership=world.partnership, name="Mine", actor=world.users[who])
    with pytest.raises(Forbidden):
        body_rename(body=world.board, name="Mine", actor=world.users[who])
    assert not renames()


def test_a_name_goes_through_the_text_policy(world):
    staff = UserFactory(username="staff", is_staff=True)
    with pytest.raises(InvalidInput) as caught:
        partnership_rename(partnership=world.partnership, name="York\x0bTrust", actor=staff)
    assert "U+000B" in caught.value.errors["name"][0]
    with pytest.raises(InvalidInput):
        body_rename(body=world.board, name="\ufffe", actor=staff)
    assert not renames()
