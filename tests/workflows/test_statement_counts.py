"""Statements per hot path: the number each step of the approval path issues, held exactly.

Each test runs one service call the way a request does (the service's transaction is the
outermost one: these tests use transactional databases, so no test transaction turns it into
a savepoint) and compares the statements it issued with the count recorded here. A change that
adds a query, or a savepoint, fails here and the message lists every statement, numbered, so
the new one is easy to find. A change that removes one fails too: lower the count here, so the
gain is held (issue 14).

Counts are per database vendor: on PostgreSQL lock_plan locks the plan row alone and then
reads it (``SELECT ... FOR UPDATE``, then the read with its relations: see its docstring);
on SQLite, whose IMMEDIATE transactions hold the write lock from BEGIN, one read does both.
Counts include BEGIN and COMMIT.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import Plan, Review
from governance.models import DecisionOutcome as O
from plangov import clock
from tests.conftest import World, make_plan, open_task, submitted_plan
from workflows import routing
from workflows.models import TaskKind
from workflows.services import plan_revise, plan_start_consultation, plan_withdraw

pytestmark = pytest.mark.django_db(transaction=True)

# The recorded counts: (sqlite, postgresql). Lower them as the paths get leaner; never raise
# one without saying in the commit why the path needs the statement.
CLAIM = {"sqlite": 10, "postgresql": 11}
FIRST_BOARD_COMPLETION = {"sqlite": 25, "postgresql": 26}
JOIN_COMPLETION = {"sqlite": 34, "postgresql": 35}
EXECUTIVE_DECISION = {"sqlite": 35, "postgresql": 36}
LIFECYCLE_ACTION = {"sqlite": 29, "postgresql": 30}
WITHDRAW = {"sqlite": 8, "postgresql": 9}
REVISE = {"sqlite": 7, "postgresql": 8}
WITHDRAW_REVISION = {"sqlite": 8, "postgresql": 9}


@contextlib.contextmanager
def statements(expected: dict[str, int], path: str) -> Iterator[CaptureQueriesContext]:
    """Fail, listing the statements, unless the block issues exactly the expected number.
    Content types are cached, as in a running server (a flushed test database empties it)."""
    ContentType.objects.get_for_models(Plan, Review)
    with CaptureQueriesContext(connection) as captured:
        yield captured
    want = expected[connection.vendor]
    got = len(captured.captured_queries)
    if got != want:
        listing = "\n".join(
            f"{n:3}. {q['sql'][:300]}" for n, q in enumerate(captured.captured_queries, 1)
        )
        pytest.fail(
            f"{path} issued {got} statements on {connection.vendor}, {want} expected "
            f"({'more' if got > want else 'fewer'}: "
            f"{'find the new one below' if got > want else 'lower the recorded count'}):\n"
            f"{listing}",
            pytrace=False,
        )


def _fields(body_slug: str) -> dict[str, object]:
    return {
        "outcome": O.APPROVED,
        "decided_on": clock.today(),
        "attendance": 8,
        "votes_for": 7,
        "minute_reference": f"{body_slug}/{clock.today():%Y}/1",
    }


def _claimed(plan, body, actor) -> int:  # type: ignore[no-untyped-def]
    task = open_task(plan, body)
    routing.task_claim(task_id=task.pk, actor=actor)
    return task.pk


def test_a_claim(world: World, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    with statements(CLAIM, "task_claim"):
        routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    task.refresh_from_db()
    assert task.owner == world.board_secretary


def test_the_first_board_completion_and_the_join(  # type: ignore[no-untyped-def]
    world: World, frozen_clock
) -> None:
    """A joint route of two boards: the first board's approval leaves the Join waiting; the
    second's fires it, and the executive's task is made."""
    plan = submitted_plan(world)
    first = _claimed(plan, world.board, world.board_secretary)
    second = _claimed(plan, world.safeguarding, world.safeguarding_secretary)

    with statements(FIRST_BOARD_COMPLETION, "task_complete (first board)"):
        routing.task_complete(task_id=first, actor=world.board_secretary,
                              **_fields(world.board.slug))
    plan.refresh_from_db()
    assert plan.stage == "partnership_approval"
    assert set(routing.open_tasks(plan).values_list("info__kind", flat=True)) == {
        TaskKind.BOARD_DECISION}

    with statements(JOIN_COMPLETION, "task_complete (second board, the Join fires)"):
        routing.task_complete(task_id=second, actor=world.safeguarding_secretary,
                              **_fields(world.safeguarding.slug))
    plan.refresh_from_db()
    assert plan.stage == "executive_approval"
    assert open_task(plan).info.kind == TaskKind.EXECUTIVE_DECISION


def test_the_executive_decision(world: World, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    plan = submitted_plan(world)
    for body, secretary in ((world.board, world.board_secretary),
                            (world.safeguarding, world.safeguarding_secretary)):
        routing.task_complete(task_id=_claimed(plan, body, secretary), actor=secretary,
                              **_fields(body.slug))
    executive = _claimed(plan, world.executive, world.executive_member)
    with statements(EXECUTIVE_DECISION, "task_complete (executive)"):
        routing.task_complete(task_id=executive, actor=world.executive_member,
                              **_fields(world.executive.slug))
    plan.refresh_from_db()
    assert plan.stage == "call_in"
    assert open_task(plan).info.kind == TaskKind.CALL_IN


def test_a_lifecycle_action(world: World, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    """Open a consultation round (made by the action): lock, check, transition, save, audit."""
    plan = make_plan(world)
    from documents.services import version_create
    from tests.factories import valid_content

    version_create(plan=plan, actor=world.lead, content=valid_content())
    with statements(LIFECYCLE_ACTION, "plan_start_consultation"):
        plan_start_consultation(plan=plan, actor=world.lead)
    plan.refresh_from_db()
    assert plan.stage == "consultation"


def test_a_plain_lifecycle_action(world: World, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    """Withdraw a plan in drafting: lock, check, transition, save, audit, and nothing more
    to do (no open round, no process)."""
    plan = make_plan(world)
    with statements(WITHDRAW, "plan_withdraw"):
        plan_withdraw(plan=plan, actor=world.lead, reason="Merged into the partnership plan.")
    plan.refresh_from_db()
    assert plan.stage == "withdrawn"


def test_revising_an_adopted_plan_and_withdrawing_the_revision(  # type: ignore[no-untyped-def]
    world: World, frozen_clock
) -> None:
    """The lifecycle action at its plainest (lock, check, transition, save, audit), there and
    back: a revision opened on an adopted plan, then withdrawn (the plan is adopted again)."""
    from tests.workflows.review_helpers import adopted_plan

    plan = adopted_plan(world, frozen_clock)
    with statements(REVISE, "plan_revise"):
        plan_revise(plan=plan, actor=world.lead, reason="The priorities changed.")
    plan.refresh_from_db()
    assert (plan.stage, plan.drafting_cycle) == ("drafting", 2)
    with statements(WITHDRAW_REVISION, "plan_withdraw (the revision)"):
        plan_withdraw(plan=plan, actor=world.lead, reason="The old priorities stand.")
    plan.refresh_from_db()
    assert plan.stage == "adopted"
