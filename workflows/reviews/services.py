"""Services of a review's spine: start, progress reports, compile, the lead officer's moves,
and the end of a call-in period. Each is keyword-only, one transaction (@service), locks the
plan then the review (routing.lock_review), checks, and writes exactly one audit event. The
flow's contract (fire, save, then complete the task) is in workflows.reviews.flow.
"""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef
from django.db.models.functions import ExtractYear
from django.utils import timezone

from documents.models import Plan, ProgressReport, Review, ReviewKind, ReviewStage, Stage
from documents.monitoring.leads import priority_leads
from documents.monitoring.scorecard import scorecard_as_data, scorecard_build
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from governance.consultation.common import sha256_of
from governance.models import ConsultationRound
from plangov import clock
from plangov.errors import Conflict, Forbidden, GuardFailed, InvalidInput
from plangov.text import field_text
from plangov.txn import service

from ..models import TaskKind
from . import routing
from .lifecycle import USER_ACTIONS, ReviewLifecycle

TEXT_FIELDS = ("strengths", "areas_for_development", "next_year_priorities",
               "consultation_heard")


def review_snapshot(review: Review) -> dict[str, Any]:
    """What the audit keeps of a review: no free text, only its hashes."""
    return {
        "plan": review.plan_id, "kind": review.kind, "year": review.year,
        "stage": review.stage, "version": review.version_id,
        "covers_from": review.covers_from, "covers_to": review.covers_to,
        "compiled_at": review.compiled_at, "changes_priorities": review.changes_priorities,
        **{f"{name}_sha256": sha256_of(getattr(review, name)) for name in TEXT_FIELDS},
    }


def _past_date(value: datetime.date | None, field: str, *,
               not_before: datetime.date | None = None, what: str = "") -> datetime.date:
    today = clock.today()
    if value is None:
        return today
    if value > today:
        raise InvalidInput({field: ["This date is in the future; record it on the day or "
                                    "after."]})
    if not_before is not None and value < not_before:
        raise InvalidInput({field: [f"This date is before {what} ({not_before:%d %B %Y})."]})
    return value


def _adopted_on(plan: Plan) -> datetime.date:
    if plan.adopted_on is not None:
        return plan.adopted_on
    if plan.adopted_at is not None:
        return timezone.localdate(plan.adopted_at)
    return plan.period_start


# Starting a review.


