"""The scrutiny committee's feedback on an annual review: recorded by its secretary (or their
deputy) with the meeting it was agreed at, answered point by point by the lead officer, and
recorded as incorporated. The lifecycle's ``scrutiny_answered`` guard reads what these
services write before the lead officer may submit the review to the board.

Each service: lock (plan, then review), the person (403), the stage (409), the input (400),
the change, the review process's task, and exactly one audit event with hashes in place of
the text."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.utils import timezone

from documents.models import FeedbackPoint, Review, ReviewStage, ScrutinyFeedback
from governance import policy
from governance.audit import audit_record
from governance.models import Body
from plangov import clock, text
from plangov.errors import Conflict, Forbidden, GuardFailed, InvalidInput, WrongStage
from plangov.txn import service

from ..models import TaskKind
from ..routing import scrutiny_body
from .lifecycle import ReviewLifecycle
from .routing import active_process, lock_review, open_review_task, review_task_complete

MAX_POINTS = 100
MAX_TEXT = 20000


def sha256_of(value: Any) -> str:
    """A hash of text (or a list of texts) for the audit record; the words stay out of it."""
    canonical = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def review_snapshot(review: Review) -> dict[str, Any]:
    return {"review": review.pk, "stage": review.stage,
            "feedback_incorporated": review.feedback_incorporated}


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def in_stage(review: Review, stage: str, action: str, detail: str) -> None:
    if review.stage != stage:
        raise WrongStage(action=action, stage=review.stage,
                         stage_label=review.get_stage_display(),
                         possible=ReviewLifecycle(review).possible_actions(), detail=detail)


def may_lead(review: Review, actor: Any) -> None:
    verdict = policy.can_lead(review.plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)


def the_scrutiny_body(review: Review) -> Body:
    body = scrutiny_body(review.plan)
    if body is None:
        raise GuardFailed(f"{review.plan.partnership.name} has no scrutiny committee to give "
                          "feedback on the review.")
    return body


def may_record_feedback(review: Review, actor: Any) -> Body:
    """Only the scrutiny committee's secretary or their deputy (never any other member, nor
    its chair) records its feedback. Raises Forbidden (or GuardFailed with no committee)."""
    body = the_scrutiny_body(review)
    verdict = policy.can_record_for(body, actor)
    if not verdict:
        raise Forbidden(f"Only the secretary of {body.name} or their deputy can record its "
                        "feedback on the review.")
    return body


def sent_to_scrutiny_on(review: Review) -> datetime.date | None:
    """The day the review went to scrutiny (the stage it is in), in the council's time zone."""
    if review.stage != ReviewStage.SCRUTINY or review.stage_changed_at is None:
        return None
    return timezone.localdate(review.stage_changed_at)


def already_recorded(review: Review) -> bool:
    """Feedback was recorded on this visit to scrutiny: the review process's feedback task is
    done (none is open); for a review with no process, feedback recorded since it went to
    scrutiny."""
    if active_process(review) is not None:
        return open_review_task(review, TaskKind.SCRUTINY_FEEDBACK) is None
    already = ScrutinyFeedback.objects.filter(review=review)
    if review.stage_changed_at is not None:
        already = already.filter(recorded_at__gte=review.stage_changed_at)
    return already.exists()


def clean_points(points: list[str] | str) -> tuple[list[str], dict[str, list[str]]]:
    """The points through the text policy, trimmed, blanks dropped; one per line when given
    as one text. Errors are named ``points[i]`` by the point's place in the input."""
    if isinstance(points, str):
        points = points.splitlines()
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, point in enumerate(points or []):
        if not isinstance(point, str):
            errors[f"points[{index}]"] = ["Each point is text."]
            continue
        try:
            point = text.clean_text(point).strip()
        except text.TextRefused as exc:
            errors[f"points[{index}]"] = [exc.message]
            continue
        if len(point) > MAX_TEXT:
            errors[f"points[{index}]"] = [f"Keep each point under {MAX_TEXT:,} characters."]
        elif point:
            cleaned.append(point)
    if not cleaned and not errors:
        errors["points"] = ["Give at least one point of the committee's feedback."]
    elif len(cleaned) > MAX_POINTS:
        errors["points"] = [f"Give at most {MAX_POINTS} points."]
    return cleaned, errors


