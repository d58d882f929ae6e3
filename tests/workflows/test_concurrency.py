"""Many actors at once on one plan, and many plans at once on one audit ledger.

Each test starts real threads, each with its own database connection, and releases them
together from a barrier, so the requests genuinely overlap: on PostgreSQL they queue on the
plan's row lock and the audit head's row lock; on SQLite on the database's write lock (taken at
BEGIN IMMEDIATE) within the busy timeout. These tests commit, so they use transactional
databases; every thread closes its connection before it ends.
"""

from __future__ import annotations

import datetime
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from documents.models import Plan, PlanVersion, Stage
from documents.services import lock_plan, version_create
from governance.audit import GENESIS, verify_chain
from governance.models import AuditEvent, AuditHead, Decision, Meeting, Role
from governance.models import DecisionOutcome as O
from plangov.errors import Conflict, InvalidInput, WrongStage
from tests.conftest import World, build_world, decide, make_plan, publish_summary, submitted_plan
from tests.factories import MembershipFactory, UserFactory, valid_content
from workflows.services import plan_close_consultation, plan_start_consultation, plan_submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ACTORS = 16
# Generous: on SQLite the last of sixteen writers waits for fifteen transactions before it.
JOIN_TIMEOUT = 120


@dataclass
class Outcomes:
    """What each thread got back: a result or the exception it raised, by thread index."""

    results: dict[int, Any] = field(default_factory=dict)
    errors: dict[int, BaseException] = field(default_factory=dict)
    tracebacks: dict[int, str] = field(default_factory=dict)

    def unexpected(self, *expected: type[BaseException]) -> str:
        """The tracebacks of errors not of the ``expected`` types ("" if none), first one in
        full, so a failing assertion shows what went wrong in the threads."""
        found = [self.tracebacks[i] for i, exc in sorted(self.errors.items())
                 if not isinstance(exc, expected)]
        if not found:
            return ""
        return f"{len(found)} thread(s) failed unexpectedly; the first:\n{found[0]}"


def at_once(count: int, work: Callable[[int], Any]) -> Outcomes:
    """Run ``work(i)`` for i in range(count) in ``count`` threads released together."""
    barrier = threading.Barrier(count, timeout=30)
    outcomes = Outcomes()
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            # Connect before the barrier, so the race is between requests, not connects.
            connection.ensure_connection()
            barrier.wait()
            result = work(index)
            with lock:
                outcomes.results[index] = result
        except Exception as exc:  # reported by the test
            with lock:
                outcomes.errors[index] = exc
                outcomes.tracebacks[index] = traceback.format_exc()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=f"actor-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    assert len(outcomes.results) + len(outcomes.errors) == count
    return outcomes


def assert_linear_chain(expected_events: int) -> list[AuditEvent]:
    """The ledger is one unbroken line: seqs 1..n, each linked to the one before it."""
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == expected_events
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, expected_events + 1))
    previous = GENESIS
    for event in events:
        assert event.prev_hash == previous, f"event #{event.seq} forks the chain"
        previous = event.hash
    assert len({e.hash for e in events}) == expected_events
    head = AuditHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (expected_events, previous)
    return events


def lead_with_deputies(world: World, count: int) -> list[Any]:
    """The lead officer and ``count - 1`` people deputising for them on the owning board
    (one deputy per term of office, as Membership allows one deputy a term)."""
    actors = [world.lead]
    for n in range(1, count):
        deputy = UserFactory(username=f"deputy-{n:02d}")
        MembershipFactory(
            user=world.lead, body=world.board, role=Role.LEAD_OFFICER, deputy=deputy,
            starts_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
        )
        actors.append(deputy)
    return actors


def ready_to_submit(world: World) -> Plan:
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    plan.refresh_from_db()
    assert plan.stage == Stage.DRAFTING
    return plan  # six audit events so far (the round's set-up, opening, closing, summary)


def test_it_lets_exactly_one_of_sixteen_concurrent_submits_through_the_services():
    world = build_world()
    actors = lead_with_deputies(world, ACTORS)
    plan = ready_to_submit(world)
    events_before = AuditEvent.objects.count()

    outcomes = at_once(ACTORS, lambda i: plan_submit(plan=plan, actor=actors[i], reason=f"#{i}"))

    assert not outcomes.unexpected(Conflict), outcomes.unexpected(Conflict)
    assert len(outcomes.results) == 1
    assert len(outcomes.errors) == ACTORS - 1
    # Each loser waited for the winner and then found the plan already submitted (a
    # WrongStage naming the new stage), or at worst was told the plan was busy: both are 409.
    for exc in outcomes.errors.values():
        assert exc.status == 409
        if isinstance(exc, WrongStage):
            assert exc.stage == Stage.PARTNERSHIP_APPROVAL
            assert "submit" not in exc.possible
    [winner] = outcomes.results
    plan.refresh_from_db()
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert plan.current_version.submitted_by == actors[winner]
    submits = AuditEvent.objects.filter(plan=plan, action="plan.submit")
    assert submits.count() == 1
    assert submits.get().actor == actors[winner]
    assert submits.get().reason == f"#{winner}"
    events = assert_linear_chain(events_before + 1)
    assert events[-1].action == "plan.submit"


