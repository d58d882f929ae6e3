"""The monitoring and annual review pages (issue 11) in Chromium: every page is checked with
axe-core (no serious or critical violation) and laid out 390 px wide (no sideways scrolling,
tests/browser/a11y.py), signed in as the person who uses it, at the stage that shows its forms.

- an adopted plan's indicators, one indicator with its reading form, the correction form and
  the form with errors (the error summary links to the field); the actions' progress, one
  action with its note form (and with errors), the progress upload and its row report on a
  bad file, the leads page, the public scorecard;
- the plan's annual review, walked through its year by the services with time travel: in
  drafting with its compile form and the review tasks in the inboxes, the progress report
  form, the external submission forms, at scrutiny with the feedback form and section, then
  approved and published: the public plan page lists it; and the successor start page.

Forms are posted by the browser from the server's HTML (``novalidate``: the browser does not
check them first), so nothing depends on JavaScript. Screenshots go to $PLANGOV_SCREENSHOTS
when it names a folder (never committed)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest

from documents.models import ReviewStage
from documents.monitoring.actions import action_progress_update
from documents.monitoring.services import reading_record
from governance.models import DecisionOutcome as O
from governance.models import Role
from plangov import clock
from tests.browser.a11y import checked
from tests.browser.test_journey import browser, sign_in  # noqa: F401  (the fixture)
from tests.conftest import build_world
from tests.factories import MembershipFactory
from tests.workflows.review_helpers import adopted_plan
from workflows.models import TaskKind
from workflows.reviews.callin import review_call_in_period_over
from workflows.reviews.decisions import review_decision_record
from workflows.reviews.external import external_submission_set
from workflows.reviews.routing import open_review_tasks
from workflows.reviews.scrutiny import feedback_point_answer, scrutiny_feedback_record
from workflows.reviews.services import review_fire, review_start

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PLANGOV_SCREENSHOTS")  # a folder for screenshots; never committed


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


PROBLEMS: list[str] = []


@pytest.fixture(autouse=True)
def problems() -> Any:
    """Every page's problems, reported together at the end of the test (one run shows them
    all) by ``assert_no_problems``."""
    PROBLEMS.clear()
    yield PROBLEMS
    PROBLEMS.clear()


def assert_no_problems() -> None:
    assert not PROBLEMS, f"{len(PROBLEMS)} page(s) failed:\n\n" + "\n\n".join(PROBLEMS)


def look(page: Any, name: str) -> Any:
    """axe and 390 px on the page now open (a failure is kept for the end of the test); a
    screenshot of it (full width and narrow) when $PLANGOV_SCREENSHOTS is set."""
    try:
        checked(page)
    except AssertionError as exc:
        PROBLEMS.append(f"{name}: {exc}")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"mr-{name}.png"), full_page=True)
        before = page.viewport_size
        page.set_viewport_size({"width": 390, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"mr-{name}-390.png"), full_page=True)
        page.set_viewport_size(before)
    return page


def go(page: Any, url: str, name: str) -> Any:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state()
    return look(page, name)


def submit(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).first.click()
    page.wait_for_load_state()


def assert_summary_links_to(page: Any, *field_ids: str) -> None:
    """The error summary is there and links to each field, which is on the page."""
    summary = page.locator(".govuk-error-summary")
    assert summary.count() >= 1 and summary.first.is_visible(), page.content()[:3000]
    assert page.title().startswith("Error: "), page.title()
    # First in the page, above the h1, as GOV.UK's pattern has it.
    assert page.evaluate("""() => {
        const summary = document.querySelector('.govuk-error-summary');
        const h1 = document.querySelector('main h1');
        return Boolean(summary.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_FOLLOWING);
    }"""), f"the error summary is below the h1 on {page.url}"
    for field_id in field_ids:
        assert summary.first.locator(f'a[href="#{field_id}"]').count() == 1, (
            field_id, summary.first.inner_html())
        assert page.locator(f"#{field_id}").count() == 1, field_id


def visit_task(page: Any, base: str, review: Any, kind: str, name: str,
               owner: Any = None) -> None:
    """The open review task of ``kind`` (``owner``'s, when given), from the inbox of the
    person ``page`` is signed in as."""
    tasks = open_review_tasks(review).filter(info__kind=kind)
    task = (tasks.filter(owner=owner) if owner is not None else tasks).first()
    assert task is not None, (kind, list(open_review_tasks(review).values_list(
        "info__kind", flat=True)))
    go(page, f"{base}/tasks/", f"{name}-inbox")
    if not page.locator(f'a[href="/tasks/{task.pk}/"]').count():  # a body's: in its queue
        go(page, f"{base}/tasks/?view=queue", f"{name}-queue")
    assert page.locator(f'a[href="/tasks/{task.pk}/"]').count() >= 1, (
        name, page.locator("main").inner_text()[:2000])
    page.locator(f'a[href="/tasks/{task.pk}/"]').first.click()
    page.wait_for_load_state()
    look(page, f"{name}-task")


def monitored_plan(world: Any, frozen_clock: Any) -> Any:
    """An adopted plan (adopted 22 July 2016) with readings of its indicator, one of them
    corrected, and progress notes on its action."""
    plan = adopted_plan(world, frozen_clock, call_in=True)
    # The linked lead of the plan's action is a member of its board.
    MembershipFactory(user=world.health_lead, body=world.board, role=Role.MEMBER)
    for label, start, end, value in (("2010/11", datetime.date(2010, 4, 1),
                                      datetime.date(2011, 3, 31), "9.4"),
                                     ("2011/12", datetime.date(2011, 4, 1),
                                      datetime.date(2012, 3, 31), "8.9")):
        reading_record(plan=plan, indicator_key="obesity-reception", value=value,
                       period_label=label, period_start=start, period_end=end,
                       measured_on=end + datetime.timedelta(days=60),
                       source="National Child Measurement Programme",
                       commentary="Published with the annual figures.", actor=world.lead)
    action_progress_update(plan=plan, action_number=1, status="on_track",
                           noted_on=clock.today(), text="Twelve schools signed up.",
                           actor=world.health_lead)
    return plan


def test_the_monitoring_pages_are_accessible_and_narrow(
        browser, live_server, frozen_clock, tmp_path):  # noqa: F811
    world = build_world()
    plan = monitored_plan(world, frozen_clock)
    base = live_server.url
    lead = sign_in(browser, live_server, "lead")

    # Indicators, one indicator and its reading form.
    go(lead, f"{base}/plans/{plan.pk}/indicators/", "indicators")
    assert "Obesity in reception year" in lead.content()
    go(lead, f"{base}/plans/{plan.pk}/indicators/obesity-reception/", "indicator")
    # Bad input, posted by the browser without help from JavaScript: required fields left
    # out, then a value that is not a number.
    submit(lead, "Record the reading")
    assert_summary_links_to(lead, "id_value", "id_measured_on")
    look(lead, "indicator-empty")
    lead.locator("#id_value").fill("lots")
    lead.locator("#id_period_label").fill("2009/10")
    lead.locator("#id_period_start").fill("01/04/2009")
    lead.locator("#id_period_end").fill("31/03/2010")
    lead.locator("#id_measured_on").fill("01/06/2010")
    submit(lead, "Record the reading")
    assert_summary_links_to(lead, "id_value")
    look(lead, "indicator-errors")
    # The correction form.
    lead.get_by_role("link", name="Correct the reading for 2011/12").click()
    lead.wait_for_load_state()
    assert lead.get_by_role("heading", name="Correct reading").count() or \
        "Correct reading" in lead.content()
    look(lead, "indicator-correction")
    lead.get_by_label("Value").fill("8.7")
    lead.get_by_label("Why this corrects the reading").fill("The published figure was revised.")
    submit(lead, "Record the correction")
    assert "Corrected" in lead.content()
    look(lead, "indicator-corrected")

    # The actions' progress, one action with its note form, with errors.
    go(lead, f"{base}/plans/{plan.pk}/progress/", "actions")
    assert "Extend healthy schools programme" in lead.content()
    go(lead, f"{base}/plans/{plan.pk}/progress/actions/1/", "action")
    lead.locator("#id_noted_on").fill("31/02/2016")
    submit(lead, "Record the progress")
    assert_summary_links_to(lead, "id_noted_on")
    look(lead, "action-errors")

    # The progress upload, and its row report on a bad file.
    go(lead, f"{base}/plans/{plan.pk}/progress/upload/", "upload")
    bad = tmp_path / "progress.csv"
    bad.write_text("action number,action title,status,date,progress note\n"
                   "1,Extend healthy schools programme,sideways,2016-07-01,=SUM(A1)\n"
                   "7,No such action,on_track,2099-01-01,\n", encoding="utf-8")
    lead.locator("#id_file").set_input_files(str(bad))
    submit(lead, "Check and save the updates")
    assert lead.locator("#report").is_visible(), lead.content()[:3000]
    assert_summary_links_to(lead, "id_file")
    look(lead, "upload-report")

    # The leads page.
    go(lead, f"{base}/plans/{plan.pk}/leads/", "leads")
    assert "Head of Public Health" in lead.content()

    # The plan page with its reviews and the form that starts one; a bad date, posted.
    go(lead, f"{base}/plans/{plan.pk}/", "plan")
    lead.locator("#id_started_on").fill("31/02/2016")
    submit(lead, "Start a review")
    assert_summary_links_to(lead, "id_started_on")
    look(lead, "review-start-errors")

    # The public scorecard.
    public = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    go(public, f"{base}/p/{world.partnership.slug}/plans/{plan.pk}/scorecard/",
       "public-scorecard")
    assert "Obesity in reception year" in public.content()
    assert_no_problems()


def test_the_review_pages_are_accessible_and_narrow(
        browser, live_server, frozen_clock, django_capture_on_commit_callbacks, tmp_path):  # noqa: F811
    world = build_world()
    plan = monitored_plan(world, frozen_clock)
    base = live_server.url
    review = review_start(plan=plan, actor=world.lead, year=2017)
    lead = sign_in(browser, live_server, "lead")

    # In drafting: the review page with its compile form, the tasks in the inbox.
    go(lead, f"{base}/reviews/{review.pk}/", "review-drafting")
    assert lead.get_by_role("heading", name="Compile the review").is_visible()
    visit_task(lead, base, review, TaskKind.PROGRESS_REPORT, "lead-progress-report",
               owner=world.lead)
    health = sign_in(browser, live_server, "health_lead")
    visit_task(health, base, review, TaskKind.PROGRESS_REPORT, "progress-report",
               owner=world.health_lead)
    # The progress report form of the lead's own priority, empty: errors link to the field.
    report = review.progress_reports.get(lead=world.health_lead)
    go(health, f"{base}/reviews/{review.pk}/progress/{report.pk}/", "progress-report")
    submit(health, "Send the progress report")
    assert_summary_links_to(health, "id_text")
    look(health, "progress-report-errors")
    health.locator("#id_text").fill("Twelve schools are in the healthy schools programme.")
    submit(health, "Send the progress report")
    look(health, "progress-report-done")
    for other in review.progress_reports.exclude(pk=report.pk):
        go(lead, f"{base}/reviews/{review.pk}/progress/{other.pk}/", "progress-report-lead")
        lead.locator("#id_text").fill(f"Progress on {other.priority_title}.")
        submit(lead, "Send the progress report")
    visit_task(lead, base, review, TaskKind.COMPILE_REVIEW, "compile")
    # The compile form with an error, then compiled.
    go(lead, f"{base}/reviews/{review.pk}/", "review-reported")
    submit(lead, "Compile the review")
    assert_summary_links_to(lead, "id_strengths")
    look(lead, "review-compile-errors")
    lead.locator("#id_strengths").fill("Fewer obese children in reception year.")
    lead.locator("#id_areas_for_development").fill("Bullying.")
    lead.locator("#id_next_year_priorities").fill("Bullying.")
    submit(lead, "Compile the review")
    look(lead, "review-compiled")

    # The external submission forms: set, with errors first.
    go(lead, f"{base}/reviews/{review.pk}/external/", "external")
    submit(lead, "Set the submission")
    assert_summary_links_to(lead, "id_recipient")
    look(lead, "external-errors")
    external_submission_set(review=review, recipient="Department for Education",
                            deadline=clock.today() + datetime.timedelta(days=28),
                            actor=world.lead)
    go(lead, f"{base}/reviews/{review.pk}/external/", "external-set")
    # The page does not link to itself.
    assert not lead.locator("main a", has_text="Record the submission or change").count()
    submit(lead, "Record the submission")
    assert_summary_links_to(lead, "id_submitted_on")
    look(lead, "external-record-errors")
    visit_task(lead, base, review, TaskKind.EXTERNAL_SUBMISSION, "external")
    # Recorded with the file sent: its SHA-256 (64 characters, one word) wraps at 390 px.
    go(lead, f"{base}/reviews/{review.pk}/external/", "external-record")
    sent = tmp_path / "self-assessment.txt"
    sent.write_text("The self-assessment.", encoding="utf-8")
    lead.locator("#id_submitted_on").fill(f"{clock.today():%d/%m/%Y}")
    lead.locator("#id_what_was_sent").fill("The self-assessment and the draft review.")
    lead.locator("#id_file").set_input_files(str(sent))
    submit(lead, "Record the submission")
    look(lead, "external-recorded")
    assert "File sent (SHA-256)" in lead.content()
    go(lead, f"{base}/reviews/{review.pk}/", "review-external")
    assert lead.get_by_role("heading", name="External submission").is_visible()

    # At scrutiny: the feedback form, with errors, then the section with points to answer.
    review = review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    scrutiny = sign_in(browser, live_server, "scrutiny_secretary")
    visit_task(scrutiny, base, review, TaskKind.SCRUTINY_FEEDBACK, "scrutiny")
    go(scrutiny, f"{base}/reviews/{review.pk}/scrutiny/", "scrutiny-form")
    submit(scrutiny, "Record the feedback")
    assert_summary_links_to(scrutiny, "id_meeting_on")
    look(scrutiny, "scrutiny-errors")
    feedback = scrutiny_feedback_record(
        review=review, actor=world.scrutiny_secretary, meeting_on=clock.today(), attendance=6,
        points=["Say how care leavers are reached.", "Show the trend by ward."])
    go(lead, f"{base}/reviews/{review.pk}/", "review-scrutiny")
    assert lead.get_by_role("heading", name="Scrutiny feedback").is_visible()
    first = feedback.points.order_by("number").first()
    feedback_point_answer(point=first, response="Added to section 2.", actor=world.lead)
    go(lead, f"{base}/reviews/{review.pk}/", "review-scrutiny-answered")
    # An empty response to point 2, posted: the error summary links to its field.
    submit(lead, "Save the response to point 2")
    assert_summary_links_to(lead, "id_response")
    look(lead, "review-scrutiny-answer-errors")
    go(scrutiny, f"{base}/reviews/{review.pk}/", "review-scrutiny-committee")

    # Approved and published: the public plan page lists the review.
    for point in feedback.points.filter(response=""):
        feedback_point_answer(point=point, response="Added.", actor=world.lead)
    from workflows.reviews.scrutiny import review_feedback_incorporated
    review_feedback_incorporated(review=review, note="Sections 2 and 4 rewritten.",
                                 actor=world.lead)
    review = review_fire(review=review, action="submit_to_board", actor=world.lead)
    secretary = sign_in(browser, live_server, "board_secretary")
    visit_task(secretary, base, review, TaskKind.REVIEW_BOARD_DECISION, "board-decision")
    review_decision_record(review=review, actor=world.board_secretary, body=world.board,
                           outcome=O.APPROVED, decided_on=clock.today(), attendance=8,
                           votes_for=7, minute_reference="YB/17/4")
    review_decision_record(review=review, actor=world.executive_member, body=world.executive,
                           outcome=O.APPROVED, decided_on=clock.today(), attendance=8,
                           votes_for=7, minute_reference="EX/17/30")
    review.refresh_from_db()
    if review.stage == ReviewStage.CALL_IN:
        frozen_clock.set(review.call_in_ends_on + datetime.timedelta(days=1))
        with django_capture_on_commit_callbacks(execute=True):
            review_call_in_period_over(review_id=review.pk)
    review.refresh_from_db()
    assert review.stage == ReviewStage.PUBLISHED, review.stage
    go(lead, f"{base}/reviews/{review.pk}/", "review-published")
    public = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    go(public, f"{base}/p/{world.partnership.slug}/", "public-home")
    assert f"Annual review {review.year}" in public.content()

    # The successor start page.
    go(lead, f"{base}/plans/{plan.pk}/successor/", "successor")
    assert_no_problems()
