"""Shared fixtures: a partnership with two boards, an executive and scrutiny, a user per role,
a frozen clock for time travel, and helpers that walk a plan through its lifecycle."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from documents.models import Plan, PlanKind
from documents.services import plan_create, version_create
from governance.models import Body, BodyKind, Partnership, Role
from plangov import clock
from workflows.decisions import decision_record
from workflows.services import plan_close_consultation, plan_start_consultation, plan_submit

from .factories import (
    BodyFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
    valid_content,
)

# Hypothesis: CI (CI=true) runs a fixed, derandomised set of examples with no deadline, so a
# run on a loaded 2-core machine neither flakes on timing nor differs from the last one.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A browser journey is a `once` test: .ci/run runs it on PostgreSQL only.
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.once)


@pytest.fixture(scope="session", autouse=True)
def signing_credentials() -> None:
    """The tests' own CA and signing certificate (paths from plangov.settings.test), made
    once; adoption is refused without them, as in production."""
    from pathlib import Path

    from django.conf import settings

    from documents.publishing.signing import make_demo_credentials

    make_demo_credentials(Path(settings.PLANGOV_SIGNING_P12).parent)


@pytest.fixture(scope="session", autouse=True)
def flush_lifts_audit_triggers() -> Iterator[None]:
    """The database refuses to delete audit events (governance.audit_triggers). Transactional
    tests end with a flush (DELETE on SQLite, TRUNCATE on PostgreSQL), so the flush, and only
    the flush, lifts the triggers: on PostgreSQL they are disabled inside the flush's own
    transaction; on SQLite (which cannot disable a trigger) dropped and created again."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from governance.audit_triggers import TABLE, create_sql, drop_sql

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        vendor = self.connection.vendor
        if vendor == "postgresql":
            lift = [f"ALTER TABLE {TABLE} DISABLE TRIGGER USER"]
            restore = [f"ALTER TABLE {TABLE} ENABLE TRIGGER USER"]
        else:
            lift, restore = drop_sql(vendor), create_sql(vendor)
        original(self, [*lift, *sql_list, *restore])

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


class FrozenClock:
    """Time travel: ``frozen_clock.set(date)`` or ``.advance(days=3)``."""

    def __init__(self, start: datetime.datetime):
        self.current = start

    def __call__(self) -> datetime.datetime:
        return self.current

    def set(self, day: datetime.date, hour: int = 10) -> None:
        self.current = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)

    def advance(self, **delta: float) -> None:
        self.current = self.current + datetime.timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    # Thursday 14 July 2016, the day York's Executive endorsed the Children in Care Strategy.
    frozen = FrozenClock(datetime.datetime(2016, 7, 14, 10, tzinfo=datetime.UTC))
    monkeypatch.setattr(clock, "source", frozen)
    return frozen


@dataclass
class World:
    partnership: Partnership
    board: Body
    safeguarding: Body
    executive: Body
    scrutiny: Body
    users: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    partnership = PartnershipFactory(name="YorOK Children's Trust", slug="yorok")
    board = BodyFactory(partnership=partnership, name="YorOK Board", slug="yorok-board", quorum=3)
    safeguarding = BodyFactory(
        partnership=partnership,
        name="Children's Safeguarding Board",
        slug="safeguarding-board",
        kind=BodyKind.SAFEGUARDING_BOARD,
        quorum=3,
    )
    executive = BodyFactory(
        partnership=partnership, name="Executive", slug="executive", kind=BodyKind.EXECUTIVE,
        quorum=3,
    )
    scrutiny = BodyFactory(
        partnership=partnership,
        name="Learning and Culture Scrutiny Committee",
        slug="scrutiny",
        kind=BodyKind.SCRUTINY_COMMITTEE,
        quorum=3,
    )
    roles = {
        "lead": (board, Role.LEAD_OFFICER),
        "board_secretary": (board, Role.SECRETARY),
        "board_deputy": None,
        "board_chair": (board, Role.CHAIR),
        "safeguarding_secretary": (safeguarding, Role.SECRETARY),
        "executive_member": (executive, Role.EXECUTIVE_MEMBER),
        "executive_secretary": (executive, Role.SECRETARY),
        "scrutiny_secretary": (scrutiny, Role.SECRETARY),
        "auditor": (board, Role.AUDITOR),
        "outsider": None,
    }
    users: dict[str, Any] = {name: UserFactory(username=name) for name in roles}
    for name, held in roles.items():
        if held is None:
            continue
        body, role = held
        deputy = users["board_deputy"] if name == "board_secretary" else None
        MembershipFactory(user=users[name], body=body, role=role, deputy=deputy)
    return World(partnership, board, safeguarding, executive, scrutiny, users)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def add_full_council(world: World, *, scrutiny_may_refer: bool = True) -> Body:
    """Give the world's partnership a full council (``world.full_council``) with a secretary
    (``world.council_secretary``); by default its constitution lets scrutiny refer a
    called-in decision to full council."""
    council = BodyFactory(
        partnership=world.partnership, name="City of York Council", slug="council",
        kind=BodyKind.FULL_COUNCIL, quorum=5,
    )
    secretary = UserFactory(username="council_secretary")
    MembershipFactory(user=secretary, body=council, role=Role.SECRETARY)
    world.users["council_secretary"] = secretary
    world.full_council = council  # type: ignore[attr-defined]
    Partnership.objects.filter(pk=world.partnership.pk).update(
        call_in_may_refer_to_full_council=scrutiny_may_refer
    )
    world.partnership.refresh_from_db()
    return council


