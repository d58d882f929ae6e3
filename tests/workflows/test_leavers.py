"""When someone leaves: claimed tasks back to the queue, API tokens revoked, audited once."""

from __future__ import annotations

import datetime

import pytest
from viewflow.workflow.status import STATUS

from governance.models import AuditEvent, Membership, Role
from governance.tokens.models import ApiToken
from governance.tokens.services import token_create
from plangov import clock
from plangov.errors import Forbidden, InvalidInput
from tests.conftest import open_task, submitted_plan
from tests.factories import MembershipFactory, UserFactory
from workflows import routing
from workflows.leavers import leavers_to_act_on, person_leave
from workflows.tasks import scan_leavers


def _give_token(user) -> None:  # type: ignore[no-untyped-def]
    token_create(user=user, name="test", actor=user)


def _live_tokens():  # type: ignore[no-untyped-def]
    return ApiToken.objects.filter(revoked_at__isnull=True)


@pytest.fixture
def claimed(world):  # type: ignore[no-untyped-def]
    """The board secretary has claimed the board's decision task and holds an API token."""
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    _give_token(world.board_secretary)
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner == world.board_secretary
    return task


def _end_roles(user) -> None:  # type: ignore[no-untyped-def]
    Membership.objects.filter(user=user).update(ends_on=clock.today() - datetime.timedelta(1))


def _assert_released(task, user) -> None:  # type: ignore[no-untyped-def]
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner_id is None
    assert not _live_tokens().filter(user=user).exists()
    event = AuditEvent.objects.get(action="person.leave")
    assert event.object_id == str(user.pk)
    assert event.before == {"claimed_tasks": [task.pk], "tokens": 1}
    assert event.after == {"claimed_tasks": [], "tokens": 0}


def test_the_scan_releases_the_tasks_and_tokens_of_someone_whose_roles_ended(world, claimed):
    _end_roles(world.board_secretary)
    assert scan_leavers() == 1
    _assert_released(claimed, world.board_secretary)
    assert AuditEvent.objects.get(action="person.leave").actor is None
    # Idempotent: a second scan finds nothing and records nothing.
    assert scan_leavers() == 0
    assert AuditEvent.objects.filter(action="person.leave").count() == 1
    # The task is back in the board's queue: the board's new secretary can claim it.
    successor = MembershipFactory(user=UserFactory(username="new_secretary"),
                                  body=world.board, role=Role.SECRETARY).user
    routing.task_claim(task_id=claimed.pk, actor=successor)


def test_the_scan_releases_a_closed_account(world, claimed):
    world.board_secretary.is_active = False
    world.board_secretary.save()
    assert leavers_to_act_on() == [(world.board_secretary.pk,
                                    "This person's account has been closed.")]
    scan_leavers()
    _assert_released(claimed, world.board_secretary)


def test_the_leaving_task_does_nothing_twice(world, claimed):
    from workflows.tasks import leave_person

    _end_roles(world.board_secretary)
    assert leave_person(world.board_secretary.pk, "left") == "left"
    assert leave_person(world.board_secretary.pk, "left") == "nothing to do"
    assert AuditEvent.objects.filter(action="person.leave").count() == 1


def test_people_still_in_post_and_administrators_are_left_alone(world, claimed):
    admin = UserFactory(username="admin", is_staff=True)
    _give_token(admin)
    future = world.executive_member
    Membership.objects.filter(user=future).update(
        starts_on=clock.today() + datetime.timedelta(30))
    _give_token(future)
    assert leavers_to_act_on() == []
    assert scan_leavers() == 0
    assert _live_tokens().count() == 3


def test_an_administrator_records_someone_leaving_at_once(world, claimed):
    admin = UserFactory(username="admin", is_staff=True)
    result = person_leave(user=world.board_secretary, actor=admin, reason="Left the council")
    assert result.tasks_released == [claimed.pk] and result.tokens_revoked == 1
    _assert_released(claimed, world.board_secretary)
    event = AuditEvent.objects.get(action="person.leave")
    assert event.actor == admin and event.reason == "Left the council"


def test_only_an_administrator_records_someone_leaving(world, claimed):
    with pytest.raises(Forbidden):
        person_leave(user=world.board_secretary, actor=world.lead, reason="gone")
    with pytest.raises(InvalidInput) as caught:
        person_leave(user=world.board_secretary, actor=None, reason="  ")
    assert "reason" in caught.value.errors
    with pytest.raises(InvalidInput):
        person_leave(user=world.board_secretary, actor=None, reason="bad\x00text")
    claimed.refresh_from_db()
    assert claimed.owner == world.board_secretary
    assert _live_tokens().filter(user=world.board_secretary).exists()
    assert not AuditEvent.objects.filter(action="person.leave").exists()


def test_the_command_records_someone_leaving(world, claimed):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("person_leave", "board_secretary", reason="Left the council", stdout=out)
    assert "1 task(s) back in their queue, 1 token(s) revoked" in out.getvalue()
    _assert_released(claimed, world.board_secretary)
    with pytest.raises(CommandError, match="Nobody has the username"):
        call_command("person_leave", "nobody", reason="x")