@service
def review_start(
    *,
    plan: Plan,
    actor: Any,
    kind: str = ReviewKind.ANNUAL,
    year: int | None = None,
    started_on: datetime.date | None = None,
    reason: str = "",
) -> Review:
    """Start a review of an adopted plan: the plan stays adopted. ``actor`` None is the beat
    scan (an annual review on the plan's review date); anyone else must lead the plan. One
    review of a kind per plan and year, unless withdrawn (409). Starting an annual review
    moves the plan's review date on a year."""
    plan = lock_plan(plan.pk)
    if actor is not None:
        verdict = policy.can_lead(plan, actor)
        if not verdict:
            raise Forbidden(verdict.reason)
    if kind not in ReviewKind.values:
        raise InvalidInput({"kind": [f"Choose one of: {', '.join(ReviewKind.values)}."]})
    if plan.stage != Stage.ADOPTED or plan.adopted_version_id is None:
        raise GuardFailed(f"Only an adopted plan is reviewed; '{plan.title}' is "
                          f"{plan.get_stage_display().lower()}.")
    adopted_on = _adopted_on(plan)
    started_on = _past_date(started_on, "started_on", not_before=adopted_on,
                            what="the plan's adoption")
    year = started_on.year if year is None else year
    if not isinstance(year, int) or not adopted_on.year <= year <= started_on.year + 1:
        raise InvalidInput({"year": [f"Give a year from {adopted_on.year} to "
                                     f"{started_on.year + 1}."]})
    reason = field_text(reason, "reason")
    label = ReviewKind(kind).label
    if Review.objects.filter(plan=plan, kind=kind, year=year).exclude(
            stage=ReviewStage.WITHDRAWN).exists():
        raise Conflict(f"'{plan.title}' already has a {label.lower()} for {year}; withdraw it "
                       "first to start another.")
    previous = (
        Review.objects.filter(plan=plan, kind=kind, covers_to__lt=started_on)
        .exclude(stage=ReviewStage.WITHDRAWN).order_by("-covers_to").first()
    )
    covers_from = previous.covers_to + datetime.timedelta(days=1) if previous else adopted_on
    covers_from = min(covers_from, started_on)
    now = clock.now()
    review = Review.objects.create(
        plan=plan, kind=kind, year=year, title=f"{label} {year} of {plan.title}"[:250],
        version_id=plan.adopted_version_id, started_on=started_on, started_at=now,
        started_by=actor, covers_from=covers_from, covers_to=started_on,
        stage_changed_at=now,
    )
    review.plan = plan
    due_on = routing.progress_report_due(review)
    ProgressReport.objects.bulk_create([
        ProgressReport(review=review, outcome_key=p["outcome_key"],
                       priority_key=p["priority_key"], priority_title=p["title"][:500],
                       lead=p["lead"], due_on=due_on)
        for p in priority_leads(plan, plan.adopted_version)
    ])
    plan_after: dict[str, Any] = {}
    if kind == ReviewKind.ANNUAL and plan.review_date and plan.review_date.year <= year:
        plan.review_date = plan.review_date + relativedelta(years=1)
        plan.save(update_fields=["review_date", "updated_at"])
        plan_after = {"plan_review_date": plan.review_date}
    from .flow import AnnualReviewFlow

    AnnualReviewFlow.start.run(review=review)
    audit_record(actor=actor, action="review.start", obj=review, plan_id=plan.pk,
                 before={}, after={**review_snapshot(review), **plan_after,
                                   "progress_reports": review.progress_reports.count()},
                 reason=reason)
    return review


def review_dates_due(today: datetime.date | None = None, *,
                     plan_id: int | None = None) -> list[int]:
    """Ids of adopted plans whose review date has come (by the calendar date) and that have
    no annual review for that date's year (one withdrawn counts: the beat never restarts a
    review its lead officer withdrew; they can start one again by hand)."""
    today = today or clock.today()
    reviewed = Review.objects.filter(plan_id=OuterRef("pk"), kind=ReviewKind.ANNUAL,
                                     year=ExtractYear(OuterRef("review_date")))
    plans = Plan.objects.filter(stage=Stage.ADOPTED, adopted_version__isnull=False,
                                review_date__lte=today)
    if plan_id is not None:
        plans = plans.filter(pk=plan_id)
    return list(plans.exclude(Exists(reviewed)).order_by("pk").values_list("pk", flat=True))


@service
def review_start_due(*, plan_id: int) -> Review | None:
    """The beat: start the annual review of a plan whose review date has come, once. The
    check runs under the plan's lock, and the unique constraint backs it: run twice (or by
    two workers racing), one review starts."""
    if not Plan.objects.filter(pk=plan_id).exists():
        return None
    plan = lock_plan(plan_id)
    if not review_dates_due(plan_id=plan_id):
        return None
    try:
        return review_start(plan=plan, actor=None, year=plan.review_date.year,
                            reason="The plan's review date has come.")
    except Conflict:
        return None  # started meanwhile by the lead officer


# Progress reports.