def call_in_request(world: World, plan: Plan, **kwargs: Any) -> Any:
    """Scrutiny's secretary records three members' call-in request, made today."""
    from workflows.callin import call_in_request_record

    params: dict[str, Any] = {
        "requesters": ["Cllr Ann Reid", "Cllr Ian Cuthbertson", "Cllr Sian Wiseman"],
        "reasons": "The plan's costs were not in the executive report.",
        "requested_on": clock.today(),
        "actor": world.scrutiny_secretary,
    }
    params.update(kwargs)
    return call_in_request_record(plan=plan, **params)


def call_in_outcome(world: World, plan: Plan, outcome: str, **kwargs: Any) -> Any:
    """The scrutiny committee's outcome, at a quorate meeting today."""
    from workflows.callin import call_in_outcome_record

    params: dict[str, Any] = {
        "decided_on": clock.today(),
        "attendance": 7,
        "votes_for": 5,
        "minute_reference": f"scrutiny/{clock.today():%Y}/4",
        "actor": world.scrutiny_secretary,
    }
    params.update(kwargs)
    return call_in_outcome_record(plan=plan, outcome=outcome, **params)


def make_plan(world: World, *, kind: str = PlanKind.CYPP, call_in: bool = True,
              bodies: list[Body] | None = None) -> Plan:
    return plan_create(
        actor=world.lead,
        partnership=world.partnership,
        title="Children and Young People's Plan",
        kind=kind,
        period_start=datetime.date(2009, 4, 1),
        period_end=datetime.date(2012, 3, 31),
        owning_body=world.board,
        lead_officer=world.lead,
        approving_bodies=bodies if bodies is not None else [world.board, world.safeguarding],
        executive_body=world.executive,
        subject_to_call_in=call_in,
    )


def publish_summary(plan: Plan, actor: Any, published_on: datetime.date | None = None) -> Any:
    """Publish the summary of the plan's last closed round (what a submission waits for)."""
    from governance.consultation.services import round_publish_summary

    last = plan.consultation_rounds.filter(status="closed").order_by("-number").first()
    assert last is not None, "no closed round to publish"
    return round_publish_summary(round=last, actor=actor, published_on=published_on)


def consult(world: World, plan: Plan, **kwargs: Any) -> Plan:
    """Hold a round on the plan today: open it, close it and publish its summary."""
    plan_start_consultation(plan=plan, actor=world.lead, **kwargs)
    plan = plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    return plan


def submitted_plan(world: World, **kwargs: Any) -> Plan:
    """A plan consulted on, with a version, submitted for partnership approval."""
    plan = make_plan(world, **kwargs)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    consult(world, plan)
    return plan_submit(plan=plan, actor=world.lead)


def decide(world: World, plan: Plan, body: Body, outcome: str, **kwargs: Any) -> Any:
    secretary = {
        world.board.pk: world.board_secretary,
        world.safeguarding.pk: world.safeguarding_secretary,
        world.executive.pk: world.executive_member,
        world.scrutiny.pk: world.scrutiny_secretary,
        **({world.full_council.pk: world.council_secretary}
           if "council_secretary" in world.users else {}),
    }[body.pk]
    params: dict[str, Any] = {
        "decided_on": clock.today(),
        "attendance": 8,
        "votes_for": 7,
        "minute_reference": f"{body.slug}/{clock.today():%Y}/1",
    }
    params.update(kwargs)
    return decision_record(
        plan=plan, actor=kwargs.pop("actor", secretary), body=body, outcome=outcome,
        **{k: v for k, v in params.items() if k != "actor"},
    )


def open_task(plan: Plan, body: Any = None, kind: str | None = None) -> Any:
    """The plan's one open task (of ``body``, of ``kind``): fails if there are none or many."""
    from workflows import routing

    tasks = routing.open_tasks(plan)
    if body is not None:
        tasks = tasks.filter(info__body=body)
    if kind is not None:
        tasks = tasks.filter(info__kind=kind)
    return tasks.get()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def as_user(api: APIClient):  # type: ignore[no-untyped-def]
    def login(user: Any) -> APIClient:
        api.force_authenticate(user)
        return api

    return login
