"""Pages for a review's scrutiny feedback and external submission. Each form posts to the
same services as the API; a refusal gets its own answer (400 with the form, 403, 404, 409).

The review page (``/reviews/<pk>/``) shows the two sections with the template tags in
workflows.templatetags.review_records (``{% review_scrutiny review %}``,
``{% review_external review %}``), which read the same ``scrutiny_section`` and
``external_section`` as these pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from documents.models import ExternalSubmission, FeedbackPoint, Review, ReviewStage
from governance import policy
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput, PlangovError
from plangov.forms import put_back
from plangov.ids import INT64_MAX
from plangov.pages import refused

from ..models import TaskKind
from ..routing import scrutiny_body
from .external import CLOSED_STAGES, external_submission_record, external_submission_set
from .record_forms import (
    IncorporatedForm,
    PointAnswerForm,
    ScrutinyFeedbackForm,
    SubmissionRecordForm,
    SubmissionSetForm,
)
from .routing import open_review_task
from .scrutiny import (
    already_recorded,
    feedback_point_answer,
    review_feedback_incorporated,
    scrutiny_feedback_record,
)


def _review(request: HttpRequest, pk: int) -> Review:
    """The review, if the person may see its plan; else 404 (not theirs to see)."""
    review = (Review.objects.filter(pk=pk).select_related("plan", "plan__partnership").first()
              if pk <= INT64_MAX else None)
    if review is None or not policy.can_view_plan(review.plan, request.user):
        raise Http404("No such review.")
    return review


# What the sections show (the pages and the template tags share these).


def scrutiny_section(review: Review, user: Any) -> dict[str, Any]:
    feedback = list(review.feedback.select_related("body").prefetch_related("points")
                    .order_by("meeting_on", "pk"))
    in_scrutiny = review.stage == ReviewStage.SCRUTINY
    leads = in_scrutiny and bool(policy.can_lead(review.plan, user))
    body = scrutiny_body(review.plan) if in_scrutiny else None
    may_record = (body is not None and bool(policy.can_record_for(body, user))
                  and not already_recorded(review))
    points = [p for f in feedback for p in f.points.all()]
    unanswered = [p.number for p in points if not p.response.strip()]
    return {
        "review": review,
        "feedback": feedback,
        "in_scrutiny": in_scrutiny,
        "may_answer": leads,
        "may_record": may_record,
        "may_incorporate": leads and bool(feedback) and not unanswered,
        "unanswered": unanswered,
        "body": body,
    }


def external_section(review: Review, user: Any) -> dict[str, Any]:
    submission = ExternalSubmission.objects.filter(review=review).first()
    leads = review.stage != ReviewStage.WITHDRAWN and bool(policy.can_lead(review.plan, user))
    task = open_review_task(review, TaskKind.EXTERNAL_SUBMISSION)
    unsent = submission is None or submission.submitted_on is None
    return {
        "review": review,
        "submission": submission,
        "task": task,
        "overdue": (submission is not None and submission.submitted_on is None
                    and submission.deadline < clock.today()),
        "may_set": leads and review.stage not in CLOSED_STAGES and unsent,
        "may_record": leads and submission is not None and submission.submitted_on is None,
    }


# Scrutiny.


def _scrutiny_page(request: HttpRequest, review: Review, *, form: Any = None,
                   answer: tuple[int, Any] | None = None, incorporated: Any = None,
                   status: int = 200) -> HttpResponse:
    section = scrutiny_section(review, request.user)
    return render(request, "reviews/scrutiny.html", {
        "review": review, "scrutiny": section,
        "form": form or (ScrutinyFeedbackForm() if section["may_record"] else None),
        "answer_for": answer[0] if answer else None, "answer_form": answer[1] if answer else None,
        "incorporated_form": incorporated or IncorporatedForm(),
    }, status=status)


def _back(review: Review, exc: PlangovError, request: HttpRequest) -> HttpResponse:
    return refused(request, exc, back_url=reverse("review_records:scrutiny", args=[review.pk]),
                   back_label="the review's scrutiny feedback")


_put_back = put_back


@login_required
def scrutiny_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's feedback point by point, the lead officer's responses, and (for its
    secretary or deputy, while the review is with scrutiny) the form to record it."""
    review = _review(request, pk)
    if request.method != "POST":
        return _scrutiny_page(request, review)
    form = ScrutinyFeedbackForm(request.POST)
    if not form.is_valid():
        return _scrutiny_page(request, review, form=form, status=400)
    data = form.cleaned_data
    try:
        scrutiny_feedback_record(review=review, actor=request.user,
                                 meeting_on=data["meeting_on"], points=data["points"],
                                 summary=data["summary"], attendance=data["attendance"])
    except InvalidInput as exc:
        _put_back(form, exc)
        return _scrutiny_page(request, review, form=form, status=400)
    except (Forbidden, Conflict) as exc:
        return _back(review, exc, request)
    messages.success(request, "Scrutiny feedback recorded.\nThe lead officer answers each "
                              "point, then records that the feedback was incorporated.")
    return redirect("review_records:scrutiny", pk=review.pk)


