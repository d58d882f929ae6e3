"""The draft editor in a real browser with JavaScript switched off: the coordinator writes a
vision and an outcome with a priority, moves and removes, and saves the draft as version 1.
Then, with JavaScript on, axe-core finds no serious or critical problem on the editor's
pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from documents.models import PlanVersion
from tests.browser.a11y import inject_axe
from tests.conftest import build_world, make_plan

from .test_journey import PASSWORD, browser  # noqa: F401 (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def sign_in(chromium: Any, live_server: Any, username: str, *, javascript: bool) -> Any:
    page = chromium.new_context(java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_a_coordinator_writes_the_draft_and_saves_a_version_without_javascript(
        browser, live_server):  # noqa: F811
    world = build_world()
    plan = make_plan(world)
    page = sign_in(browser, live_server, "lead", javascript=False)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Edit the draft").click()
    page.get_by_role("link", name="Vision").click()
    page.get_by_label("Vision").fill("In York we recognise that our children are our future.")
    click(page, "Save and go back to the draft")
    page.get_by_role("link", name="Outcomes and priorities").click()
    click(page, "Add an outcome")
    page.locator("#id_outcomes-0-title").fill("Being healthy")
    page.locator("#id_outcomes-0-key").fill("healthy")
    click(page, "Add an outcome")
    page.locator("#id_outcomes-1-title").fill("Staying <em>safe</em>")
    page.locator("#id_outcomes-1-key").fill("safe")
    click(page, "Add a priority to outcome 1")
    page.locator("#id_outcomes-0-priorities-0-title").fill("All children are active")
    page.locator("#id_outcomes-0-priorities-0-key").fill("active")
    click(page, "Move up outcome 2")
    assert page.locator("#id_outcomes-0-key").input_value() == "safe"
    assert "Staying <em>safe</em>" in page.locator("#outcomes-0 legend").inner_text()
    click(page, "Move down outcome 1")
    click(page, "Add an outcome")
    click(page, "Remove outcome 3")
    click(page, "Save and go back to the draft")
    click(page, "Save as version 1")
    assert page.url.endswith(f"/plans/{plan.pk}/"), page.url
    assert "Version 1 saved from the draft" in page.content()
    version = PlanVersion.objects.get(plan=plan)
    assert [o["key"] for o in version.content["outcomes"]] == ["healthy", "safe"]
    assert version.content["outcomes"][0]["priorities"][0]["key"] == "active"


def test_the_editors_pages_have_no_serious_accessibility_problems(browser,  # noqa: F811
                                                                  live_server):
    world = build_world()
    plan = make_plan(world)
    page = sign_in(browser, live_server, "lead", javascript=True)
    for tail in ["", "vision/", "outcomes/", "indicators/", "actions/", "themes/",
                 "joint-priorities/"]:
        page.goto(f"{live_server.url}/plans/{plan.pk}/draft/{tail}")
        if tail and tail != "vision/":
            click(page, "Add " + ("an" if tail[0] in "aeiou" else "a") + " " + {
                "outcomes/": "outcome", "indicators/": "indicator", "actions/": "action",
                "themes/": "theme", "joint-priorities/": "joint priority"}[tail])
        inject_axe(page)
        result = page.evaluate("async () => await axe.run(document)")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in {"serious", "critical"}]
        assert not bad, (tail, bad)
