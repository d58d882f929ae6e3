"""A review's external submission (e.g. a self-assessment to "DfES, 14 June"): the lead
officer sets the recipient and the deadline, which starts ExternalSubmissionFlow (its one
task is due on the deadline, so it is reminded and escalated like any task), and records it
as submitted, with the date and what was sent. It may be submitted before the executive
approves the review: nothing here waits for a stage beyond "not published nor withdrawn"."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.contrib.contenttypes.models import ContentType
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS

from documents.models import ExternalSubmission, Review, ReviewStage
from governance.audit import audit_record
from plangov import clock, text
from plangov.errors import Conflict, InvalidInput, WrongStage
from plangov.txn import service

from ..models import TaskInfo, TaskKind
from ..routing import OPEN
from .lifecycle import ReviewLifecycle
from .routing import lock_review, review_task_complete
from .scrutiny import MAX_TEXT, may_lead, review_snapshot, sha256_of

CLOSED_STAGES = (ReviewStage.PUBLISHED, ReviewStage.WITHDRAWN)
MAX_FILE_BYTES = 100 * 1024 * 1024


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _open(review: Review, action: str, closed: tuple[str, ...] = CLOSED_STAGES) -> None:
    if review.stage in closed:
        raise WrongStage(
            action=action, stage=review.stage, stage_label=review.get_stage_display(),
            possible=ReviewLifecycle(review).possible_actions(),
            detail=(f"An external submission is set until the review is published, and "
                    f"recorded until it is withdrawn; this review is "
                    f"{review.get_stage_display().lower()}."),
        )


def _a_date(value: Any, field: str, what: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidInput({field: [f"Give {what} as a date."]})
    return value


def _snapshot(submission: ExternalSubmission | None) -> dict[str, Any]:
    if submission is None:
        return {}
    return {"recipient_sha256": sha256_of(submission.recipient),
            "deadline": submission.deadline, "submitted_on": submission.submitted_on}


def submission_process(review: Review) -> Process | None:
    from .external_flow import ExternalSubmissionFlow

    return Process.objects.filter(
        flow_class=ExternalSubmissionFlow,
        artifact_content_type=ContentType.objects.get_for_model(Review),
        artifact_object_id=review.pk, status=PROCESS.NEW,
    ).order_by("-pk").first()


@service
def external_submission_set(*, review: Review, recipient: str, deadline: datetime.date,
                            actor: Any) -> ExternalSubmission:
    """Set (or change) to whom the review goes and by when. The first setting starts the
    submission's process; a changed deadline moves its task's due date, so it is reminded
    and escalated afresh for the new date."""
    review = lock_review(review.pk)
    may_lead(review, actor)
    _open(review, "external_submission_set")
    recipient = text.field_name(recipient if isinstance(recipient, str) else "", "recipient",
                                max_length=200, what="The recipient")
    deadline = _a_date(deadline, "deadline", "the deadline")
    submission = ExternalSubmission.objects.select_for_update().filter(review=review).first()
    if submission is not None and submission.submitted_on is not None:
        raise Conflict(f"The review was already submitted to {submission.recipient} on "
                       f"{_day(submission.submitted_on)}; the submission cannot be changed.")
    changes_deadline = submission is None or submission.deadline != deadline
    if changes_deadline and deadline < clock.today():
        raise InvalidInput({"deadline": ["The deadline cannot be in the past."]})
    if submission is not None and (submission.recipient, submission.deadline) == (
            recipient, deadline):
        return submission
    before = {**review_snapshot(review), **_snapshot(submission)}
    if submission is None:
        submission = ExternalSubmission.objects.create(review=review, recipient=recipient,
                                                       deadline=deadline)
    else:
        submission.recipient, submission.deadline = recipient, deadline
        if changes_deadline:
            submission.escalated_at = None
        submission.save(update_fields=["recipient", "deadline", "escalated_at"])
    if submission_process(review) is None:
        from .external_flow import ExternalSubmissionFlow

        ExternalSubmissionFlow.start.run(review=review)
    else:
        TaskInfo.objects.filter(review=review, kind=TaskKind.EXTERNAL_SUBMISSION,
                                task__status__in=OPEN).update(due_on=deadline)
    audit_record(actor=actor, action="review.external_submission_set", obj=submission,
                 plan_id=review.plan_id, before=before,
                 after={**review_snapshot(review), **_snapshot(submission)})
    return submission


def file_sha256(file: Any) -> tuple[str, int]:
    """The SHA-256 and size of an uploaded file (a Django UploadedFile, a file object or
    bytes), read in chunks."""
    digest = hashlib.sha256()
    size = 0
    if isinstance(file, bytes | bytearray):
        digest.update(file)
        return digest.hexdigest(), len(file)
    chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b"")
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise InvalidInput({"file": [f"Keep the file under {MAX_FILE_BYTES // 2**20} MB."]})
        digest.update(chunk)
    return digest.hexdigest(), size


@service
def external_submission_record(*, review: Review, submitted_on: datetime.date,
                               what_was_sent: str, actor: Any,
                               file: Any = None) -> ExternalSubmission:
    """Record that the review went to its recipient on ``submitted_on`` and what was sent
    (the SHA-256 of the file sent, when one is given; the file itself is not kept). Done at
    any stage but withdrawn: before the executive approves the review, and also after its
    publication when it was late. The submission's task is done."""
    review = lock_review(review.pk)
    may_lead(review, actor)
    # A submission still owed when the review is published may be recorded late: its task
    # stays open (escalated once) until it is.
    _open(review, "external_submission_record", (ReviewStage.WITHDRAWN,))
    submission = ExternalSubmission.objects.select_for_update().filter(review=review).first()
    if submission is None:
        raise Conflict("No external submission is set for this review; set its recipient and "
                       "deadline first.")
    if submission.submitted_on is not None:
        raise Conflict(f"The review was already recorded as submitted to "
                       f"{submission.recipient} on {_day(submission.submitted_on)}.")
    errors: dict[str, list[str]] = {}
    submitted_on = _a_date(submitted_on, "submitted_on", "the day it was submitted")
    if submitted_on > clock.today():
        errors["submitted_on"] = ["A submission cannot be dated in the future."]
    elif submitted_on < review.started_on:
        errors["submitted_on"] = [f"The review started on {_day(review.started_on)}; it "
                                  f"cannot have been submitted before."]
    if not isinstance(what_was_sent, str):
        what_was_sent = ""
    try:
        what_was_sent = text.field_text(what_was_sent, "what_was_sent").strip()
    except InvalidInput as exc:
        errors.update(exc.errors)
        what_was_sent = ""
    else:
        if not what_was_sent:
            errors["what_was_sent"] = ["Say what was sent (for example, \"the self-assessment "
                                       "and the draft review\")."]
        elif len(what_was_sent) > MAX_TEXT:
            errors["what_was_sent"] = [f"Keep this under {MAX_TEXT:,} characters."]
    digest, size = "", 0
    if file is not None:
        try:
            digest, size = file_sha256(file)
        except InvalidInput as exc:
            errors.update(exc.errors)
        else:
            if size == 0:
                errors["file"] = ["The file is empty."]
    if errors:
        raise InvalidInput(errors)
    before = {**review_snapshot(review), **_snapshot(submission)}
    submission.submitted_on, submission.what_was_sent = submitted_on, what_was_sent
    submission.sent_sha256 = digest
    submission.recorded_by, submission.recorded_at = actor, clock.now()
    submission.save(update_fields=["submitted_on", "what_was_sent", "sent_sha256",
                                   "recorded_by", "recorded_at"])
    review_task_complete(review=review, kind=TaskKind.EXTERNAL_SUBMISSION, actor=actor)
    audit_record(
        actor=actor, action="review.external_submission_record", obj=submission,
        plan_id=review.plan_id, before=before,
        after={**review_snapshot(review), **_snapshot(submission),
               "what_was_sent_sha256": sha256_of(what_was_sent), "file_sha256": digest,
               "late": submitted_on > submission.deadline},
    )
    return submission


def on_review_withdrawn(review: Review) -> None:
    """A withdrawn review owes no submission: its process (and open task) is cancelled, so
    it is neither reminded nor escalated. Called inside the withdrawal's transaction."""
    from .external_flow import ExternalSubmissionFlow

    process = submission_process(review)
    if process is not None:
        ExternalSubmissionFlow.instance.cancel(process)