@service
def progress_report_submit(
    *, report: ProgressReport, text: str, actor: Any,
    submitted_on: datetime.date | None = None,
) -> ProgressReport:
    """A priority lead (or the lead officer) reports progress on a priority; completes that
    report's PROGRESS_REPORT task."""
    review = routing.lock_review(report.review_id)
    report = ProgressReport.objects.select_related("lead").get(pk=report.pk)
    if not (actor is not None and actor.pk == report.lead_id) and not policy.can_lead(
            review.plan, actor):
        raise Forbidden("Only the priority's lead or the plan's lead officer can report "
                        "progress on it.")
    if review.stage != ReviewStage.DRAFTING:
        raise Conflict(f"The review is in {review.get_stage_display().lower()}: progress "
                       "reports are taken while it is drafted.")
    if report.submitted_at is not None:
        raise Conflict(f"Progress on '{report.priority_title}' was reported on "
                       f"{report.submitted_on:%d %B %Y}.")
    text = field_text(text or "", "text").strip()
    if not text:
        raise InvalidInput({"text": ["Say what progress was made on this priority."]})
    submitted_on = _past_date(submitted_on, "submitted_on", not_before=review.started_on,
                              what="the review started")
    report.text, report.submitted_on = text, submitted_on
    report.submitted_at, report.submitted_by = clock.now(), actor
    report.save()
    task = routing.report_task(report)
    if task is not None:
        routing.complete_review_task(task, actor)
    audit_record(actor=actor, action="review.progress_report", obj=report,
                 plan_id=review.plan_id, before={"submitted_on": None},
                 after={"review": review.pk, "priority": report.priority_key,
                        "outcome": report.outcome_key, "submitted_on": submitted_on,
                        "text_sha256": sha256_of(text)})
    return report


# Compiling.


def consultation_heard_default(review: Review) -> str:
    """What the plan's consultation rounds heard: each round closed during the period the
    review covers whose summary is published, with its introduction and "you said, we did"."""
    rounds = (
        ConsultationRound.objects.filter(
            plan_id=review.plan_id, closed_on__gte=review.covers_from,
            closed_on__lte=review.covers_to, summary_published_at__isnull=False,
        ).prefetch_related("statements").order_by("closed_on", "number")
    )
    parts = []
    for round in rounds:
        lines = [f"{round.title} (closed {round.closed_on:%d %B %Y})"]
        if round.summary_introduction.strip():
            lines.append(round.summary_introduction.strip())
        for statement in round.statements.all():
            did = statement.we_did.strip() or statement.no_change_reason.strip()
            lines.append(f"You said: {statement.you_said.strip()}"
                         + (f" We did: {did}" if did else ""))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


