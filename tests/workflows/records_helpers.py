"""Reviews for the records tests (scrutiny, external submission, the PDF): an adopted plan
(the review process's own start is tested with AnnualReviewFlow)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from documents.models import Plan, Review, ReviewKind, ReviewStage, Stage
from documents.services import version_create
from governance.models import Decision
from governance.models import DecisionOutcome as O
from plangov import clock
from tests.conftest import World, make_plan
from tests.factories import valid_content

TRENDS = {
    "indicators": [
        {"key": "obesity-reception", "title": "Obesity in reception year",
         "outcome": {"key": "healthy", "title": "Being healthy"},
         "unit": "%", "latest": {"value": 8.4, "period_label": "2015/16"},
         "trend": "improved", "rag": "green"},
        {"key": "nte", "title": "Young people not in education, employment or training",
         "outcome": {"key": "healthy", "title": "Being healthy"}, "unit": "%",
         "latest": {"value": 6.1, "period_label": "2015/16"},
         "trend": "worse", "rag": "red"},
    ],
    "summary": {"sentence": "Of 2 indicators where a trend can be identified, 1 has improved "
                            "(50%).", "comparable": 2, "improved": 1},
}


def adopted_plan(world: World) -> Plan:
    """A plan adopted a year ago (its adoption is not what these tests are about)."""
    plan = make_plan(world)
    version = version_create(plan=plan, actor=world.lead, content=valid_content())
    Plan.objects.filter(pk=plan.pk).update(
        stage=Stage.ADOPTED, adopted_version=version, current_version=version,
        adopted_on=clock.today() - datetime.timedelta(days=365),
        adopted_at=clock.now() - datetime.timedelta(days=365),
    )
    plan.refresh_from_db()
    return plan


def make_review(world: World, *, stage: str = ReviewStage.SCRUTINY, plan: Plan | None = None,
                kind: str = ReviewKind.ANNUAL, **fields: Any) -> Review:
    plan = plan or adopted_plan(world)
    today = clock.today()
    values: dict[str, Any] = {
        "plan": plan, "kind": kind, "year": today.year,
        "title": f"Annual review {today.year}", "stage": stage,
        "stage_changed_at": clock.now(), "version": plan.adopted_version,
        "started_on": today, "started_at": clock.now(), "started_by": world.lead,
        "covers_from": plan.adopted_on or today, "covers_to": today,
        "strengths": "More children walk to school.\n\nObesity in reception year fell.",
        "areas_for_development": "Too many young people are not in education.",
        "next_year_priorities": "Reach every care leaver by 16.",
        "consultation_heard": "Children asked for safer routes to school.",
        "trends": TRENDS, "compiled_at": clock.now(),
    }
    values.update(fields)
    return Review.objects.create(**values)


def approve_review(world: World, review: Review) -> list[Decision]:
    """The owning board's and the executive's approving decisions on the review (recorded
    directly: the decision services are tested with them), and the review approved."""
    today = clock.today()
    decisions = [
        Decision.objects.create(
            plan=review.plan, review=review, body=body, decided_on=today, outcome=O.APPROVED,
            minute_reference=ref, votes_for=6, recorded_by=who, recorded_at=clock.now(),
        )
        for body, ref, who in ((world.board, "YB/17/4", world.board_secretary),
                               (world.executive, "EX/17/12", world.executive_member))
    ]
    Review.objects.filter(pk=review.pk).update(
        stage=ReviewStage.APPROVED, approved_on=today, approved_at=clock.now(),
        stage_changed_at=timezone.now())
    review.refresh_from_db()
    return decisions
