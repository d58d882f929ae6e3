"""A review's external submission: a deadline with reminders and one escalation, like any
task; recorded as submitted with the date and what was sent, also before the executive has
approved the review; a missed deadline is escalated once and the task stays open."""

from __future__ import annotations

import datetime
import io

import pytest
from viewflow.workflow.status import STATUS

from documents.models import ExternalSubmission, ReviewStage
from governance.models import AuditEvent, Role
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput, WrongStage
from tests.factories import MembershipFactory, UserFactory
from workflows import deadlines
from workflows.inbox import View, inbox
from workflows.models import Notification, NotificationKind, TaskKind
from workflows.reviews.external import external_submission_record, external_submission_set
from workflows.reviews.routing import open_review_task

from .records_helpers import make_review

DEADLINE = datetime.date(2016, 8, 12)  # a Friday, four weeks after the frozen 14 July 2016


def lead_deputy(world):  # type: ignore[no-untyped-def]
    deputy = UserFactory(username="lead_deputy")
    world.board.memberships.filter(role=Role.LEAD_OFFICER, user=world.lead).update(
        deputy=deputy)
    return deputy


def test_setting_it_starts_a_task_due_on_the_deadline_for_the_lead_officer(world,
                                                                            frozen_clock):
    deputy = lead_deputy(world)
    review = make_review(world, stage=ReviewStage.DRAFTING)
    submission = external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                                         actor=world.lead)
    assert (submission.recipient, submission.deadline) == ("DfES", DEADLINE)
    task = open_review_task(review, TaskKind.EXTERNAL_SUBMISSION)
    assert task is not None and task.status == STATUS.NEW
    assert task.info.due_on == DEADLINE and task.info.body is None
    for who in (world.lead, deputy):
        assert list(inbox(who, view=View.QUEUE)) == [task]
    assert not inbox(world.board_secretary, view=View.QUEUE).exists()
    # A new deadline moves the task's due date; nothing else starts.
    later = DEADLINE + datetime.timedelta(days=7)
    external_submission_set(review=review, recipient="DfES", deadline=later, actor=deputy)
    task.info.refresh_from_db()
    assert task.info.due_on == later
    assert open_review_task(review, TaskKind.EXTERNAL_SUBMISSION).pk == task.pk
    assert AuditEvent.objects.filter(action="review.external_submission_set").count() == 2
    assert "DfES" not in str(AuditEvent.objects.filter(
        action="review.external_submission_set").values_list("after", flat=True))


def test_only_the_lead_sets_it_with_a_recipient_and_a_date_before_publication(world,
                                                                               frozen_clock):
    review = make_review(world, stage=ReviewStage.DRAFTING)
    for who in (world.scrutiny_secretary, world.board_secretary, world.outsider):
        with pytest.raises(Forbidden):
            external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                                    actor=who)
    for kwargs, field in (({"recipient": ""}, "recipient"),
                          ({"recipient": "Df\x00ES"}, "recipient"),
                          ({"deadline": "2016-08-12"}, "deadline"),
                          ({"deadline": datetime.date(2016, 7, 1)}, "deadline")):
        params = {"recipient": "DfES", "deadline": DEADLINE, **kwargs}
        with pytest.raises(InvalidInput) as bad:
            external_submission_set(review=review, actor=world.lead, **params)
        assert field in bad.value.errors
    published = make_review(world, stage=ReviewStage.PUBLISHED, plan=review.plan,
                            year=2015)
    with pytest.raises(WrongStage):
        external_submission_set(review=published, recipient="DfES", deadline=DEADLINE,
                                actor=world.lead)
    assert not ExternalSubmission.objects.exists()


def test_it_is_submitted_before_the_executive_approves(world, frozen_clock):
    review = make_review(world, stage=ReviewStage.DRAFTING)
    external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                            actor=world.lead)
    with pytest.raises(Forbidden):
        external_submission_record(review=review, submitted_on=clock.today(),
                                   what_was_sent="x", actor=world.executive_member)
    review.stage = ReviewStage.EXECUTIVE  # the board approved; the executive meets later
    review.save(update_fields=["stage"])
    frozen_clock.set(datetime.date(2016, 8, 10))
    with pytest.raises(InvalidInput) as bad:
        external_submission_record(review=review, submitted_on=datetime.date(2016, 8, 11),
                                   what_was_sent="", actor=world.lead)
    assert set(bad.value.errors) == {"submitted_on", "what_was_sent"}
    sent = b"%PDF-1.7 the self-assessment"
    submission = external_submission_record(
        review=review, submitted_on=datetime.date(2016, 8, 9),
        what_was_sent="The self-assessment and the draft review.", actor=world.lead,
        file=io.BytesIO(sent))
    import hashlib

    assert submission.submitted_on == datetime.date(2016, 8, 9)
    assert submission.sent_sha256 == hashlib.sha256(sent).hexdigest()
    review.refresh_from_db()
    assert review.stage == ReviewStage.EXECUTIVE  # untouched: the executive still decides
    assert open_review_task(review, TaskKind.EXTERNAL_SUBMISSION) is None
    task = review.tasks.get(kind=TaskKind.EXTERNAL_SUBMISSION).task
    assert task.status == STATUS.DONE and task.owner == world.lead
    event = AuditEvent.objects.get(action="review.external_submission_record")
    assert event.after["file_sha256"] == submission.sent_sha256 and not event.after["late"]
    assert "self-assessment" not in str(event.after)
    with pytest.raises(Conflict):
        external_submission_record(review=review, submitted_on=clock.today(),
                                   what_was_sent="Again", actor=world.lead)
    with pytest.raises(Conflict):
        external_submission_set(review=review, recipient="DfE", deadline=DEADLINE,
                                actor=world.lead)


