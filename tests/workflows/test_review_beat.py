"""The review under time travel: the beat starts the annual review on the plan's review
date, once; a progress report gets one reminder before it is due and one escalation after."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail

from documents.models import Review, ReviewKind
from tests.conftest import World
from tests.workflows.review_helpers import adopted_plan
from workflows.models import Notification, NotificationKind, TaskKind
from workflows.reviews import routing as review_routing
from workflows.reviews.services import review_dates_due, review_fire
from workflows.tasks import scan_deadlines, scan_review_dates

pytestmark = pytest.mark.django_db

ADOPTED = datetime.date(2016, 7, 14)
REVIEW_DATE = datetime.date(2017, 7, 14)


def test_the_beat_starts_the_annual_review_on_the_review_date_once(
        world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    assert plan.adopted_on == ADOPTED and plan.review_date == REVIEW_DATE
    frozen_clock.set(REVIEW_DATE - datetime.timedelta(days=1))
    assert scan_review_dates() == 0 and review_dates_due() == []
    frozen_clock.set(REVIEW_DATE, hour=0)
    assert scan_review_dates() == 1
    assert scan_review_dates() == 0  # twice: still one review
    review = Review.objects.get(plan=plan)
    assert (review.kind, review.year, review.started_on) == (ReviewKind.ANNUAL, 2017,
                                                            REVIEW_DATE)
    assert review.started_by is None
    assert review.covers_from == ADOPTED and review.covers_to == REVIEW_DATE
    plan.refresh_from_db()
    assert plan.review_date == datetime.date(2018, 7, 14)  # next year's
    assert review_routing.open_review_task(review, TaskKind.PROGRESS_REPORT) is not None


def test_the_beat_never_restarts_a_withdrawn_review(world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    plan.review_date = datetime.date(2016, 9, 1)
    plan.save(update_fields=["review_date"])
    frozen_clock.set(datetime.date(2016, 9, 1))
    scan_review_dates()
    review = Review.objects.get(plan=plan)
    review_fire(review=review, action="withdraw", actor=world.lead)
    plan.review_date = datetime.date(2016, 9, 1)  # set back by hand
    plan.save(update_fields=["review_date"])
    assert scan_review_dates() == 0
    assert Review.objects.filter(plan=plan).count() == 1


def test_a_due_progress_report_gets_one_reminder_then_one_escalation(
        world: World, frozen_clock: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    frozen_clock.set(REVIEW_DATE)
    scan_review_dates()
    review = Review.objects.get(plan=plan)
    task = next(t for t in review_routing.open_review_tasks(review)
                if t.owner == world.health_lead)
    due = task.info.due_on
    mail.outbox.clear()
    day = REVIEW_DATE
    while day <= due + datetime.timedelta(days=10):
        frozen_clock.set(day)
        scan_deadlines()
        day += datetime.timedelta(days=1)
    sent = Notification.objects.filter(task=task)
    assert sorted(sent.values_list("kind", flat=True)) == [NotificationKind.ESCALATION,
                                                           NotificationKind.REMINDER]
    reminder = sent.get(kind=NotificationKind.REMINDER)
    assert [r["username"] for r in reminder.recipients] == ["health_lead"]
    assert "All children are active and eat healthily" in reminder.subject
    assert "Annual review 2017 of Children and Young People's Plan" in reminder.subject
    assert "Review: Annual review 2017" in reminder.body
    escalation = sent.get(kind=NotificationKind.ESCALATION)
    assert {r["username"] for r in escalation.recipients} == {"health_lead", "lead"}
    assert escalation.subject.startswith("Overdue: the progress report on")
    assert any(m.subject == reminder.subject for m in mail.outbox)
