"""A whole year under time travel, by the doors people and the beat use: the review starts on
the plan's review date, leads report, the lead officer compiles it, scrutiny's feedback is
recorded, answered and incorporated, the external submission's deadline is reminded and the
review is submitted before the executive approves, the board and the executive approve, the
call-in period runs out, the worker signs the review's PDF, the review is published and the
public site lists it beside the plan."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from documents.models import DocumentKind, DocumentStatus, ReviewStage, SignedDocument
from governance.models import DecisionOutcome as O
from plangov import clock
from tests.workflows.review_helpers import adopted_plan, compile_review, report_all
from workflows.models import Notification, NotificationKind, TaskKind
from workflows.reviews.callin import review_call_in_period_over
from workflows.reviews.decisions import review_decision_record
from workflows.reviews.external import external_submission_record, external_submission_set
from workflows.reviews.routing import open_review_task
from workflows.reviews.scrutiny import (
    feedback_point_answer,
    review_feedback_incorporated,
    scrutiny_feedback_record,
)
from workflows.reviews.services import review_fire
from workflows.tasks import scan_deadlines, scan_review_dates


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def test_a_year_of_review_from_the_review_date_to_the_public_site(
        world, frozen_clock, client, django_capture_on_commit_callbacks):
    plan = adopted_plan(world, frozen_clock, call_in=True)
    plan.refresh_from_db()
    # The beat starts the review on the plan's review date, once.
    frozen_clock.set(plan.review_date - datetime.timedelta(days=1))
    assert scan_review_dates() == 0
    frozen_clock.set(plan.review_date)
    assert scan_review_dates() == 1
    assert scan_review_dates() == 0
    review = plan.reviews.get()
    report_all(world, review)
    compile_review(world, review)
    # The self-assessment is due with the department in four weeks.
    deadline = clock.today() + datetime.timedelta(days=28)
    external_submission_set(review=review, recipient="Department for Education",
                            deadline=deadline, actor=world.lead)
    review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    frozen_clock.advance(days=7)
    feedback = scrutiny_feedback_record(
        review=review, actor=world.scrutiny_secretary, meeting_on=clock.today(), attendance=6,
        points=["Say how care leavers are reached.", "Show the trend by ward."])
    assert open_review_task(review, TaskKind.SCRUTINY_FEEDBACK) is None
    for point in feedback.points.all():
        feedback_point_answer(point=point, response=f"Done: {point.text}", actor=world.lead)
    review_feedback_incorporated(review=review, note="Sections 2 and 4 rewritten.",
                                 actor=world.lead)
    review = review_fire(review=review, action="submit_to_board", actor=world.lead)
    frozen_clock.advance(days=7)
    review_decision_record(review=review, actor=world.board_secretary, body=world.board,
                           outcome=O.APPROVED, decided_on=clock.today(), attendance=8,
                           votes_for=7, minute_reference="YB/17/4")
    review.refresh_from_db()
    assert review.stage == ReviewStage.EXECUTIVE
    # Two working days before the deadline the lead officer is reminded, and the review
    # goes to the department before the executive has met.
    frozen_clock.set(deadline - datetime.timedelta(days=1))
    scan_deadlines()
    task = review.tasks.get(kind=TaskKind.EXTERNAL_SUBMISSION).task
    assert Notification.objects.filter(task=task, kind=NotificationKind.REMINDER).count() == 1
    assert any("external submission" in m.subject for m in mail.outbox)
    external_submission_record(review=review, submitted_on=clock.today(),
                               what_was_sent="The self-assessment and the draft review.",
                               actor=world.lead)
    frozen_clock.set(deadline + datetime.timedelta(days=5))
    scan_deadlines()
    assert not Notification.objects.filter(task=task, kind=NotificationKind.ESCALATION).exists()
    review.refresh_from_db()
    assert review.stage == ReviewStage.EXECUTIVE
    review_decision_record(review=review, actor=world.executive_member, body=world.executive,
                           outcome=O.APPROVED, decided_on=clock.today(), attendance=8,
                           votes_for=7, minute_reference="EX/17/30")
    review.refresh_from_db()
    assert review.stage == ReviewStage.CALL_IN
    # The call-in period runs out: approved, and the worker signs the review's PDF when the
    # approval commits; signing it publishes the review.
    frozen_clock.set(review.call_in_ends_on + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert review_call_in_period_over(review_id=review.pk) is True
    document = SignedDocument.objects.get(review=review, kind=DocumentKind.REVIEW)
    assert document.status == DocumentStatus.DONE
    review.refresh_from_db()
    assert review.stage == ReviewStage.PUBLISHED
    assert review.approved_on == review.call_in_ends_on
    plan.refresh_from_db()
    assert plan.stage == "adopted"
    page = client.get(f"/p/{world.partnership.slug}/").content.decode()
    assert f"/p/{world.partnership.slug}/documents/{document.pk}/" in page
    assert f"{review.title} (signed PDF" in page or f"Annual review {review.year}" in page