@login_required
@require_POST
def point_answer(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = _review(request, pk)
    point = FeedbackPoint.objects.filter(feedback__review=review, number=number).order_by(
        "-feedback__recorded_at", "-pk").first() if number <= 1000 else None
    if point is None:
        raise Http404("No such point.")
    form = PointAnswerForm(request.POST)
    if not form.is_valid():
        return _scrutiny_page(request, review, answer=(number, form), status=400)
    try:
        feedback_point_answer(point=point, response=form.cleaned_data["response"],
                              actor=request.user)
    except InvalidInput as exc:
        _put_back(form, exc)
        return _scrutiny_page(request, review, answer=(number, form), status=400)
    except (Forbidden, Conflict) as exc:
        return _back(review, exc, request)
    messages.success(request, f"Response to point {number} saved.")
    return redirect(reverse("reviews:review", args=[review.pk]) + f"#point-{number}")


@login_required
@require_POST
def incorporated(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = IncorporatedForm(request.POST)
    if not form.is_valid():
        return _scrutiny_page(request, review, incorporated=form, status=400)
    try:
        review_feedback_incorporated(review=review, note=form.cleaned_data["note"],
                                     actor=request.user)
    except InvalidInput as exc:
        _put_back(form, exc)
        return _scrutiny_page(request, review, incorporated=form, status=400)
    except (Forbidden, Conflict) as exc:
        return _back(review, exc, request)
    messages.success(request, "Recorded that scrutiny's feedback was incorporated.\nThe review "
                              "can now be submitted to the board.")
    return redirect("reviews:review", pk=review.pk)


# External submission.


def _external_page(request: HttpRequest, review: Review, *, set_form: Any = None,
                   record_form: Any = None, status: int = 200) -> HttpResponse:
    section = external_section(review, request.user)
    submission = section["submission"]
    initial = ({"recipient": submission.recipient, "deadline": submission.deadline}
               if submission else {})
    return render(request, "reviews/external.html", {
        "review": review, "external": section,
        "set_form": set_form or SubmissionSetForm(initial=initial),
        "record_form": record_form or SubmissionRecordForm(),
    }, status=status)


def _external_back(review: Review, exc: PlangovError, request: HttpRequest) -> HttpResponse:
    return refused(request, exc, back_url=reverse("review_records:external", args=[review.pk]),
                   back_label="the review's external submission")


@login_required
def external_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission (recipient, deadline, whether and when it was sent); for the lead
    officer, the forms to set it and to record it as submitted."""
    review = _review(request, pk)
    if request.method != "POST":
        return _external_page(request, review)
    form = SubmissionSetForm(request.POST)
    if not form.is_valid():
        return _external_page(request, review, set_form=form, status=400)
    try:
        external_submission_set(review=review, actor=request.user,
                                recipient=form.cleaned_data["recipient"],
                                deadline=form.cleaned_data["deadline"])
    except InvalidInput as exc:
        _put_back(form, exc)
        return _external_page(request, review, set_form=form, status=400)
    except (Forbidden, Conflict) as exc:
        return _external_back(review, exc, request)
    messages.success(request, "External submission set.\nThe lead officer is reminded before "
                              "the deadline, and the owning board's chair told if it passes.")
    return redirect("review_records:external", pk=review.pk)


@login_required
@require_POST
def external_record(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = SubmissionRecordForm(request.POST, request.FILES)
    if not form.is_valid():
        return _external_page(request, review, record_form=form, status=400)
    data = form.cleaned_data
    try:
        external_submission_record(review=review, actor=request.user,
                                   submitted_on=data["submitted_on"],
                                   what_was_sent=data["what_was_sent"], file=data["file"])
    except InvalidInput as exc:
        _put_back(form, exc)
        return _external_page(request, review, record_form=form, status=400)
    except (Forbidden, Conflict) as exc:
        return _external_back(review, exc, request)
    messages.success(request, "Submission recorded.\nIts task is done.")
    return redirect("review_records:external", pk=review.pk)
