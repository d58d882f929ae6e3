"""Every kind of page, in Chromium: axe-core finds no serious or critical violation, and at
390 px nothing scrolls sideways (tests/browser/a11y.py). The journeys check the pages they
pass through; this visits the rest: refusals, confirmations, errors, the report both ways,
the document page while it works, verification and the accessibility statement."""

from __future__ import annotations

import pytest

from documents.models import DocumentKind, SignedDocument
from tests.browser.a11y import checked
from tests.browser.test_journey import browser, sign_in  # noqa: F401
from tests.conftest import build_world, open_task, submitted_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_kind_of_page_passes_axe_and_fits_390_px(browser, live_server,  # noqa: F811
                                                       frozen_clock):
    from documents.publishing.executive import executive_report_save
    from tests.documents.test_signed_documents import adopt

    world = build_world()
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    executive_report_save(plan=plan, actor=world.lead, data={
        "summary": "<script>alert(1)</script> A long summary " * 20,
        "recommendations": [{"recommendation": "Endorse the plan", "reason": "It is sound"}]})
    url = live_server.url

    secretary = sign_in(browser, live_server, "board_secretary")
    for path in ("/tasks/?view=mine", "/tasks/?view=archive", f"/plans/{plan.pk}/report/",
                 "/verify/", "/accessibility/"):
        secretary.goto(url + path)
        checked(secretary)
    # An error: the decision form sent empty.
    secretary.goto(f"{url}/tasks/{task.pk}/")
    secretary.get_by_role("button", name="Claim this task").click()
    secretary.wait_for_load_state()
    secretary.get_by_role("button", name="Record the decision").click()
    secretary.wait_for_load_state()
    assert secretary.title().startswith("Error: ")
    checked(secretary)
    # A confirmation page that says why the action is not theirs, and a refusal page (400).
    secretary.goto(f"{url}/plans/{plan.pk}/actions/withdraw/confirm/")
    assert "only the plan&#x27;s lead officer" in secretary.content() or \
        "only the plan's lead officer" in secretary.content()
    checked(secretary)
    secretary.goto(f"{url}/tasks/?view=mine%0B")
    assert secretary.title() == "Check the address — plangov"
    checked(secretary)
    # The verify page's error.
    secretary.goto(f"{url}/verify/")
    secretary.get_by_role("button", name="Check the document").click()
    secretary.wait_for_load_state()
    assert secretary.title().startswith("Error: ")
    checked(secretary)

    lead = sign_in(browser, live_server, "lead")
    lead.goto(f"{url}/plans/{plan.pk}/report/")
    checked(lead)
    lead.goto(f"{url}/plans/{plan.pk}/actions/withdraw/confirm/")
    checked(lead)
    lead.get_by_role("button", name="Withdraw the plan").click()
    lead.wait_for_load_state()
    assert lead.title().startswith("Error: ")
    checked(lead)
    # The document page while it is being made (its live region), for an adopted plan.
    adopted = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=adopted, kind=DocumentKind.PLAN)
    lead.goto(f"{url}/documents/{document.pk}/")
    # Made at once here (Celery runs eagerly and this test commits), or still being made.
    assert (lead.locator("#document-progress[aria-live=polite]").count() == 1
            or "Download the signed PDF" in lead.content())
    checked(lead)
    lead.goto(f"{url}/plans/{adopted.pk}/")
    checked(lead)


def test_the_draft_editor_pages_pass_axe_and_fit_390_px(browser, live_server,  # noqa: F811
                                                        frozen_clock):
    from documents.services import version_create
    from tests.conftest import make_plan
    from tests.factories import valid_content

    world = build_world()
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    lead = sign_in(browser, live_server, "lead")
    for path in ("", "vision/", "outcomes/", "indicators/", "actions/", "themes/",
                 "joint-priorities/"):
        lead.goto(f"{live_server.url}/plans/{plan.pk}/draft/{path}")
        checked(lead)


def test_the_not_found_page_passes_axe_and_fits_390_px(browser, live_server,  # noqa: F811
                                                       frozen_clock):
    build_world()
    lead = sign_in(browser, live_server, "lead")
    response = lead.goto(f"{live_server.url}/plans/999999/")
    assert response is not None and response.status == 404
    assert lead.title() == "Page not found — plangov"
    checked(lead)
    anonymous = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    response = anonymous.goto(f"{live_server.url}/no-such-page/")
    assert response is not None and response.status == 404
    assert anonymous.title() == "Page not found — plangov"
    checked(anonymous)