def test_it_answers_one_200_and_fifteen_409s_to_sixteen_concurrent_submit_requests():
    world = build_world()
    actors = lead_with_deputies(world, ACTORS)
    plan = ready_to_submit(world)
    events_before = AuditEvent.objects.count()
    url = f"/api/v1/plans/{plan.pk}/actions/submit/"

    def post(i: int) -> tuple[int, str, Any]:
        client = APIClient()
        # An unhandled exception must come back as a response we can count, not a raise.
        client.raise_request_exception = False
        client.force_authenticate(actors[i])
        response = client.post(url, {"reason": f"request {i}"}, format="json")
        return response.status_code, response["Content-Type"], response.json()

    outcomes = at_once(ACTORS, post)

    assert not outcomes.errors, outcomes.unexpected()
    statuses = Counter(status for status, _, _ in outcomes.results.values())
    assert statuses == {200: 1, 409: ACTORS - 1}, outcomes.results
    assert not [s for s in statuses if s >= 500]
    for status, content_type, body in outcomes.results.values():
        if status == 200:
            assert content_type == "application/json"
            assert body["stage"] == Stage.PARTNERSHIP_APPROVAL
            assert body["current_version"]["submitted"] is True
        else:
            assert content_type == "application/problem+json"
            assert body["status"] == 409
            assert body["type"].startswith("urn:plangov:problem:")
            assert body["detail"]
            assert body["instance"] == url
    [winner] = [i for i, (status, _, _) in outcomes.results.items() if status == 200]
    submit = AuditEvent.objects.get(plan=plan, action="plan.submit")
    assert submit.actor == actors[winner]
    assert submit.reason == f"request {winner}"
    assert_linear_chain(events_before + 1)


def test_it_numbers_sixteen_concurrent_versions_one_to_sixteen():
    world = build_world()
    actors = lead_with_deputies(world, ACTORS)
    plan = make_plan(world)  # one audit event: plan.create

    outcomes = at_once(
        ACTORS,
        lambda i: version_create(
            plan=plan, actor=actors[i], content=valid_content(vision=f"Vision {i}"),
            note=f"by actor {i}",
        ),
    )

    assert not outcomes.errors, outcomes.unexpected()
    versions = list(PlanVersion.objects.filter(plan=plan).order_by("number"))
    assert [v.number for v in versions] == list(range(1, ACTORS + 1))
    assert sorted(v.pk for v in versions) == sorted(v.pk for v in outcomes.results.values())
    assert {v.content["vision"] for v in versions} == {f"Vision {i}" for i in range(ACTORS)}
    plan.refresh_from_db()
    assert plan.current_version == versions[-1]
    creates = AuditEvent.objects.filter(plan=plan, action="version.create").order_by("seq")
    assert creates.count() == ACTORS
    # Appends happened in version order: the ledger tells the story the versions tell.
    assert [e.object_id for e in creates] == [str(v.pk) for v in versions]
    assert [e.after["current_version"] for e in creates] == list(range(1, ACTORS + 1))
    assert_linear_chain(1 + ACTORS)


def test_it_keeps_the_ledger_linear_when_different_plans_append_at_once():
    world = build_world()
    plans = [make_plan(world) for _ in range(ACTORS)]  # one event each
    rounds = 4  # version, the round set up, opened, closed

    def work(i: int) -> None:
        plan = plans[i]
        version_create(plan=plan, actor=world.lead, content=valid_content())
        plan_start_consultation(plan=plan, actor=world.lead)
        plan_close_consultation(plan=plan, actor=world.lead)

    outcomes = at_once(ACTORS, work)

    assert not outcomes.errors, outcomes.unexpected()
    events = assert_linear_chain(ACTORS + ACTORS * rounds)
    per_plan = Counter(e.plan_id for e in events)
    assert per_plan == {plan.pk: 1 + rounds for plan in plans}
    for plan in plans:
        actions = [e.action for e in events if e.plan_id == plan.pk]
        assert actions == [
            "plan.create", "version.create", "consultation.round_create",
            "plan.start_consultation", "plan.close_consultation",
        ]


def test_it_creates_the_ledger_head_once_when_the_first_appends_race():
    world = build_world()
    # A fresh ledger: no events and no head row, so every writer finds no head to lock.
    assert not AuditEvent.objects.exists()
    AuditHead.objects.all().delete()

    outcomes = at_once(ACTORS, lambda i: make_plan(world))

    assert not outcomes.errors, outcomes.unexpected()
    assert AuditHead.objects.count() == 1
    events = assert_linear_chain(ACTORS)
    assert {e.plan_id for e in events} == {plan.pk for plan in outcomes.results.values()}


