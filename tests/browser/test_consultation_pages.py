"""The consultation round pages in Chromium: no sideways scrolling at 390 px, and the
questions editor adds a question and saves without JavaScript."""

from __future__ import annotations

import os
from typing import Any

import pytest

from documents.services import version_create
from governance.consultation.services import questions_set, round_create
from tests.conftest import build_world, make_plan
from tests.factories import valid_content

from .test_journey import browser  # noqa: F401 - the fixture
from .test_versions_pages import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    if os.environ.get("PLANGOV_SCREENSHOTS"):
        page.screenshot(path=f"/tmp/consult-{name}.png", full_page=True)


def test_the_round_pages_fit_a_phone_and_work_without_javascript(
        browser, live_server, frozen_clock):  # noqa: F811
    world = build_world()
    plan = make_plan(world)
    version = version_create(plan=plan, actor=world.lead, content=valid_content())
    round = round_create(plan=plan, title="Our priorities for 2009 to 2012", version=version,
                         purpose="What matters most to children, young people and families.",
                         actor=world.lead)
    questions_set(round=round, actor=world.lead, questions=[
        {"kind": "agreement", "text": "Being healthy should come first.",
         "outcome_key": "healthy", "children_text": "Is being healthy most important?"},
        {"kind": "single_choice", "text": "Where do you live?", "required": True,
         "choices": [{"value": "n", "label": "North"}, {"value": "s", "label": "South"}]},
    ])
    base = live_server.url
    for width in (390, 1280):
        page = signed_in(browser, live_server, width, javascript=False)
        for name, path in (("list", f"/plans/{plan.pk}/consultations/"),
                           ("round", f"/consultations/{round.pk}/"),
                           ("edit", f"/consultations/{round.pk}/edit/"),
                           ("questions", f"/consultations/{round.pk}/questions/")):
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            shot(page, f"{name}-{width}")
        page.context.close()
    page = signed_in(browser, live_server, 1024, javascript=False)
    page.goto(f"{base}/consultations/{round.pk}/questions/")
    page.get_by_role("button", name="Add a question").click()
    page.locator("#id_q2-text").fill("What would make York better for you?")
    page.get_by_role("button", name="Save the questions", exact=True).last.click()
    page.wait_for_load_state()
    assert "3 questions saved" in page.content()
    assert round.questions.count() == 3
