"""The versions pages in Chromium: the comparison reads side by side on a wide screen and
stacked at 390 px, with no sideways scrolling; the compare form works without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from documents.services import version_create
from tests.conftest import build_world, make_plan
from tests.factories import valid_content

from .test_journey import PASSWORD, browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser: Any, live_server: Any, width: int, *, javascript: bool = True) -> Any:  # noqa: F811
    page = browser.new_context(viewport={"width": width, "height": 900},
                               java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_the_comparison_reads_side_by_side_and_stacks_on_a_phone(browser, live_server,  # noqa: F811
                                                                 frozen_clock):
    world = build_world()
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    second = valid_content(vision="In York we know that our children are our future.")
    second["actions"][0]["lead"] = "Director of Public Health"  # type: ignore[index]
    version_create(plan=plan, actor=world.lead, content=second)
    url = f"{live_server.url}/plans/{plan.pk}/versions/compare/?from=1&to=2"
    for width, side_by_side in ((1280, True), (390, False)):
        page = signed_in(browser, live_server, width)
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        columns = page.locator("#vision ~ .govuk-grid-row").first.locator(".pg-side")
        first, second_box = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
        assert (abs(first["y"] - second_box["y"]) < 5) == side_by_side, (width, first,
                                                                        second_box)
        # The hidden words a screen reader hears are there, and not shown.
        deleted = page.locator("del .govuk-visually-hidden").first
        assert deleted.text_content() == "deleted: "
        assert deleted.bounding_box()["width"] <= 1
        page.context.close()


def test_the_compare_form_works_without_javascript(browser, live_server, frozen_clock):  # noqa: F811
    world = build_world()
    plan = make_plan(world)
    for vision in ("One.", "Two.", "Three."):
        version_create(plan=plan, actor=world.lead, content=valid_content(vision=vision))
    page = signed_in(browser, live_server, 1024, javascript=False)
    page.goto(f"{live_server.url}/plans/{plan.pk}/versions/")
    page.get_by_label("Compare version").select_option("1")
    page.get_by_label("With version").select_option("3")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/plans/{plan.pk}/versions/compare/?from=1&to=3")
    assert "Changes from version 1 to version 3" in page.content()