def _long_text(value: str, field: str, *, required: bool, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput({field: [f"{what} is text."]})
    value = text.field_text(value, field).strip()
    if required and not value:
        raise InvalidInput({field: [f"{what} cannot be blank."]})
    if len(value) > MAX_TEXT:
        raise InvalidInput({field: [f"Keep this under {MAX_TEXT:,} characters."]})
    return value


@service
def scrutiny_feedback_record(
    *,
    review: Review,
    actor: Any,
    meeting_on: datetime.date,
    points: list[str] | str,
    summary: str = "",
    attendance: int | None = None,
) -> ScrutinyFeedback:
    """Record the scrutiny committee's feedback on the review, agreed at its meeting on
    ``meeting_on`` (a quorate meeting, recorded now if it is new), as numbered points. The
    committee's task is done; the lead officer answers each point next."""
    from ..decisions import meeting_checked

    review = lock_review(review.pk)
    body = may_record_feedback(review, actor)
    in_stage(review, ReviewStage.SCRUTINY, "scrutiny_feedback",
             f"The scrutiny committee's feedback is recorded while the review is with it; the "
             f"review is in {review.get_stage_display().lower()}.")
    sent_on = sent_to_scrutiny_on(review)
    if already_recorded(review):
        raise Conflict("The scrutiny committee's feedback on this review is already recorded; "
                       "the lead officer answers it point by point.")
    errors: dict[str, list[str]] = {}
    if not isinstance(meeting_on, datetime.date) or isinstance(meeting_on, datetime.datetime):
        raise InvalidInput({"meeting_on": ["Give the date of the committee's meeting."]})
    if meeting_on > clock.today():
        errors["meeting_on"] = ["The meeting cannot be dated in the future."]
    elif sent_on is not None and meeting_on < sent_on:
        errors["meeting_on"] = [f"The review was sent to scrutiny on {_day(sent_on)}; the "
                                f"committee's feedback cannot come from a meeting before it."]
    cleaned, point_errors = clean_points(points)
    errors.update(point_errors)
    try:
        summary = _long_text(summary, "summary", required=False, what="The summary")
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    meeting, meeting_errors = meeting_checked(body, meeting_on, attendance, 0,
                                              quorum_needed_to="agree feedback on the review")
    if meeting_errors:
        raise InvalidInput(meeting_errors)
    before = review_snapshot(review)
    feedback = ScrutinyFeedback.objects.create(
        review=review, body=body, meeting=meeting, meeting_on=meeting_on, summary=summary,
        recorded_by=actor, recorded_at=clock.now(),
    )
    FeedbackPoint.objects.bulk_create([
        FeedbackPoint(feedback=feedback, number=n, text=point)
        for n, point in enumerate(cleaned, start=1)
    ])
    if review.feedback_incorporated:  # new feedback: the earlier confirmation no longer holds
        review.feedback_incorporated = False
        review.feedback_incorporated_note = ""
        review.save(update_fields=["feedback_incorporated", "feedback_incorporated_note",
                                   "updated_at"])
    review_task_complete(review=review, kind=TaskKind.SCRUTINY_FEEDBACK, actor=actor)
    audit_record(
        actor=actor, action="review.scrutiny_feedback", obj=feedback,
        plan_id=review.plan_id, before=before,
        after={**review_snapshot(review), "body": body.slug, "meeting_on": meeting_on,
               "points": len(cleaned), "points_sha256": sha256_of(cleaned),
               "summary_sha256": sha256_of(summary)},
    )
    return feedback


@service
def feedback_point_answer(*, point: FeedbackPoint, response: str, actor: Any) -> FeedbackPoint:
    """The lead officer's (or deputy's) answer to one point of scrutiny's feedback. Changing
    an answer after the feedback was recorded as incorporated withdraws that confirmation."""
    feedback = ScrutinyFeedback.objects.filter(pk=point.feedback_id).values(
        "review_id").first()
    if feedback is None:
        raise InvalidInput({"point": ["No such point of feedback."]})
    review = lock_review(feedback["review_id"])
    may_lead(review, actor)
    in_stage(review, ReviewStage.SCRUTINY, "feedback_answer",
             f"Scrutiny's feedback is answered while the review is with scrutiny; it is in "
             f"{review.get_stage_display().lower()}.")
    point = FeedbackPoint.objects.select_for_update().get(pk=point.pk)
    response = _long_text(response, "response", required=True, what="The response")
    if response == point.response:
        return point
    before = {**review_snapshot(review), "point": point.number,
              "response_sha256": sha256_of(point.response)}
    point.response, point.responded_by, point.responded_at = response, actor, clock.now()
    point.save(update_fields=["response", "responded_by", "responded_at"])
    if review.feedback_incorporated:
        review.feedback_incorporated = False
        review.save(update_fields=["feedback_incorporated", "updated_at"])
    audit_record(
        actor=actor, action="review.feedback_answer", obj=point, plan_id=review.plan_id,
        before=before,
        after={**review_snapshot(review), "point": point.number,
               "response_sha256": sha256_of(response)},
    )
    return point


def unanswered_points(review: Review) -> list[int]:
    return list(
        FeedbackPoint.objects.filter(feedback__review=review, response="")
        .order_by("feedback__meeting_on", "number").values_list("number", flat=True)
    )


@service
def review_feedback_incorporated(*, review: Review, note: str, actor: Any) -> Review:
    """The lead officer records that scrutiny's feedback was incorporated into the review
    (with a note saying how). Every point must be answered first."""
    review = lock_review(review.pk)
    may_lead(review, actor)
    in_stage(review, ReviewStage.SCRUTINY, "feedback_incorporated",
             f"Scrutiny's feedback is incorporated while the review is with scrutiny; it is in "
             f"{review.get_stage_display().lower()}.")
    if not ScrutinyFeedback.objects.filter(review=review).exists():
        raise GuardFailed("The scrutiny committee's feedback is not recorded yet.")
    unanswered = unanswered_points(review)
    if unanswered:
        which = ", ".join(str(n) for n in unanswered)
        raise GuardFailed(f"Answer every point of scrutiny's feedback first: point"
                          f"{'s' if len(unanswered) > 1 else ''} {which} "
                          f"{'are' if len(unanswered) > 1 else 'is'} not answered.")
    note = _long_text(note, "note", required=True, what="How the feedback was incorporated")
    before = review_snapshot(review)
    review.feedback_incorporated, review.feedback_incorporated_note = True, note
    review.save(update_fields=["feedback_incorporated", "feedback_incorporated_note",
                               "updated_at"])
    audit_record(actor=actor, action="review.feedback_incorporated", obj=review,
                 plan_id=review.plan_id, before=before,
                 after={**review_snapshot(review), "note_sha256": sha256_of(note)})
    return review