def test_recording_needs_a_submission_set_first(world, frozen_clock):
    review = make_review(world, stage=ReviewStage.DRAFTING)
    with pytest.raises(Conflict, match="set its recipient"):
        external_submission_record(review=review, submitted_on=clock.today(),
                                   what_was_sent="x", actor=world.lead)


def test_a_missed_deadline_is_reminded_then_escalated_once_and_the_task_stays_open(
        world, frozen_clock):
    deputy = lead_deputy(world)
    review = make_review(world, stage=ReviewStage.SCRUTINY)
    external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                            actor=world.lead)
    task = open_review_task(review, TaskKind.EXTERNAL_SUBMISSION)

    def scan(day: datetime.date) -> None:
        frozen_clock.set(day)
        deadlines.deadlines_scan()

    scan(DEADLINE - datetime.timedelta(days=14))
    assert not Notification.objects.filter(task=task).exists()
    scan(DEADLINE - datetime.timedelta(days=1))  # two working days before: the reminder
    reminder = Notification.objects.get(task=task, kind=NotificationKind.REMINDER)
    assert {r["username"] for r in reminder.recipients} == {"lead", "lead_deputy"}
    assert "the external submission of the Annual review 2016" in reminder.subject
    for day in (DEADLINE + datetime.timedelta(days=1), DEADLINE + datetime.timedelta(days=3),
                DEADLINE + datetime.timedelta(days=40)):
        scan(day)
    escalations = Notification.objects.filter(task=task, kind=NotificationKind.ESCALATION)
    assert escalations.count() == 1
    escalation = escalations.get()
    assert {r["username"] for r in escalation.recipients} == {
        "lead", "lead_deputy", "board_chair"}
    assert escalation.subject.startswith("Overdue: the external submission")
    assert "To be submitted to: DfES" in escalation.body
    submission = ExternalSubmission.objects.get(review=review)
    assert submission.escalated_at is not None
    first = submission.escalated_at
    scan(DEADLINE + datetime.timedelta(days=41))
    submission.refresh_from_db()
    assert submission.escalated_at == first
    # Never dropped: still open, in the lead's and the deputy's queue, overdue.
    task.refresh_from_db()
    assert task.status == STATUS.NEW
    for who in (world.lead, deputy):
        assert list(inbox(who, view=View.QUEUE, overdue=True)) == [task]
    # Recorded late, it closes, and the record says it was late.
    external_submission_record(review=review, submitted_on=clock.today(),
                               what_was_sent="The self-assessment.", actor=deputy)
    assert AuditEvent.objects.get(action="review.external_submission_record").after["late"]
    assert open_review_task(review, TaskKind.EXTERNAL_SUBMISSION) is None


def test_a_chair_of_another_body_is_not_told(world, frozen_clock):
    other_chair = UserFactory(username="exec_chair")
    MembershipFactory(user=other_chair, body=world.executive, role=Role.CHAIR)
    review = make_review(world, stage=ReviewStage.DRAFTING)
    external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                            actor=world.lead)
    frozen_clock.set(DEADLINE + datetime.timedelta(days=2))
    deadlines.deadlines_scan()
    escalation = Notification.objects.get(kind=NotificationKind.ESCALATION)
    assert "exec_chair" not in {r["username"] for r in escalation.recipients}


def test_withdrawing_the_review_cancels_its_submission_task(world, frozen_clock):
    from workflows.reviews.services import review_fire

    review = make_review(world, stage=ReviewStage.DRAFTING)
    external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                            actor=world.lead)
    task = open_review_task(review, TaskKind.EXTERNAL_SUBMISSION)
    review_fire(review=review, action="withdraw", actor=world.lead, reason="Merged.")
    task.refresh_from_db()
    assert task.status == STATUS.CANCELED
    frozen_clock.set(DEADLINE + datetime.timedelta(days=5))
    deadlines.deadlines_scan()
    assert not Notification.objects.filter(task=task).exists()
    with pytest.raises(WrongStage):
        external_submission_record(review=review, submitted_on=clock.today(),
                                   what_was_sent="x", actor=world.lead)


def test_a_submission_still_owed_at_publication_is_recorded_late(world, frozen_clock):
    review = make_review(world, stage=ReviewStage.APPROVED)
    external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                            actor=world.lead)
    review.stage = ReviewStage.PUBLISHED
    review.save(update_fields=["stage"])
    with pytest.raises(WrongStage):
        external_submission_set(review=review, recipient="DfES", deadline=DEADLINE,
                                actor=world.lead)
    frozen_clock.set(DEADLINE + datetime.timedelta(days=3))
    submission = external_submission_record(review=review, submitted_on=clock.today(),
                                            what_was_sent="The published review.",
                                            actor=world.lead)
    assert submission.submitted_on == clock.today()
    assert open_review_task(review, TaskKind.EXTERNAL_SUBMISSION) is None
