"""The scorecard in Chromium: the lead officer opens it from the plan page, filters it by
outcome and RAG without JavaScript's help, opens an indicator's figures; the public scorecard
too. axe-core finds no serious or critical violation and nothing scrolls sideways at 390 px
(tests/browser/a11y.py)."""

from __future__ import annotations

import pytest

from tests.browser.a11y import checked
from tests.browser.test_journey import browser, sign_in  # noqa: F401  (the fixture)
from tests.conftest import build_world
from tests.scorecard_data import adopted_plan

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]


def test_the_scorecard_filters_and_shows_figures(browser, live_server):  # noqa: F811
    world = build_world()
    plan = adopted_plan(world, indicators=12, months=24)
    page = sign_in(browser, live_server, "lead")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Scorecard: indicators, readings and trends").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Scorecard").is_visible()
    assert "where a trend can be identified" in page.locator("#summary").inner_text()
    assert page.locator("tr[id^=indicator-]").count() == 12
    checked(page)
    # The figures of one chart, in its details element.
    row = page.locator("#indicator-ind-000")
    assert row.get_by_role("img", name="Chart of Indicator 000: rate of healthy measure "
                                       "over time").is_visible()
    row.get_by_text("Figures").click()
    assert row.get_by_role("table", name="Readings of Indicator 000: rate of healthy measure"
                           ).is_visible()
    checked(page)
    # The filters: a GET form.
    page.get_by_label("Outcome").select_option("safe")
    page.get_by_label("RAG status").select_option("no_target")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "outcome=safe" in page.url and "rag=no_target" in page.url
    assert page.locator("tr[id^=indicator-]").count() == 1
    assert page.locator("#indicator-ind-006").is_visible()
    checked(page)
    # The public scorecard.
    page.goto(f"{live_server.url}/p/{world.partnership.slug}/plans/{plan.pk}/scorecard/")
    assert page.locator("tr[id^=indicator-]").count() == 12
    checked(page)
