"""Reviews of an adopted plan brought to the board, for the tests of a review's decisions and
call-in (workflows.reviews.decisions, workflows.reviews.callin)."""

from __future__ import annotations

import datetime
from typing import Any

from documents.models import (
    FeedbackPoint,
    Plan,
    Review,
    ReviewKind,
    ReviewStage,
    ScrutinyFeedback,
)
from plangov import clock
from tests.conftest import World
from workflows.reviews.services import review_fire


def plan_state(plan: Plan) -> tuple[Any, ...]:
    """What a review's decisions must never move on its plan."""
    fresh = Plan.objects.get(pk=plan.pk)
    return (fresh.stage, fresh.adopted_version_id, fresh.current_version_id, fresh.adopted_on,
            fresh.call_in_ends_on)


def review_at_board(world: World, plan: Plan, *, kind: str = ReviewKind.ANNUAL,
                    submitter: Any = None, year: int = 2017) -> Review:
    """A compiled review of ``plan`` (scrutiny's feedback answered and incorporated, for an
    annual review) submitted to the board today by its lead officer (or ``submitter``, their
    deputy) through the review's service."""
    now = clock.now()
    review = Review.objects.create(
        plan=plan, kind=kind, year=year, title=f"{ReviewKind(kind).label} {year}",
        version_id=plan.adopted_version_id, started_on=clock.today(), started_at=now,
        started_by=world.lead, covers_from=datetime.date(2016, 4, 1),
        covers_to=datetime.date(2017, 3, 31), strengths="Fewer children waiting.",
        compiled_at=now,
    )
    if kind == ReviewKind.ANNUAL:
        Review.objects.filter(pk=review.pk).update(
            stage=ReviewStage.SCRUTINY, feedback_incorporated=True)
        review.refresh_from_db()
        feedback = ScrutinyFeedback.objects.create(
            review=review, body=world.scrutiny, meeting_on=clock.today(),
            recorded_by=world.scrutiny_secretary, recorded_at=now)
        FeedbackPoint.objects.create(feedback=feedback, number=1, text="More on attendance.",
                                     response="Added to section 3.", responded_at=now)
    return review_fire(review=review, action="submit_to_board", actor=submitter or world.lead)
