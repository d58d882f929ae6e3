"""The timetable in a real browser at a phone's width (390 px): the coordinator opens the
plan's timetable, asks for a suggestion from the meeting diaries, saves it, and reads the
timeline and the table; neither page scrolls sideways, and axe-core (when vendored) finds no
serious or critical violation."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from governance.models import Meeting
from tests.browser.a11y import inject_axe
from tests.browser.test_journey import PASSWORD, browser  # noqa: F401  (the fixture)
from tests.conftest import build_world, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# The timeline's scroll box (.pg-timeline) is styled by the design system's stylesheet.
STYLESHEET = Path(__file__).parents[2] / "plangov" / "static" / "govuk" / "govuk-frontend.min.css"


def no_sideways_scroll(page: Any) -> None:
    if STYLESHEET.exists():
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def axe_clean(page: Any) -> None:
    if not AXE.exists():  # vendored by scripts/vendor-frontend with the design system
        return
    inject_axe(page)
    found = page.evaluate("async () => (await axe.run()).violations"
                          ".filter(v => ['serious', 'critical'].includes(v.impact))"
                          ".map(v => v.id + ': ' + v.nodes.map(n => n.target).join(', '))")
    assert found == []


def test_a_coordinator_sets_a_timetable_from_the_diaries(browser, live_server,  # noqa: F811
                                                         frozen_clock):
    frozen_clock.set(datetime.date(2008, 9, 1))
    world = build_world()
    plan = make_plan(world)
    Meeting.objects.create(body=world.board, date=datetime.date(2009, 3, 20))
    Meeting.objects.create(body=world.executive, date=datetime.date(2009, 4, 16))
    frozen_clock.set(datetime.date(2008, 11, 3))

    page = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Timetable: planned against actual").click()
    page.get_by_role("link", name="Set a timetable").click()
    page.get_by_text("Suggest a timetable from the meeting diaries").click()
    page.get_by_role("button", name="Suggest from the meeting diaries").click()
    page.wait_for_load_state()
    assert "Suggested, not saved" in page.content()
    assert page.locator("#id_milestones-5-target_on").input_value() == "20/03/2009"
    no_sideways_scroll(page)
    axe_clean(page)
    page.get_by_role("button", name="Save the timetable").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/plans/{plan.pk}/timetable/")
    timeline = page.get_by_role("img", name=f"Timetable of {plan.title}")
    assert timeline.is_visible()
    assert page.get_by_role("region", name="Timeline, month by month (scrolls sideways)")\
        .is_visible()
    assert "Overdue by 33 days" in page.content()  # the consultation due on 1 October
    no_sideways_scroll(page)
    axe_clean(page)
    assert plan.milestones.count() == 9