def wait_until_another_connection_waits_for_a_lock() -> None:
    """On PostgreSQL, until some other backend is waiting for a row lock. SQLite shows no such
    thing, and needs none: a writer there reads nothing before its BEGIN IMMEDIATE returns,
    which is after the holder commits; a moment's pause lets the waiter reach BEGIN."""
    if connection.vendor != "postgresql":
        threading.Event().wait(0.3)
        return
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.05)
    raise AssertionError("no connection ever waited for the plan's lock")


def test_it_submits_the_version_written_while_the_submit_waited_for_the_plan():
    """A submit that queues behind a writer sees the writer's new version, not the one that
    was current when it started waiting."""
    world = build_world()
    plan = ready_to_submit(world)
    first = plan.current_version
    holding = threading.Event()

    def writer() -> PlanVersion:
        with transaction.atomic():
            lock_plan(plan.pk)
            holding.set()
            wait_until_another_connection_waits_for_a_lock()
            return version_create(
                plan=plan, actor=world.lead, content=valid_content(vision="Second thoughts.")
            )

    def submitter() -> Plan:
        assert holding.wait(30)
        return plan_submit(plan=plan, actor=world.lead)

    outcomes = at_once(2, lambda i: (writer, submitter)[i]())

    assert not outcomes.errors, outcomes.unexpected()
    second = outcomes.results[0]
    assert second.number == 2
    plan.refresh_from_db()
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert plan.current_version == second
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_submitted and second.submitted_by == world.lead
    assert not first.is_submitted
    submit = AuditEvent.objects.get(plan=plan, action="plan.submit")
    assert submit.before["current_version"] == 2
    assert submit.after["current_version"] == 2
    assert_linear_chain(6 + 2)  # ready_to_submit's six, the version and the submission


def test_it_records_decisions_of_one_new_meeting_on_many_plans_at_once():
    """The board's secretary and deputy record the board's approval of eight plans, all taken
    at one meeting not yet on record: the meeting is created once and every decision counts."""
    world = build_world()
    plans = [submitted_plan(world) for _ in range(8)]
    recorders = [world.board_secretary, world.board_deputy] * 4
    events_before = AuditEvent.objects.count()

    outcomes = at_once(
        len(plans),
        lambda i: decide(world, plans[i], world.board, O.APPROVED, actor=recorders[i]),
    )

    assert not outcomes.errors, outcomes.unexpected()
    [meeting] = Meeting.objects.filter(body=world.board)
    assert meeting.attendance == 8
    assert Decision.objects.filter(meeting=meeting).count() == len(plans)
    assert_linear_chain(events_before + len(plans))


def test_it_refuses_a_concurrent_decision_that_disagrees_about_who_attended():
    world = build_world()
    plans = [submitted_plan(world) for _ in range(2)]
    attendance = [8, 9]

    outcomes = at_once(
        2, lambda i: decide(world, plans[i], world.board, O.APPROVED, attendance=attendance[i])
    )

    assert not outcomes.unexpected(InvalidInput), outcomes.unexpected(InvalidInput)
    [winner] = outcomes.results
    [loser] = outcomes.errors
    meeting = Meeting.objects.get(body=world.board)
    assert meeting.attendance == attendance[winner]
    assert "attendance" in outcomes.errors[loser].errors
    assert not Decision.objects.filter(plan=plans[loser]).exists()


def test_it_answers_409_not_500_when_the_plan_stays_locked_past_the_timeout():
    """A writer that cannot get the lock in time (SQLite's busy timeout, PostgreSQL's
    lock_timeout, shortened here for this one connection) is told the plan is busy."""
    world = build_world()
    plan = ready_to_submit(world)
    events_before = AuditEvent.objects.count()
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                lock_plan(plan.pk)
                holding.set()
                assert release.wait(60)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(30)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET lock_timeout = '200ms'")
            else:
                cursor.execute("PRAGMA busy_timeout = 200")
        client = APIClient()
        client.force_authenticate(world.lead)
        response = client.post(f"/api/v1/plans/{plan.pk}/actions/submit/", {}, format="json")
    finally:
        release.set()
        thread.join(JOIN_TIMEOUT)
        connection.close()  # the next connection has the configured timeouts again

    assert response.status_code == 409, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert "busy" in response.json()["detail"]
    plan.refresh_from_db()
    assert plan.stage == Stage.DRAFTING
    assert_linear_chain(events_before)
    # Once the lock is free, the same request goes through.
    client = APIClient()
    client.force_authenticate(world.lead)
    response = client.post(f"/api/v1/plans/{plan.pk}/actions/submit/", {}, format="json")
    assert response.status_code == 200
    assert_linear_chain(events_before + 1)
