"""Review pages: one review (its stage, tasks, progress reports, the compile form with the
trends, the lead officer's actions as buttons), a progress report's form, and starting a
review from the plan's page. Every change goes through workflows.reviews.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from documents.models import ProgressReport, Review, ReviewStage, ScrutinyFeedback, Stage
from documents.monitoring.trends import RAG_CHOICES, TREND_CHOICES
from documents.queries import visible_plans
from governance import policy
from governance.models import Decision
from plangov.errors import InvalidInput, PlangovError
from plangov.forms import put_back
from plangov.pages import refused

from . import routing
from .api import visible_reviews
from .forms import CompileForm, ProgressReportForm, ReviewActionForm, StartReviewForm
from .lifecycle import USER_ACTIONS, ReviewLifecycle
from .services import progress_report_submit, review_compile, review_fire, review_start

TRENDS, RAGS = dict(TREND_CHOICES), dict(RAG_CHOICES)

DONE = {
    "send_to_scrutiny": "Review sent to the scrutiny committee.\nIts secretary has a task to "
                        "record the committee's feedback.",
    "submit_to_board": "Review submitted to the board.\nIts secretary has a task to record "
                       "the board's decision.",
    "withdraw": "Review withdrawn.\nIt stays in the plan's history; the plan is unchanged.",
}


def _review_or_404(request: HttpRequest, pk: int) -> Review:
    review = (
        visible_reviews(request.user)
        .select_related("plan", "plan__lead_officer", "version", "started_by")
        .prefetch_related(
            Prefetch("progress_reports",
                     ProgressReport.objects.select_related("lead", "submitted_by")),
            Prefetch("feedback", ScrutinyFeedback.objects.select_related("body")
                     .prefetch_related("points")),
            Prefetch("decisions", Decision.objects.select_related("body").order_by("pk")),
        )
        .filter(pk=pk).first()
    )
    if review is None:
        raise Http404("No such review.")
    return review


def _refused(request: HttpRequest, exc: PlangovError, review: Review) -> HttpResponse:
    return refused(request, exc, back_url=reverse("reviews:review", args=[review.pk]),
                   back_label="the review")


_put_back = put_back


def _page(request: HttpRequest, review: Review, *, compile_form: Any = None,
          action_form: Any = None, failed: str = "", status: int = 200) -> HttpResponse:
    leads = bool(policy.can_lead(review.plan, request.user))
    actions = ReviewLifecycle(review).available_actions(request.user)
    if compile_form is None and leads and review.stage == ReviewStage.DRAFTING:
        compile_form = CompileForm(initial={
            "strengths": review.strengths,
            "areas_for_development": review.areas_for_development,
            "next_year_priorities": review.next_year_priorities,
            "consultation_heard": review.consultation_heard,
            "changes_priorities": review.changes_priorities,
        })
    reports = list(review.progress_reports.all())
    return render(request, "workflows/reviews/review_detail.html", {
        "review": review,
        "plan": review.plan,
        "leads": leads,
        "tasks": routing.open_review_tasks(review),
        "reports": [{"report": r, "may_write": r.submitted_at is None
                     and review.stage == ReviewStage.DRAFTING
                     and (leads or r.lead_id == request.user.pk)} for r in reports],
        "indicators": [
            {**row, "trend_label": TRENDS.get(row.get("trend"), row.get("trend")),
             "rag_label": RAGS.get(row.get("rag"), row.get("rag"))}
            for row in (review.trends or {}).get("indicators", [])
        ],
        "compile_form": compile_form,
        # A review that changes the priorities leads to a revision of the plan, started here
        # by the lead officer once the review is approved (the plan stays adopted).
        "may_revise": (leads and review.changes_priorities and review.revision_id is None
                       and review.stage in (ReviewStage.APPROVED, ReviewStage.PUBLISHED)
                       and review.plan.stage == Stage.ADOPTED
                       and review.version_id == review.plan.adopted_version_id),
        "ready_actions": [a for a in actions if a["ready"]],
        "blocked_actions": [a for a in actions if not a["ready"]],
        "action_form": action_form or ReviewActionForm(),
        "failed_action": failed,
    }, status=status)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _review_or_404(request, pk))


@login_required
@require_POST
def review_compile_page(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_or_404(request, pk)
    form = CompileForm(request.POST)
    if not form.is_valid():
        return _page(request, review, compile_form=form, status=400)
    try:
        review_compile(review=review, actor=request.user, **form.cleaned_data)
    except InvalidInput as exc:
        _put_back(form, exc)
        return _page(request, review, compile_form=form, status=400)
    except PlangovError as exc:
        return _refused(request, exc, review)
    messages.success(request, "Review compiled.\nThe indicator trends are fixed as they "
                              "stand today; compile again to refresh them.")
    return redirect("reviews:review", pk=review.pk)


@login_required
@require_POST
def review_revise_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the revision of the plan this review changes the priorities of."""
    from ..services import plan_revise

    review = _review_or_404(request, pk)
    try:
        plan_revise(plan=review.plan, actor=request.user, review=review,
                    reason=f"The {review.title.lower()} changes the plan's priorities.")
    except PlangovError as exc:
        return _refused(request, exc, review)
    messages.success(request, "Revision started.\nThe adopted version stays in force while "
                              "you write the revision in the draft and send it for approval.")
    return redirect("workflows:plan", pk=review.plan_id)


@login_required
@require_POST
def review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    review = _review_or_404(request, pk)
    if action not in USER_ACTIONS:
        raise Http404("No such action.")
    form = ReviewActionForm(request.POST)
    if not form.is_valid():
        return _page(request, review, action_form=form, failed=action, status=400)
    try:
        review_fire(review=review, action=action, actor=request.user,
                    reason=form.cleaned_data["reason"])
    except InvalidInput as exc:
        _put_back(form, exc)
        return _page(request, review, action_form=form, failed=action, status=400)
    except PlangovError as exc:
        return _refused(request, exc, review)
    messages.success(request, DONE[action])
    return redirect("reviews:review", pk=review.pk)


@login_required
def progress_report_page(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    review = _review_or_404(request, pk)
    report = next((r for r in review.progress_reports.all() if r.pk == report_id), None)
    if report is None:
        raise Http404("No such progress report.")
    form = ProgressReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                progress_report_submit(report=report, actor=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                _put_back(form, exc)
            except PlangovError as exc:
                return _refused(request, exc, review)
            else:
                messages.success(request, "Progress report sent.\nThe lead officer compiles "
                                          "the review once every priority has reported.")
                return redirect("reviews:review", pk=review.pk)
        status = 400
    return render(request, "workflows/reviews/progress_report.html", {
        "review": review, "report": report, "form": form,
    }, status=status)


@login_required
@require_POST
def review_start_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    form = StartReviewForm(request.POST)
    if form.is_valid():
        try:
            review = review_start(plan=plan, actor=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            _put_back(form, exc)
        except PlangovError as exc:
            return refused(request, exc, back_url=reverse("workflows:plan", args=[plan.pk]),
                           back_label="the plan")
        else:
            messages.success(request, f"{review.title} started.\nEach priority's lead has a "
                                      "task to report progress.")
            return redirect("reviews:review", pk=review.pk)
    return render(request, "workflows/reviews/start.html", {"plan": plan, "form": form},
                  status=400)
