"""plangov.steps: what a step read lives exactly as long as the step's transaction, never
across steps, and the flow's gateways read the plan the step locked and moved."""

from __future__ import annotations

import pytest

from documents.models import Plan
from documents.services import lock_plan, step_plan
from plangov import steps
from plangov.txn import service


def test_nothing_is_kept_outside_a_step() -> None:
    assert steps.remember(("x", 1), "kept") == "kept"
    assert steps.recall(("x", 1)) is None


def test_a_step_keeps_until_its_transaction_ends_and_shares_with_nested_services(db) -> None:
    @service
    def inner() -> object:
        return steps.recall(("x", 1))

    @service
    def outer() -> object:
        steps.remember(("x", 1), "kept")
        return inner()

    assert outer() == "kept"
    assert steps.recall(("x", 1)) is None


def test_a_rolled_back_step_keeps_nothing(db) -> None:
    @service
    def failing() -> None:
        steps.remember(("x", 1), "kept")
        raise ValueError("no")

    with pytest.raises(ValueError):
        failing()
    assert steps.recall(("x", 1)) is None


def test_the_locked_plan_is_the_steps_plan_and_the_next_step_reads_afresh(world) -> None:
    from tests.conftest import make_plan

    plan = make_plan(world)

    @service
    def rename_in_memory() -> Plan:
        locked = lock_plan(plan.pk)
        locked.title = "Moved by this step"
        assert step_plan(plan.pk) is locked  # the gateways see the step's own instance
        return locked

    rename_in_memory()  # never saved: the next step must not see it
    Plan.objects.filter(pk=plan.pk).update(title="Changed elsewhere")

    @service
    def read() -> Plan:
        return step_plan(plan.pk)

    assert read().title == "Changed elsewhere"
