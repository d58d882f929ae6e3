"""A real worker over the configured broker: kombu's SQLAlchemy transport on SQLite by default,
Redis when CELERY_BROKER_URL says so (as .ci/run does). Nothing is eager here."""

from __future__ import annotations

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker

from documents.models import Stage
from governance.audit import verify_chain
from governance.models import DecisionOutcome as O
from plangov.celery import app
from tests.conftest import build_world, decide, submitted_plan
from workflows.tasks import scan_call_in_periods


@pytest.fixture
def real_broker(settings):  # type: ignore[no-untyped-def]
    app.conf.task_always_eager = False
    app.conf.broker_connection_timeout = 5
    app.conf.broker_connection_max_retries = 2
    try:
        yield app
    finally:
        app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_it_adopts_a_plan_through_a_real_worker_when_call_in_ends(real_broker, frozen_clock):
    world = build_world()
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))

    with start_worker(real_broker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        queued = scan_call_in_periods.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            plan.refresh_from_db()
            if plan.stage == Stage.ADOPTED:
                break
            time.sleep(0.2)
    assert queued.id
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_version_id == plan.current_version_id
    assert plan.audit_events.filter(action="plan.adopt", actor__isnull=True).count() == 1
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_it_does_nothing_when_an_adoption_task_is_redelivered(frozen_clock):
    from workflows.tasks import adopt_after_call_in

    world = build_world()
    plan = submitted_plan(world)
    for body in (world.board, world.safeguarding, world.executive):
        decide(world, plan, body, O.APPROVED)
    plan.refresh_from_db()
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    assert adopt_after_call_in(plan.pk) == "adopted"
    assert adopt_after_call_in(plan.pk) == "nothing to do"
    assert plan.audit_events.filter(action="plan.adopt").count() == 1
