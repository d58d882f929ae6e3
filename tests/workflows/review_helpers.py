"""Helpers for the review tests: an adopted plan with two priorities, one of whose leads is
linked to a person (LeadLink), and shortcuts through the review's services."""

from __future__ import annotations

import datetime
from typing import Any

from documents.models import LeadLink, Plan, Review, Stage
from documents.services import version_create
from governance.models import DecisionOutcome as O
from plangov import clock
from tests.conftest import World, consult, decide, make_plan
from tests.factories import UserFactory, valid_content
from workflows.reviews import routing as review_routing
from workflows.reviews.services import progress_report_submit, review_compile
from workflows.services import plan_adopt, plan_submit

LEAD_NAME = "Head of Public Health"


def review_content() -> dict[str, Any]:
    content = valid_content()
    content["outcomes"] = [
        {"key": "healthy", "title": "Being healthy",
         "priorities": [{"key": "active", "title": "All children are active and eat healthily"}]},
        {"key": "safe", "title": "Staying safe",
         "priorities": [{"key": "bullying", "title": "Less bullying in schools"}]},
    ]
    return content


def adopted_plan(world: World, frozen_clock: Any, *, call_in: bool = False) -> Plan:
    """An adopted plan (adopted on the frozen clock's day, 14 July 2016 unless moved), its
    "Head of Public Health" linked to ``world.health_lead``."""
    plan = make_plan(world, call_in=call_in)
    version_create(plan=plan, actor=world.lead, content=review_content())
    consult(world, plan)
    plan_submit(plan=plan, actor=world.lead)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    if plan.stage == Stage.CALL_IN:
        frozen_clock.advance(days=8)
        plan_adopt(plan=plan, actor=None)
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED
    if "health_lead" not in world.users:
        world.users["health_lead"] = UserFactory(username="health_lead")
    LeadLink.objects.create(plan=plan, name=LEAD_NAME, person=world.health_lead,
                            linked_by=world.lead, linked_at=clock.now())
    return plan


def open_kinds(review: Review) -> list[str]:
    return sorted(review_routing.open_review_tasks(review).values_list("info__kind", flat=True))


def report_all(world: World, review: Review) -> None:
    for report in review.progress_reports.all():
        progress_report_submit(report=report, text=f"Progress on {report.priority_title}.",
                               actor=world.lead)


def compile_review(world: World, review: Review) -> Review:
    return review_compile(review=review, actor=world.lead, strengths="Fewer obese children.",
                          areas_for_development="Bullying.", next_year_priorities="Bullying.")


def a_year_after(day: datetime.date) -> datetime.date:
    return day.replace(year=day.year + 1)


def decide_review(review: Review, action: str, kind: str, actor: Any, **kwargs: Any) -> Review:
    """What the decision and records services on a review do, by the flow's contract: lock,
    fire the transition, save, then complete the task of ``kind``."""
    from plangov.txn import service
    from workflows.reviews.lifecycle import ReviewLifecycle

    @service
    def move() -> Review:
        locked = review_routing.lock_review(review.pk)
        ReviewLifecycle(locked).fire(action, actor, enforce_permission=False, **kwargs)
        locked.save()
        review_routing.review_task_complete(review=locked, kind=kind, actor=actor)
        return locked

    return move()


def record_feedback(world: World, review: Review) -> Review:
    """Scrutiny's feedback, answered and incorporated; completes the feedback task."""
    from documents.models import FeedbackPoint, ScrutinyFeedback
    from plangov.txn import service

    @service
    def record() -> Review:
        locked = review_routing.lock_review(review.pk)
        feedback = ScrutinyFeedback.objects.create(
            review=locked, body=world.scrutiny, meeting_on=clock.today(),
            recorded_by=world.scrutiny_secretary, recorded_at=clock.now())
        FeedbackPoint.objects.create(feedback=feedback, number=1, text="More on bullying.",
                                     response="Added.", responded_by=world.lead,
                                     responded_at=clock.now())
        locked.feedback_incorporated = True
        locked.save()
        review_routing.review_task_complete(review=locked, kind="scrutiny_feedback",
                                            actor=world.scrutiny_secretary)
        return locked

    return record()
