"""Scrutiny's feedback on an annual review: recorded by its secretary or deputy only, at a
meeting after the review reached it, answered point by point, recorded as incorporated, and
only then may the review go to the board."""

from __future__ import annotations

import datetime

import pytest

from documents.models import FeedbackPoint, ReviewStage
from governance.models import AuditEvent, Meeting, Role
from plangov import clock
from plangov.errors import Forbidden, GuardFailed, InvalidInput, WrongStage
from tests.factories import MembershipFactory, UserFactory
from workflows.reviews.lifecycle import ReviewLifecycle
from workflows.reviews.scrutiny import (
    feedback_point_answer,
    review_feedback_incorporated,
    scrutiny_feedback_record,
)

from .records_helpers import make_review

POINTS = ["Say how the plan reaches care leavers.", "", "  Show the NEET trend by ward.  "]


def record(world, review, **kwargs):  # type: ignore[no-untyped-def]
    params = {"actor": world.scrutiny_secretary, "meeting_on": clock.today(),
              "points": POINTS, "attendance": 6, "summary": "The committee welcomed it."}
    params.update(kwargs)
    return scrutiny_feedback_record(review=review, **params)


def test_the_secretary_records_numbered_points_at_a_quorate_meeting(world, frozen_clock):
    review = make_review(world)
    frozen_clock.advance(days=7)
    feedback = record(world, review)
    points = list(feedback.points.order_by("number"))
    assert [(p.number, p.text) for p in points] == [
        (1, "Say how the plan reaches care leavers."), (2, "Show the NEET trend by ward.")]
    assert feedback.body == world.scrutiny and feedback.meeting_on == clock.today()
    assert Meeting.objects.get(body=world.scrutiny, date=clock.today()).attendance == 6
    events = AuditEvent.objects.filter(action="review.scrutiny_feedback")
    assert events.count() == 1
    event = events.get()
    assert event.after["points"] == 2 and len(event.after["points_sha256"]) == 64
    assert "care leavers" not in str(event.after) and "welcomed" not in str(event.after)


def test_a_deputy_of_the_secretary_may_record_it(world, frozen_clock):
    deputy = UserFactory(username="scrutiny_deputy")
    world.scrutiny.memberships.filter(role=Role.SECRETARY).update(deputy=deputy)
    review = make_review(world)
    assert record(world, review, actor=deputy).recorded_by == deputy


@pytest.mark.parametrize("who", ["member", "chair", "board_secretary", "lead", "outsider",
                                 "auditor"])
def test_anyone_else_is_refused_with_403_and_nothing_is_saved(world, frozen_clock, who):
    review = make_review(world)
    if who in ("member", "chair"):
        user = UserFactory(username=f"scrutiny_{who}")
        MembershipFactory(user=user, body=world.scrutiny, role=Role(who))
    else:
        user = getattr(world, who)
    with pytest.raises(Forbidden) as refused:
        record(world, review, actor=user)
    assert refused.value.status == 403
    assert "secretary" in refused.value.detail
    assert not review.feedback.exists() and not Meeting.objects.exists()


@pytest.mark.parametrize("stage", [ReviewStage.DRAFTING, ReviewStage.BOARD,
                                   ReviewStage.APPROVED])
def test_outside_scrutiny_it_is_a_409(world, frozen_clock, stage):
    review = make_review(world, stage=stage)
    with pytest.raises(WrongStage) as refused:
        record(world, review)
    assert refused.value.status == 409
    assert not review.feedback.exists()


def test_bad_dates_points_and_text_are_400s_naming_the_field(world, frozen_clock):
    review = make_review(world)
    frozen_clock.advance(days=3)
    cases = [
        ({"meeting_on": clock.today() + datetime.timedelta(days=1)}, "meeting_on"),
        ({"meeting_on": clock.today() - datetime.timedelta(days=10)}, "meeting_on"),
        ({"meeting_on": "2016-07-14"}, "meeting_on"),
        ({"points": ["", "   "]}, "points"),
        ({"points": "one\ntwo\x00"}, "points[1]"),
        ({"summary": "bad\x0bsummary"}, "summary"),
        ({"attendance": 2}, "attendance"),
        ({"attendance": None}, "attendance"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as refused:
            record(world, review, **kwargs)
        assert field in refused.value.errors, (kwargs, refused.value.errors)
    assert not review.feedback.exists()


def test_feedback_is_answered_point_by_point_then_incorporated_then_the_board(
        world, frozen_clock):
    review = make_review(world)
    lifecycle = ReviewLifecycle(review)
    with pytest.raises(GuardFailed, match="not recorded"):
        lifecycle.check("submit_to_board", world.lead)
    feedback = record(world, review, points="First point\nSecond point\nThird point")
    one, two, three = feedback.points.order_by("number")
    with pytest.raises(Forbidden):
        feedback_point_answer(point=one, response="Done.", actor=world.scrutiny_secretary)
    with pytest.raises(InvalidInput) as blank:
        feedback_point_answer(point=one, response="  ", actor=world.lead)
    assert "response" in blank.value.errors
    feedback_point_answer(point=one, response="Added a care leavers' section.",
                          actor=world.lead)
    with pytest.raises(GuardFailed) as early:
        review_feedback_incorporated(review=review, note="All in.", actor=world.lead)
    assert "points 2, 3 are not answered" in early.value.detail
    review.refresh_from_db()
    with pytest.raises(GuardFailed, match=r"unanswered: 2, 3"):
        ReviewLifecycle(review).check("submit_to_board", world.lead)
    feedback_point_answer(point=two, response="The ward table is in annex B.", actor=world.lead)
    feedback_point_answer(point=three, response="Agreed.", actor=world.lead)
    with pytest.raises(InvalidInput):
        review_feedback_incorporated(review=review, note="", actor=world.lead)
    with pytest.raises(Forbidden):
        review_feedback_incorporated(review=review, note="x", actor=world.board_secretary)
    review = review_feedback_incorporated(review=review, note="Sections 2 and 4 rewritten.",
                                          actor=world.lead)
    assert review.feedback_incorporated
    ReviewLifecycle(review).check("submit_to_board", world.lead)  # ready: no exception
    # Changing an answer afterwards withdraws the confirmation until it is given again.
    feedback_point_answer(point=three, response="Agreed, see annex C.", actor=world.lead)
    review.refresh_from_db()
    assert not review.feedback_incorporated
    assert FeedbackPoint.objects.get(pk=three.pk).responded_by == world.lead
    assert AuditEvent.objects.filter(action="review.feedback_answer").count() == 4
    assert AuditEvent.objects.filter(action="review.feedback_incorporated").count() == 1


def test_feedback_is_recorded_once_per_visit_to_scrutiny(world, frozen_clock):
    review = make_review(world)
    record(world, review)
    with pytest.raises(Exception) as again:
        record(world, review)
    assert again.value.status == 409  # type: ignore[attr-defined]


def test_the_lead_officers_deputy_answers_and_confirms_too(world, frozen_clock):
    deputy = UserFactory(username="lead_deputy")
    world.board.memberships.filter(role=Role.LEAD_OFFICER, user=world.lead).update(
        deputy=deputy)
    review = make_review(world)
    feedback = record(world, review, points=["Only point"])
    point = feedback.points.get()
    assert feedback_point_answer(point=point, response="Done.", actor=deputy).responded_by \
        == deputy
    assert review_feedback_incorporated(review=review, note="In.", actor=deputy) \
        .feedback_incorporated
