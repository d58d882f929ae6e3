"""An adopted plan with a few actions and their leads, made fast: the version is written by
the service and the plan marked adopted directly (the approval path has its own tests)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.utils import timezone

from documents.models import Plan, Stage
from documents.services import version_create
from governance.models import Role
from tests.conftest import World, make_plan
from tests.factories import MembershipFactory, UserFactory, valid_content

ADOPTED_ON = datetime.date(2016, 6, 1)
LEADS = ["Head of Public Health", "Head of Early Help", "Head of Schools"]


def action(number: int, lead: str) -> dict[str, Any]:
    return {"title": f"Action {number}: extend the programme", "kind": "immediate_priority",
            "outcome": "healthy", "priority": "active", "lead": lead,
            "delivery_group": "", "due_date": "2017-03-31"}


def adopted_plan(world: World, *, count: int = 3) -> Plan:
    plan = make_plan(world)
    actions = [action(n, LEADS[(n - 1) % len(LEADS)]) for n in range(1, count + 1)]
    version = version_create(plan=plan, actor=world.lead, content=valid_content(actions=actions))
    Plan.objects.filter(pk=plan.pk).update(
        stage=Stage.ADOPTED, adopted_version=version, adopted_on=ADOPTED_ON,
        adopted_at=timezone.make_aware(datetime.datetime(2016, 6, 1, 12)))
    plan.refresh_from_db()
    return plan


def partnership_person(world: World, username: str) -> Any:
    """A person holding a role (member of the board) in the world's partnership."""
    user = UserFactory(username=username)
    MembershipFactory(user=user, body=world.board, role=Role.MEMBER)
    return user


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["Action number", "Action title", "Status", "Date", "Progress note"]


def title(number: int) -> str:
    return f"Action {number}: extend the programme"
