"""The approval journey in a real browser: Playwright driving Debian's Chromium against a live
server. The coordinator submits the plan, two board secretaries record approvals, an executive
member records the executive's approval, and once the call-in period is over (time travel:
the live server runs in this process, so it reads the same frozen clock) the plan shows as
adopted. CI installs Chromium with apt (.ci/run); no browser is ever downloaded.

Every page the journeys visit is checked with axe-core (no serious or critical violation) and
laid out 390 px wide (no sideways scrolling): tests/browser/a11y.py. A Content-Security-Policy
violation on any page fails the test (the fixture's watcher, tests/browser/csp.py)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from documents.models import Stage
from documents.services import version_create
from tests.browser.a11y import checked
from tests.browser.csp import CspWatchingBrowser
from tests.conftest import build_world, make_plan, publish_summary
from tests.factories import valid_content
from workflows.services import plan_close_consultation, plan_start_consultation
from workflows.tasks import scan_call_in_periods

CHROMIUM = Path("/usr/bin/chromium")
# Keep Chromium off the network: this machine's closed network refuses what it would fetch.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (.ci/run does).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between page visits are ordinary synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        # Every page of every context the test opens is watched for Content-Security-Policy
        # violations; any one fails the test (tests/browser/csp.py).
        watching = CspWatchingBrowser(chromium)
        try:
            yield watching
            watching.assert_none()
        finally:
            chromium.close()


def sign_in(browser: Any, live_server: Any, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    checked(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return checked(page)


def record_approval(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/tasks/?view=queue")
    checked(page)
    page.get_by_role("button", name="Claim").first.click()
    page.wait_for_load_state()
    checked(page)
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Date of the meeting").fill("2016-07-14")
    page.get_by_label("Members present").fill("8")
    page.get_by_label("Minute reference").fill("2016/14")
    page.get_by_label("For", exact=True).fill("7")
    page.get_by_label("Reasons and comments").fill("Agreed unanimously by those voting.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert "Done" in page.content(), page.content()[:3000]
    assert "Decision recorded: Approved." in page.content()
    checked(page)


def test_it_takes_a_plan_from_submission_to_adoption_in_the_browser(browser, live_server,
                                                                  frozen_clock):
    world = build_world()
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)

    lead = sign_in(browser, live_server, "lead")
    lead.goto(f"{live_server.url}/")
    checked(lead)
    lead.get_by_role("link", name=plan.title).click()
    lead.wait_for_load_state()
    checked(lead)
    lead.get_by_role("button", name="Submit for approval").click()
    lead.wait_for_load_state()
    assert "Partnership approval" in lead.content()
    assert "Plan submitted for approval." in lead.content()
    checked(lead)

    for secretary in ("board_secretary", "safeguarding_secretary"):
        record_approval(sign_in(browser, live_server, secretary), live_server)
    plan.refresh_from_db()
    assert plan.stage == Stage.EXECUTIVE_APPROVAL

    executive = sign_in(browser, live_server, "executive_member")
    executive.goto(f"{live_server.url}/tasks/?view=queue")
    checked(executive)
    assert "Record the executive" in executive.content()
    record_approval(executive, live_server)
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN

    # Time travel past the call-in period; beat's scan fires the timer.
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    scan_call_in_periods()
    lead.goto(f"{live_server.url}/plans/{plan.pk}/")
    checked(lead)
    assert lead.locator(".govuk-tag").first.inner_text().strip().lower() == "adopted"
    assert "adopted the plan" in lead.content()
    # The withdraw/supersede confirmation page, and the document page, are checked too.
    lead.get_by_role("button", name="Supersede the plan").click()
    lead.wait_for_load_state()
    checked(lead)
    assert "Mark the plan as superseded?" in lead.content()
    document = plan.documents.order_by("pk").first()
    lead.goto(f"{live_server.url}/documents/{document.pk}/")
    checked(lead)
    assert 'aria-live="polite"' in lead.content() or "Download the signed PDF" in lead.content()
    shots = os.environ.get("PLANGOV_SCREENSHOTS")
    if shots:  # for looking at the pages by eye; never committed
        lead.screenshot(path=f"{shots}/plan-adopted.png", full_page=True)


def test_it_records_a_call_in_and_the_committees_outcome_in_the_browser(browser, live_server,
                                                                       frozen_clock):
    from governance.models import DecisionOutcome as O
    from tests.conftest import decide, submitted_plan

    world = build_world()
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN

    scrutiny = sign_in(browser, live_server, "scrutiny_secretary")
    scrutiny.goto(f"{live_server.url}/tasks/?view=queue")
    checked(scrutiny)
    assert "Record a call-in request, if any" in scrutiny.content()
    scrutiny.get_by_role("button", name="Claim").first.click()
    scrutiny.wait_for_load_state()
    checked(scrutiny)
    scrutiny.get_by_label("Members requesting the call-in").fill(
        "Cllr Ann Reid\nCllr Ian Cuthbertson\nCllr Sian Wiseman")
    scrutiny.get_by_label("Date of the request").fill("2016-07-14")
    scrutiny.get_by_label("The members' reasons").fill("The costs are not in the report.")
    scrutiny.get_by_role("button", name="Record the call-in request").click()
    scrutiny.wait_for_load_state()
    assert "Done" in scrutiny.content(), scrutiny.content()[:3000]
    assert "Call-in request recorded." in scrutiny.content()
    checked(scrutiny)
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN  # suspended until the committee meets

    frozen_clock.set(datetime.date(2016, 7, 19))
    scrutiny.goto(f"{live_server.url}/tasks/?view=queue")
    checked(scrutiny)
    scrutiny.get_by_role("button", name="Claim").first.click()
    scrutiny.wait_for_load_state()
    checked(scrutiny)
    assert "Cllr Sian Wiseman" in scrutiny.content()
    scrutiny.get_by_label("No further action: the decision takes effect").check()
    scrutiny.get_by_label("Date of the meeting").fill("2016-07-19")
    scrutiny.get_by_label("Members present").fill("6")
    scrutiny.get_by_label("Minute reference").fill("LCS/2016/3")
    scrutiny.get_by_role("button", name="Record the outcome").click()
    scrutiny.wait_for_load_state()
    assert "Done" in scrutiny.content(), scrutiny.content()[:3000]
    checked(scrutiny)
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == datetime.date(2016, 7, 19)
    scrutiny.goto(f"{live_server.url}/plans/{plan.pk}/")
    checked(scrutiny)
    assert "recorded a call-in request" in scrutiny.content()
