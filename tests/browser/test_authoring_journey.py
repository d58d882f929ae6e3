"""The authoring journey in a real browser (issue 9): a coordinator creates a plan, imports a
Word file made here with python-docx, edits the draft, saves version 1, edits again and saves
version 2, compares the two, and sets the plan's timetable from the meeting diaries. Every
page visited is checked with axe-core (no serious or critical violation) and at 390 px (no
sideways scroll) by tests/browser/a11y.py."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import docx
import pytest

from documents.models import Plan, PlanDraft, PlanVersion
from governance.models import Meeting
from tests.conftest import build_world
from workflows.timetable.models import Milestone

from .a11y import checked
from .test_journey import PASSWORD, browser  # noqa: F401 (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def word_file(path: Path) -> Path:
    """A plan written in Word the way a coordinator would: headings for the vision and the
    outcomes, a table of actions, and a glossary table plangov cannot place."""
    document = docx.Document()
    document.add_heading("Children and Young People's Plan 2009-2012", level=0)
    document.add_heading("Vision", level=1)
    document.add_paragraph("In York we recognise that our children are our future.")
    document.add_heading("Outcomes and priorities", level=1)
    document.add_heading("Being healthy", level=2)
    document.add_paragraph("Key: healthy")
    document.add_heading("All children are active and eat healthily", level=3)
    document.add_paragraph("Key: active")
    document.add_heading("Staying safe", level=2)
    document.add_paragraph("Key: safe")
    document.add_heading("Actions", level=1)
    table = document.add_table(rows=2, cols=5)
    for cell, text in zip(table.rows[0].cells,
                          ["Action", "Kind", "Outcome", "Priority", "Lead"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells,
                          ["Extend the healthy schools programme", "Immediate priority action",
                           "healthy", "active", "Head of Public Health"], strict=True):
        cell.text = text
    glossary = document.add_table(rows=2, cols=2)
    glossary.rows[0].cells[0].text, glossary.rows[0].cells[1].text = "Term", "Meaning"
    glossary.rows[1].cells[0].text, glossary.rows[1].cells[1].text = "CAF", "Common assessment"
    target = path / "cypp.docx"
    document.save(str(target))
    return target


SHOTS = os.environ.get("PLANGOV_SCREENSHOTS")  # a folder for screenshots; never committed


def look(page: Any) -> Any:
    checked(page)
    if SHOTS:
        look.count = getattr(look, "count", 0) + 1  # type: ignore[attr-defined]
        name = f"authoring-{look.count:02d}.png"  # type: ignore[attr-defined]
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)
    return page


def go(page: Any, url: str) -> Any:
    page.goto(url)
    page.wait_for_load_state()
    return look(page)


def click(page: Any, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).first.click()
    page.wait_for_load_state()
    look(page)


def test_a_coordinator_writes_compares_and_timetables_a_plan_in_the_browser(
        browser, live_server, tmp_path, frozen_clock):  # noqa: F811
    world = build_world()
    # The bodies' meeting diaries (plangov's clock is frozen at 14 July 2016).
    for body, day in ((world.board, datetime.date(2017, 3, 9)),
                      (world.safeguarding, datetime.date(2017, 3, 16)),
                      (world.executive, datetime.date(2017, 4, 20))):
        Meeting.objects.create(body=body, date=day)
    page = browser.new_context().new_page()
    go(page, f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    click(page, "button", "Sign in")

    # Create the plan.
    go(page, f"{live_server.url}/plans/")
    click(page, "button", "Create a plan")
    click(page, "button", "Create the plan")  # empty: every error named and linked
    assert page.title().startswith("Error:"), page.title()
    page.get_by_label("Title", exact=True).fill("Children and Young People's Plan 2017-2020")
    page.get_by_label("Children and young people's plan").check()
    page.locator("#id_period_start_day").fill("1")
    page.locator("#id_period_start_month").fill("4")
    page.locator("#id_period_start_year").fill("2017")
    page.locator("#id_period_end_day").fill("31")
    page.locator("#id_period_end_month").fill("3")
    page.locator("#id_period_end_year").fill("2020")
    page.get_by_label("Owning body").select_option(label="YorOK Board")
    page.get_by_label("YorOK Board", exact=True).check()
    page.get_by_label("Children's Safeguarding Board", exact=True).check()
    page.get_by_label("Executive", exact=True).select_option(label="Executive")
    click(page, "button", "Create the plan")
    plan = Plan.objects.get(title="Children and Young People's Plan 2017-2020")
    assert page.url.endswith(f"/plans/{plan.pk}/"), page.url

    # Import the Word file into the draft: a preview first, nothing saved until confirmed.
    click(page, "link", "Edit the draft")
    click(page, "link", "Import content from a Word, JSON or YAML file")
    page.get_by_label("File to import").set_input_files(str(word_file(tmp_path)))
    click(page, "button", "Upload and preview")
    assert "Term" in page.get_by_role(
        "region", name="Paragraphs and tables not understood").inner_text()
    draft = PlanDraft.objects.filter(plan=plan).first()
    assert draft is None or "healthy" not in str(draft.content)  # the preview saved nothing
    click(page, "button", "Confirm and replace the draft")

    # Edit it and save version 1.
    go(page, f"{live_server.url}/plans/{plan.pk}/draft/vision/")
    page.get_by_label("Vision").fill("In York we recognise that our children are our future, "
                                     "and we listen to them.")
    click(page, "button", "Save and go back to the draft")
    click(page, "button", "Save as version 1")
    assert "Version 1 saved from the draft" in page.content()
    v1 = PlanVersion.objects.get(plan=plan, number=1)
    assert [o["key"] for o in v1.content["outcomes"]] == ["healthy", "safe"]
    assert v1.content["actions"][0]["lead"] == "Head of Public Health"

    # A second version with a changed vision and a new outcome.
    go(page, f"{live_server.url}/plans/{plan.pk}/draft/vision/")
    page.get_by_label("Vision").fill("In York we know that our children are our future, "
                                     "and we listen to them.")
    click(page, "button", "Save and go back to the draft")
    go(page, f"{live_server.url}/plans/{plan.pk}/draft/outcomes/")
    click(page, "button", "Add an outcome")
    page.locator("#id_outcomes-2-title").fill("Enjoying and achieving")
    page.locator("#id_outcomes-2-key").fill("achieving")
    click(page, "button", "Save and go back to the draft")
    click(page, "button", "Save as version 2")

    # Compare them.
    go(page, f"{live_server.url}/plans/{plan.pk}/versions/")
    go(page, f"{live_server.url}/plans/{plan.pk}/versions/compare/?from=1&to=2")
    content = page.content()
    assert "Enjoying and achieving" in content
    assert page.locator("del").first.inner_text().strip() != ""
    assert page.locator("ins").first.inner_text().strip() != ""
    go(page, f"{live_server.url}/plans/{plan.pk}/versions/2/")

    # Set the timetable from the meeting diaries, then read it.
    go(page, f"{live_server.url}/plans/{plan.pk}/")
    click(page, "link", "Timetable: planned against actual")
    click(page, "link", "Set a timetable")
    page.get_by_text("Suggest a timetable from the meeting diaries").click()
    click(page, "button", "Suggest from the meeting diaries")
    click(page, "button", "Save the timetable")
    milestones = Milestone.objects.filter(plan=plan)
    executive = milestones.get(kind="executive_meeting")
    assert executive.meeting is not None and executive.target_on == datetime.date(2017, 4, 20)
    assert page.locator("svg[role=img]").count() == 1
