"""plangov.prepared: a read compiled once gives what its queryset gives, on the database in
use (CI runs this on SQLite and on PostgreSQL), and a read it cannot prepare faithfully is
refused when it is compiled, never run wrong."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Model

from documents import services as plan_services
from governance import audit, policy
from governance import models as governance_models
from governance.models import AuditHead, Body, ClosureDay, Meeting, Membership, Role
from plangov import clock
from plangov.prepared import Prepared, PreparedUpdate
from tests.conftest import World, open_task, submitted_plan
from workflows import decisions, flows, routing
from workflows.lifecycle import state

pytestmark = pytest.mark.django_db


def _fields(obj: Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _same(prepared_rows: list[Any], orm_rows: list[Any], related: tuple[str, ...] = ()) -> None:
    assert len(prepared_rows) == len(orm_rows)
    for ours, theirs in zip(prepared_rows, orm_rows, strict=True):
        if isinstance(theirs, Model):
            assert type(ours) is type(theirs)
            assert _fields(ours) == _fields(theirs)
            assert not ours._state.adding and ours._state.db == theirs._state.db
            for path in related:  # select_related: the same rows, already loaded
                ours_rel, theirs_rel = ours, theirs
                for name in path.split("__"):
                    field = type(ours_rel)._meta.get_field(name)
                    assert field.is_cached(ours_rel), path
                    ours_rel, theirs_rel = getattr(ours_rel, name), getattr(theirs_rel, name)
                assert (ours_rel is None) == (theirs_rel is None)
                if ours_rel is not None:
                    assert _fields(ours_rel) == _fields(theirs_rel)
        else:
            assert ours == theirs


def _check(prepared: Prepared[Any], related: tuple[str, ...] = (), shape: Any = None,
           **values: Any) -> list[Any]:
    with transaction.atomic():  # the locking reads compile only inside a transaction
        ours = prepared.all(shape=shape, **values)
        built = prepared.build(**values) if shape is None else prepared.build(shape, **values)
        _same(ours, list(built), related)
    return ours


def test_every_prepared_read_of_the_approval_path_matches_its_queryset(
        world: World, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    plan = submitted_plan(world)
    routing.task_complete(
        task_id=open_task(plan, world.board).pk, actor=world.board_secretary,
        outcome="approved", decided_on=clock.today(), attendance=8, votes_for=7,
        minute_reference="b/1")
    plan.refresh_from_db()
    task = open_task(plan, world.safeguarding)
    ClosureDay.objects.create(partnership=world.partnership, date=datetime.date(2016, 12, 27),
                              reason="Council closure")
    Meeting.objects.create(body=world.executive, date=clock.today() + datetime.timedelta(days=9),
                           attendance=6)

    rows = _check(plan_services.BY_ID.read, plan_services.PLAN_RELATED, key=plan.pk)
    assert [p.pk for p in rows] == [plan.pk]
    assert _check(plan_services.BY_ID.lock, key=plan.pk) == [plan.pk]
    assert [p.pk for p in _check(routing.PLAN_OF_TASK.read, plan_services.PLAN_RELATED,
                                 key=task.pk)] == [plan.pk]
    assert _check(routing.PLAN_OF_TASK.lock, key=task.pk) == [plan.pk]
    assert [t.pk for t in _check(routing._TASK, ("info", "info__body", "owner", "process"),
                                 task=task.pk)] == [task.pk]
    assert len(_check(audit._HEAD, head=1)) == 1
    decided = _check(state._DECISIONS, ("body",), plan=plan.pk, version=plan.current_version_id)
    assert [d.body_id for d in decided] == [world.board.pk]
    assert {b.pk for b in _check(state._APPROVING, plan=plan.pk)} == {
        world.board.pk, world.safeguarding.pk}
    assert dict(_check(state._POSITIONS, plan=plan.pk)).keys() == {
        world.board.pk, world.safeguarding.pk}
    assert len(_check(decisions._MEETING, body=world.board.pk, day=clock.today())) == 1
    assert _check(decisions._MEETING, body=world.board.pk, day=datetime.date(2001, 1, 1)) == []
    assert len(_check(routing._NEXT_MEETING, body=world.executive.pk, day=clock.today())) == 1
    assert _check(routing._PARTNERSHIP, partnership=world.partnership.pk)[0].pk == (
        world.partnership.pk)
    assert _check(governance_models._CLOSURE_DATES, partnership=world.partnership.pk) == [
        datetime.date(2016, 12, 27)]
    lock = flows._PROCESS_LOCK
    process = task.process
    assert _check(lock, shape=(type(process), False), process=process.pk) == [process.pk]
    for roles in ({Role.SECRETARY}, {Role.SECRETARY, Role.EXECUTIVE_MEMBER}):
        for user in (world.board_secretary, world.lead):
            held = _check(policy._ACTING, shape=frozenset(roles), body=world.board.pk,
                          user=user.pk, day=clock.today())
            assert bool(held) == (user == world.board_secretary)


def test_a_day_past_a_membership_s_end_is_not_today_s(world: World) -> None:
    membership = Membership.objects.filter(user=world.board_secretary, body=world.board).first()
    membership.ends_on = datetime.date(2016, 7, 1)
    membership.save()
    for day, held in ((datetime.date(2016, 7, 1), True), (datetime.date(2016, 7, 2), False)):
        assert policy._ACTING.exists(shape=frozenset({Role.SECRETARY}), body=world.board.pk,
                                     user=world.board_secretary.pk, day=day) is held


def test_a_prepared_update_changes_what_its_queryset_update_would(world: World) -> None:
    with transaction.atomic():
        head = AuditHead.objects.get(pk=1)
        changed = audit._HEAD_MOVE.update(head=1, seq=head.last_seq + 5, digest="f" * 64)
        assert changed == 1
        head.refresh_from_db()
        assert (head.last_hash, changed) == ("f" * 64, 1)
        assert audit._HEAD_MOVE.update(head=2, seq=1, digest="0" * 64) == 0
        transaction.set_rollback(True)


def test_each_shape_is_its_own_statement_and_values_are_never_part_of_the_sql(
        world: World) -> None:
    names = Prepared(lambda slugs, partnership: Body.objects.filter(
        partnership_id=partnership, slug__in=sorted(slugs)).values_list("name", flat=True),
        partnership=int)
    one = names.all(shape=frozenset({world.board.slug}), partnership=world.partnership.pk)
    two = names.all(shape=frozenset({world.board.slug, world.executive.slug}),
                    partnership=world.partnership.pk)
    assert one == [world.board.name]
    assert sorted(two) == sorted([world.board.name, world.executive.name])
    missing = world.partnership.pk + 99
    assert names.all(shape=frozenset({world.board.slug}), partnership=missing) == []


@pytest.mark.parametrize("build, params, problem", [
    # A value that Django does not pass through as a plain parameter: a LIKE pattern.
    (lambda name: Body.objects.filter(name__contains=name), {"name": str},
     "not a plain value"),
    # A parameter the queryset never uses.
    (lambda body, other: Body.objects.filter(pk=body), {"body": int, "other": int},
     "not found"),
    # SQL that depends on the value itself.
    (lambda body: Body.objects.filter(pk__in=list(range(1, 2 + body % 3))), {"body": int},
     "depends on a parameter"),
])
def test_a_read_that_cannot_be_prepared_faithfully_is_refused_when_compiled(
        world: World, build: Any, params: dict[str, type], problem: str) -> None:
    prepared = Prepared(build, **params)
    with pytest.raises(ValueError, match=problem):
        prepared.all(**{name: (world.board.name if kind is str else world.board.pk)
                        for name, kind in params.items()})


def test_an_annotated_or_coerced_read_is_refused() -> None:
    from django.db.models import Value
    from viewflow.workflow.models import Task

    with pytest.raises(ValueError, match="annotations"):
        Prepared(lambda body: Body.objects.filter(pk=body).annotate(n=Value(1)),
                 body=int).all(body=1)
    with pytest.raises(ValueError, match="model instances"):
        Prepared(lambda task: Task.objects.coerce_for([flows.PlanApprovalFlow]).filter(pk=task),
                 task=int).all(task=1)
    with pytest.raises(TypeError):
        Prepared(lambda day: Body.objects.all(), day=float).all(day=1.0)


def test_a_prepared_update_of_no_row_changes_nothing() -> None:
    update = PreparedUpdate(lambda body: (Body.objects.filter(pk=body), {"name": "x"}),
                            body=int)
    with transaction.atomic():
        assert update.update(body=-1) == 0
        transaction.set_rollback(True)
