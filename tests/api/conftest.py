"""Helpers for the API tests: problem documents, audit counts, plans in every stage."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import Plan, Stage
from governance.models import AuditEvent, BodyKind, Role
from governance.models import DecisionOutcome as O
from tests.conftest import World, add_full_council, decide, make_plan, submitted_plan
from tests.factories import BodyFactory, MembershipFactory, PartnershipFactory, UserFactory
from workflows.services import (
    plan_adopt,
    plan_start_consultation,
    plan_supersede,
    plan_withdraw,
)

PROBLEM = "application/problem+json"

# Every role in the world fixture, and the people in it who hold no role for plans at all.
ROLES = [
    "lead",
    "board_secretary",
    "board_deputy",
    "board_chair",
    "safeguarding_secretary",
    "executive_member",
    "executive_secretary",
    "scrutiny_secretary",
    "auditor",
    "outsider",
]
MEMBERS = [role for role in ROLES if role != "outsider"]

# What the lifecycle allows from each stage, in the order the API lists them.
POSSIBLE_ACTIONS: dict[str, list[str]] = {
    Stage.DRAFTING: ["start_consultation", "submit", "withdraw"],
    Stage.CONSULTATION: ["close_consultation", "withdraw"],
    Stage.PARTNERSHIP_APPROVAL: ["withdraw"],
    Stage.EXECUTIVE_APPROVAL: ["withdraw"],
    Stage.CALL_IN: ["adopt"],
    Stage.FULL_COUNCIL: ["withdraw"],
    Stage.ADOPTED: ["revise", "supersede"],
    Stage.SUPERSEDED: [],
    Stage.WITHDRAWN: [],
}
USER_ACTIONS = [
    "start_consultation",
    "close_consultation",
    "submit",
    "adopt",
    "revise",
    "supersede",
    "withdraw",
]


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem document with ``status``; return its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:plangov:problem:")
    assert body["title"]
    assert body["detail"]
    return body


def audit_events() -> int:
    return AuditEvent.objects.count()


def plan_url(plan: Plan, tail: str = "") -> str:
    return f"/api/v1/plans/{plan.pk}/{tail}"


def executive_approved_plan(world: World, **kwargs: Any) -> Plan:
    plan = submitted_plan(world, **kwargs)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    plan.refresh_from_db()
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    return plan


def call_in_plan(world: World) -> Plan:
    plan = executive_approved_plan(world)
    decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    return plan


def adopted_plan(world: World, frozen_clock: Any) -> Plan:
    plan = call_in_plan(world)
    frozen_clock.advance(days=8)
    return plan_adopt(plan=plan, actor=None)


def plan_in_stage(world: World, frozen_clock: Any, stage: str) -> Plan:
    """A plan of the world's partnership, walked through the services to ``stage``."""
    if stage == Stage.DRAFTING:
        plan = make_plan(world)
    elif stage == Stage.CONSULTATION:
        plan = plan_start_consultation(plan=make_plan(world), actor=world.lead)
    elif stage == Stage.PARTNERSHIP_APPROVAL:
        plan = submitted_plan(world)
    elif stage == Stage.EXECUTIVE_APPROVAL:
        plan = executive_approved_plan(world)
    elif stage == Stage.CALL_IN:
        plan = call_in_plan(world)
    elif stage == Stage.FULL_COUNCIL:
        if "council_secretary" not in world.users:
            add_full_council(world)
        plan = executive_approved_plan(world)
        decide(world, plan, world.executive, O.ENDORSED)
    elif stage == Stage.ADOPTED:
        plan = adopted_plan(world, frozen_clock)
    elif stage == Stage.SUPERSEDED:
        plan = plan_supersede(plan=adopted_plan(world, frozen_clock), actor=world.lead)
    elif stage == Stage.WITHDRAWN:
        plan = plan_withdraw(plan=make_plan(world), actor=world.lead, reason="Replaced.")
    else:  # pragma: no cover
        raise AssertionError(stage)
    plan.refresh_from_db()
    assert plan.stage == stage
    return plan


def make_lead_deputy(world: World, deputy: Any) -> None:
    """``deputy`` deputises for the lead officer on the owning board."""
    world.lead.memberships.filter(role=Role.LEAD_OFFICER).update(deputy=deputy)


def other_partnership(prefix: str = "leeds") -> dict[str, Any]:
    """A second partnership with its own board, executive and lead officer."""
    partnership = PartnershipFactory(name=f"{prefix.title()} Children's Trust", slug=prefix)
    board = BodyFactory(partnership=partnership, slug=f"{prefix}-board", name=f"{prefix} board")
    executive = BodyFactory(
        partnership=partnership, slug=f"{prefix}-executive", name=f"{prefix} executive",
        kind=BodyKind.EXECUTIVE,
    )
    lead = UserFactory(username=f"{prefix}-lead")
    MembershipFactory(user=lead, body=board, role=Role.LEAD_OFFICER)
    return {"partnership": partnership, "board": board, "executive": executive, "lead": lead}


def external_auditor(world: World) -> Any:
    """An external auditor: reads every partnership, changes nothing."""
    user = UserFactory(username="external-auditor")
    MembershipFactory(user=user, body=world.board, role=Role.EXTERNAL_AUDITOR)
    return user


def refusal(role: str, detail: str) -> str:
    """The 403 detail a person in ``role`` reads: auditors are told they change nothing."""
    from governance.policy import READS_ONLY

    return f"{READS_ONLY} {detail}" if role == "auditor" else detail


def other_partnership_plan(prefix: str = "leeds") -> Plan:
    from documents.services import plan_create

    other = other_partnership(prefix)
    return plan_create(
        actor=other["lead"],
        partnership=other["partnership"],
        title=f"{prefix.title()} Early Help Strategy",
        kind="strategy",
        period_start=datetime.date(2014, 4, 1),
        period_end=datetime.date(2016, 3, 31),
        owning_body=other["board"],
        lead_officer=other["lead"],
        approving_bodies=[other["board"]],
        executive_body=other["executive"],
    )


@contextmanager
def queries() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as captured:
        yield captured


@pytest.fixture
def count_queries() -> Callable[[Callable[[], Any]], int]:
    """Run a request and return how many queries it took."""

    def run(request: Callable[[], Any]) -> int:
        with queries() as captured:
            response = request()
        assert response.status_code == 200, response.content[:500]
        return len(captured)

    return run
