"""The review pages: "Reviews" on the plan page with "Start a review" for the lead officer,
the review page (tasks, progress reports, compile form with the trends, action buttons), the
progress report form, and review tasks in the inbox pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.html import escape

from documents.models import Review, ReviewStage
from tests.conftest import World
from tests.workflows.review_helpers import adopted_plan
from workflows.reviews.services import review_start

pytestmark = pytest.mark.django_db


def test_the_lead_officer_starts_a_review_from_the_plan_page(world: World, frozen_clock: Any,
                                                             client: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    client.force_login(world.board_secretary)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Reviews" in page and "Start a review" not in page
    assert client.post(f"/plans/{plan.pk}/reviews/start/", {"kind": "annual"}).status_code \
        == 403
    client.force_login(world.lead)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Start a review" in page and "14 July 2017" in page  # the review date
    bad = client.post(f"/plans/{plan.pk}/reviews/start/", {"kind": "yearly"})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    answer = client.post(f"/plans/{plan.pk}/reviews/start/", {"kind": "annual"})
    review = Review.objects.get(plan=plan)
    assert answer.status_code == 302 and answer["Location"] == f"/reviews/{review.pk}/"
    again = client.post(f"/plans/{plan.pk}/reviews/start/", {"kind": "annual"})
    assert again.status_code == 409
    assert escape(review.title) in client.get(f"/plans/{plan.pk}/").content.decode()


def test_progress_report_compile_and_send_through_the_pages(world: World, frozen_clock: Any,
                                                            client: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    report = review.progress_reports.get(priority_key="active")
    client.force_login(world.health_lead)
    inbox = client.get("/tasks/").content.decode()
    assert escape(review.title) in inbox and "Report progress on a priority" in inbox
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "All children are active and eat healthily" in page
    assert "Compile the review" not in page  # not theirs
    form = client.get(f"/reviews/{review.pk}/progress/{report.pk}/")
    assert form.status_code == 200
    empty = client.post(f"/reviews/{review.pk}/progress/{report.pk}/", {"text": ""})
    assert empty.status_code == 400 and 'href="#id_text"' in empty.content.decode()
    sent = client.post(f"/reviews/{review.pk}/progress/{report.pk}/", {"text": "More PE."})
    assert sent.status_code == 302
    report.refresh_from_db()
    assert report.text == "More PE." and report.submitted_by == world.health_lead

    client.force_login(world.lead)
    other = review.progress_reports.get(priority_key="bullying")
    client.post(f"/reviews/{review.pk}/progress/{other.pk}/", {"text": "Fewer cases."})
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Compile the review" in page and "Send to scrutiny" in page  # blocked until compiled
    bad = client.post(f"/reviews/{review.pk}/compile/", {"strengths": ""})
    assert bad.status_code == 400 and 'href="#id_strengths"' in bad.content.decode()
    done = client.post(f"/reviews/{review.pk}/compile/", {
        "strengths": "Fewer obese children.", "areas_for_development": "Bullying.",
        "next_year_priorities": "Bullying."})
    assert done.status_code == 302
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Obesity in reception year" in page  # the trends table
    sent = client.post(f"/reviews/{review.pk}/actions/send_to_scrutiny/", {})
    assert sent.status_code == 302
    review.refresh_from_db()
    assert review.stage == ReviewStage.SCRUTINY
    client.force_login(world.scrutiny_secretary)
    queue = client.get("/tasks/?view=queue").content.decode()
    assert "Record the scrutiny committee&#x27;s feedback" in queue
    assert escape(review.title) in queue


def test_a_review_page_is_not_for_outsiders(world: World, frozen_clock: Any,
                                            client: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    client.force_login(world.outsider)
    assert client.get(f"/reviews/{review.pk}/").status_code == 404
    client.force_login(world.board_secretary)
    assert client.get(f"/reviews/{review.pk}/").status_code == 200
    assert client.post(f"/reviews/{review.pk}/actions/withdraw/", {}).status_code == 403
    assert client.post(f"/reviews/{review.pk}/actions/publish/", {}).status_code == 404


def test_lists_of_review_tasks_cost_the_same_for_one_and_many(world: World, frozen_clock: Any,
                                                              client: Any,
                                                              as_user: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents.models import ReviewKind

    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    client.force_login(world.lead)
    api = as_user(world.lead)

    def costs() -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get("/tasks/?view=mine").status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get("/api/v1/tasks/?view=mine").status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert client.get(f"/reviews/{review.pk}/").status_code == 200
        return len(page), len(listed), len(detail)

    one = costs()
    review_start(plan=plan, actor=world.lead, kind=ReviewKind.SIX_MONTH)
    other = adopted_plan(world, frozen_clock)
    review_start(plan=other, actor=world.lead)
    assert api.get("/api/v1/tasks/?view=mine").json()["count"] == 3
    assert costs() == one


def test_a_review_task_page_points_to_the_review(world: World, frozen_clock: Any,
                                                 client: Any) -> None:
    from workflows.reviews import routing as review_routing

    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    task = next(t for t in review_routing.open_review_tasks(review)
                if t.owner == world.health_lead)
    client.force_login(world.health_lead)
    page = client.get(f"/tasks/{task.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/reviews/{review.pk}/progress/{task.seed_object_id}/" in text
    assert "Record the decision" not in text


def test_an_approved_review_that_changes_priorities_starts_the_revision(
        world: World, frozen_clock: Any, client: Any) -> None:
    from tests.workflows.records_helpers import approve_review, make_review

    review = make_review(world, stage="drafting", changes_priorities=True)
    plan = review.plan
    client.force_login(world.lead)
    url = f"/reviews/{review.pk}/"
    assert b"Start the revision" not in client.get(url).content  # not approved yet
    approve_review(world, review)
    client.force_login(world.board_secretary)  # not the lead officer: no button, and refused
    assert b"Start the revision" not in client.get(url).content
    assert client.post(f"{url}revise/").status_code == 403
    client.force_login(world.lead)
    page = client.get(url)
    assert b"Start the revision" in page.content
    answer = client.post(f"{url}revise/")
    assert answer.status_code == 302 and answer["Location"] == f"/plans/{plan.pk}/"
    plan.refresh_from_db()
    assert plan.stage == "drafting" and plan.drafting_cycle == 2
    assert plan.adopted_version_id == review.version_id  # still in force
    assert b"Start the revision" not in client.get(url).content