@service
def review_compile(
    *,
    review: Review,
    actor: Any,
    strengths: str,
    areas_for_development: str,
    next_year_priorities: str,
    consultation_heard: str | None = None,
    changes_priorities: bool = False,
) -> Review:
    """The lead officer compiles (or recompiles) the review while it is drafted: its text,
    and the indicator trends as they stand now, fixed in ``review.trends``. An empty
    ``consultation_heard`` takes what the plan's consultation rounds heard in the period."""
    review = routing.lock_review(review.pk)
    verdict = policy.can_lead(review.plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if review.stage != ReviewStage.DRAFTING:
        raise Conflict(f"The review is in {review.get_stage_display().lower()}; it is "
                       "compiled while it is drafted (a referral back reopens it).")
    values = {"strengths": strengths, "areas_for_development": areas_for_development,
              "next_year_priorities": next_year_priorities,
              "consultation_heard": consultation_heard or ""}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            values[name] = field_text(value or "", name).strip()
        except InvalidInput as exc:
            errors.update(exc.errors)
    for name in ("strengths", "areas_for_development", "next_year_priorities"):
        if name not in errors and not values[name]:
            errors[name] = [f"Enter the review's {Review._meta.get_field(name).verbose_name}."]
    if errors:
        raise InvalidInput(errors)
    before = review_snapshot(review)
    if not values["consultation_heard"]:
        values["consultation_heard"] = consultation_heard_default(review)
    for name, value in values.items():
        setattr(review, name, value)
    review.changes_priorities = bool(changes_priorities)
    review.trends = scorecard_as_data(scorecard_build(review.plan))
    review.compiled_at = clock.now()
    review.save()
    audit_record(actor=actor, action="review.compile", obj=review, plan_id=review.plan_id,
                 before=before, after={**review_snapshot(review),
                                       "trends_sha256": sha256_of(review.trends)})
    return review


# The lead officer's moves.


def _reports_outstanding(review: Review) -> None:
    missing = list(review.progress_reports.filter(submitted_at__isnull=True)
                   .values_list("priority_title", flat=True))
    if missing:
        raise GuardFailed("Progress is not reported yet on: " + "; ".join(missing)
                          + ". The lead officer can report it on a lead's behalf.")


@service
def review_fire(*, review: Review, action: str, actor: Any, reason: str = "") -> Review:
    """send_to_scrutiny, submit_to_board or withdraw, by the lead officer (or deputy).
    Sending on completes the lead officer's open task; withdrawing cancels the process and
    leaves the plan as it was."""
    if action not in USER_ACTIONS:
        raise InvalidInput({"action": [f"Choose one of: {', '.join(USER_ACTIONS)}."]})
    reason = field_text(reason or "", "reason")
    review = routing.lock_review(review.pk)
    lifecycle = ReviewLifecycle(review)
    lifecycle.check(action, actor)
    if action in ("send_to_scrutiny", "submit_to_board"):
        _reports_outstanding(review)
    if action == "send_to_scrutiny" and routing.scrutiny_body(review.plan) is None:
        raise GuardFailed("The partnership has no scrutiny committee to send the review to.")
    before = review_snapshot(review)
    lifecycle.fire(action, actor, **({"reason": reason} if action == "withdraw" else {}))
    review.save()
    if action == "withdraw":
        routing.on_review_withdrawn(review)
    elif routing.open_review_task(review, TaskKind.COMPILE_REVIEW) is not None:
        routing.review_task_complete(review=review, kind=TaskKind.COMPILE_REVIEW, actor=actor)
    else:
        routing.review_task_complete(review=review, kind=TaskKind.SCRUTINY_FEEDBACK,
                                     actor=actor)
    audit_record(actor=actor, action=f"review.{action}", obj=review, plan_id=review.plan_id,
                 before=before, after=review_snapshot(review), reason=reason)
    return review


# The tasks API's and the inbox's "complete" on a review task (workflows.routing.task_complete
# sends review tasks here, inside its transaction, the plan locked).


def review_task_work(*, task: Any, actor: Any, **data: Any) -> Any:
    """Complete a review task through the service that owns it: a progress report is
    submitted (``text``, ``submitted_on``); the compiling is sent on (to scrutiny for an
    annual review still drafted, else to the board); scrutiny's feedback is recorded
    (workflows.reviews.scrutiny) and the external submission recorded as sent
    (workflows.reviews.external), each completing its task. The board's and the executive's
    decisions and call-in go through workflows.routing's review decision path."""
    kind = task.info.kind
    review = task.info.review
    if kind == TaskKind.SCRUTINY_FEEDBACK:
        from .scrutiny import scrutiny_feedback_record

        return scrutiny_feedback_record(
            review=review, actor=actor, meeting_on=data.get("meeting_on"),
            points=data.get("points", []), summary=data.get("summary", ""),
            attendance=data.get("attendance"))
    if kind == TaskKind.EXTERNAL_SUBMISSION:
        from .external import external_submission_record

        return external_submission_record(
            review=review, actor=actor, submitted_on=data.get("submitted_on"),
            what_was_sent=data.get("what_was_sent", ""))
    if kind == TaskKind.PROGRESS_REPORT:
        return progress_report_submit(report=task.seed, actor=actor, text=data.get("text", ""),
                                      submitted_on=data.get("submitted_on"))
    if kind == TaskKind.COMPILE_REVIEW:
        send = (review.kind == ReviewKind.ANNUAL and review.stage == ReviewStage.DRAFTING)
        return review_fire(review=review, actor=actor, reason=data.get("reasons", ""),
                           action="send_to_scrutiny" if send else "submit_to_board")
    raise Conflict(f"Record this on the review itself (/api/v1/reviews/{review.pk}/): "
                   f"{task.info.get_kind_display().lower()} completes this task.")
