"""The public consultation journey in Chromium, with JavaScript on and off: the partnership's
page, the adult and the children's response forms (an error first, then sent), the
confirmation, privacy notice, results, closed page and accessibility statement, each checked
with axe-core (no serious or critical violations) and for sideways scrolling at 390 px."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from governance.consultation.models import ConsultationStatus, Response, Statement
from tests.conftest import build_world, make_plan
from tests.consultation_helpers import open_round

from .a11y import check_narrow, check_page
from .test_journey import browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def checked(page: Any, checker: Any = None) -> None:
    """axe-core and no sideways scroll at 390 px (tests/browser/a11y.py); with JavaScript off
    (no script runs, axe neither) on the same HTML loaded at the same address in
    ``checker``, a page of a context with JavaScript on."""
    if checker is not None:
        checker.set_viewport_size(page.viewport_size)
        checker.goto(page.url.split("#")[0])
        checker.set_content(page.content())
        page = checker
    check_page(page)
    check_narrow(page)


def send(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_the_public_journey_with_and_without_javascript(browser, live_server,  # noqa: F811
                                                        frozen_clock):
    world = build_world()
    round = open_round(world)  # noqa: A001
    closed = open_round(world, plan=make_plan(world), title="Last year's survey",
                        status=ConsultationStatus.CLOSED,
                        closed_on=frozen_clock().date() - datetime.timedelta(days=20),
                        summary_published_at=frozen_clock(),
                        summary_published_on=frozen_clock().date())
    Statement.objects.create(round=closed, you_said="Buses stop too early.",
                             we_did="Evening buses to youth clubs from September.")
    base = f"{live_server.url}/p/yorok"
    for javascript, width in ((True, 1280), (False, 390)):
        context = browser.new_context(java_script_enabled=javascript,
                                      viewport={"width": width, "height": 900})
        page = context.new_page()
        checker = None if javascript else browser.new_context().new_page()
        page.goto(f"{base}/")
        checked(page, checker)
        page.get_by_role("link", name="Our priorities for children").first.click()
        page.wait_for_load_state()
        checked(page, checker)
        # Sent with the required answer missing: an error summary linking to it.
        page.get_by_label("Yes").check()
        send(page, "Send your response")
        assert page.title().startswith("Error: ")
        checked(page, checker)
        assert page.get_by_label("Yes").is_checked()  # kept
        page.locator(".govuk-error-summary a").first.click()
        page.get_by_label("What would help you stay healthy?").fill(
            "<b>More</b> youth clubs, open later")
        page.get_by_label("At home").check()
        page.get_by_label("In the park").check()
        page.get_by_label("Agree", exact=True).check()
        page.get_by_label("Parents and carers").check()
        page.get_by_label("You may quote what I have written").check()
        send(page, "Send your response")
        assert "Response sent" in page.content()
        checked(page, checker)
        # The children's version.
        page.goto(f"{base}/consultations/{round.pk}/?version=children")
        checked(page, checker)
        page.get_by_label("What helps you feel healthy?").fill("Playing football")
        page.get_by_label("We picked the right things to work on.").locator("..")  # present
        send(page, "Send my answers")
        assert "Thank you!" in page.content()
        checked(page, checker)
        for tail in (f"consultations/{round.pk}/privacy/", f"consultations/{closed.pk}/",
                     f"consultations/{closed.pk}/results/"):
            page.goto(f"{base}/{tail}")
            checked(page, checker)
        assert "Evening buses to youth clubs" in page.content()
        page.goto(f"{live_server.url}/accessibility/")
        checked(page, checker)
        context.close()
        if checker is not None:
            checker.context.close()
    adult = Response.objects.filter(children_form=False)
    assert adult.count() == 2 and Response.objects.filter(children_form=True).count() == 2
    assert all(r.consent_to_quote and r.audience.slug == "parents-and-carers" for r in adult)
    assert adult.first().answers.get(question__order=1).text.startswith("<b>More</b>")
