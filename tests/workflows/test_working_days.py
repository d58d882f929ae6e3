"""Periods and due dates follow the partnership's calendar: its nation's bank holidays in any
year, its own closure days, and a provisional flag past the confirmed years (issue 12, 8)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from governance.closures import closure_day_add
from tests.api.conftest import call_in_plan, plan_url
from tests.conftest import open_task, submitted_plan
from tests.factories import UserFactory

# The flag on a date past the confirmed years, as the pages show it (a GOV.UK tag).
PROVISIONAL = '<strong class="govuk-tag govuk-tag--yellow">provisional</strong>'


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def call_in_from(world: Any, frozen_clock: Any, day: str) -> Any:
    frozen_clock.set(d(day))
    plan = call_in_plan(world)
    plan.refresh_from_db()
    return plan


@pytest.mark.parametrize(("decided", "nation", "ends"), [
    ("2008-12-23", "england", "2009-01-02"),   # Christmas 2008 and New Year 2009
    ("2008-12-23", "scotland", "2009-01-05"),  # Scotland also keeps 2 January
    ("2009-04-09", "england", "2009-04-20"),   # Good Friday and Easter Monday 2009
    ("2009-04-09", "wales", "2009-04-20"),
    ("2009-04-09", "scotland", "2009-04-17"),  # no Easter Monday in Scotland
    ("2030-12-23", "england", "2031-01-02"),   # Christmas 2030, New Year 2031
])
def test_it_counts_the_call_in_period_in_the_partnerships_nation(
    world, frozen_clock, decided, nation, ends
):
    world.partnership.nation = nation
    world.partnership.save(update_fields=["nation"])
    plan = call_in_from(world, frozen_clock, decided)
    assert plan.call_in_ends_on == d(ends)


def test_it_extends_the_call_in_period_over_the_councils_closure_days(world, frozen_clock):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    frozen_clock.set(d("2008-12-01"))
    for day in ("2008-12-29", "2008-12-30", "2008-12-31"):
        closure_day_add(partnership=world.partnership, date=d(day), reason="Council closed",
                        actor=root)
    plan = call_in_from(world, frozen_clock, "2008-12-23")
    assert plan.call_in_ends_on == d("2009-01-07")


def test_it_extends_task_due_dates_over_closure_days(world, frozen_clock, settings):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    frozen_clock.set(d("2016-07-14"))
    plain = open_task(submitted_plan(world), world.board).info.due_on
    closure_day_add(partnership=world.partnership, date=plain, reason="Staff training",
                    actor=root)
    later = open_task(submitted_plan(world), world.board).info.due_on
    assert later == plain + datetime.timedelta(days=1 if plain.weekday() < 4 else 3)


def test_it_flags_a_call_in_end_past_the_confirmed_years(world, frozen_clock, as_user, client):
    plan = call_in_from(world, frozen_clock, "2030-12-23")
    body = as_user(world.lead).get(plan_url(plan)).json()
    assert (body["call_in_ends_on"], body["call_in_ends_on_provisional"]) == ("2031-01-02", True)
    client.force_login(world.lead)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    # The words as read (the flag is a GOV.UK tag inside the sentence).
    words = " ".join(re.sub(r"<[^>]+>", "", page).split()).lower()
    assert "call-in ends 2 january 2031 provisional: bank holidays that far ahead are not " \
        "confirmed yet" in words
    assert PROVISIONAL in page


def test_it_does_not_flag_a_confirmed_call_in_end(world, frozen_clock, as_user, client):
    plan = call_in_from(world, frozen_clock, "2016-07-14")
    body = as_user(world.lead).get(plan_url(plan)).json()
    assert (body["call_in_ends_on"], body["call_in_ends_on_provisional"]) == ("2016-07-21", False)
    client.force_login(world.lead)
    assert PROVISIONAL not in client.get(f"/plans/{plan.pk}/").content.decode()


@pytest.mark.parametrize(("today", "provisional"), [("2030-12-20", True), ("2016-07-14", False)])
def test_it_flags_task_due_dates_past_the_confirmed_years(
    world, frozen_clock, as_user, client, today, provisional
):
    frozen_clock.set(d(today))
    task = open_task(submitted_plan(world), world.board)
    assert (task.info.due_on.year > 2028) == provisional
    body = as_user(world.board_secretary).get(f"/api/v1/tasks/{task.pk}/").json()
    assert body["due_on_provisional"] is provisional
    client.force_login(world.board_secretary)
    for url in (f"/tasks/{task.pk}/", "/tasks/?view=queue", f"/plans/{task.info.plan_id}/"):
        assert (PROVISIONAL in client.get(url).content.decode()) == provisional


def test_it_keeps_list_queries_constant_with_closure_days(world, frozen_clock, as_user):
    """Closure days are read when a period is computed, never when tasks are listed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    frozen_clock.set(d("2016-07-14"))
    submitted_plan(world)
    api = as_user(world.board_secretary)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/tasks/?view=all").status_code == 200
        return len(captured)

    before = count()
    closure_day_add(partnership=world.partnership, date=d("2016-12-28"), reason="Closed",
                    actor=root)
    submitted_plan(world)
    assert count() == before
