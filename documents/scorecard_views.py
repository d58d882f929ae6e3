"""The scorecard of a plan: every indicator of the adopted version with its latest reading,
trend, RAG and a small chart, filtered by outcome and RAG (a GET form), exported as CSV (one
line per indicator, or one per reading) and as a signed PDF (asked for on the page, made by
the worker like every signed document).

The page shows the rows of one unfiltered scorecard, rendered once per state of the readings
and cached (documents.monitoring.scorecard_page: a constant number of queries, whatever the
number of indicators and readings); the filters pick rows from it, so the summary of the
whole plan and of the rows shown come from the same figures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from governance import policy
from plangov import clock
from plangov.forms import Form

from .models import Plan
from .monitoring.scorecard import Scorecard, current_readings, scorecard_build
from .monitoring.scorecard_display import (
    TREND_GLYPHS,
    TREND_WORDS,
    filter_rows,
    indicator_csv,
    readings_csv,
)
from .monitoring.scorecard_page import (
    ROWS_MARKER,
    CachedRow,
    ScorecardView,
    put_rows,
    scorecard_view,
)
from .monitoring.trends import Rag, Trend, summarise
from .queries import visible_plans


class ScorecardFilterForm(Form):
    outcome = forms.ChoiceField(required=False, label="Outcome")
    rag = forms.ChoiceField(required=False, label="RAG status",
                            choices=[("", "Any status"), *((r.value, r.label) for r in Rag)])

    def __init__(self, *args: Any, outcomes: tuple[tuple[str, str], ...], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "All outcomes"), *outcomes]


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def scorecard_filters(request: HttpRequest, outcomes: tuple[tuple[str, str], ...]
             ) -> tuple[ScorecardFilterForm, dict[str, str] | None]:
    """The filter form and the filters it gives (None when they are not valid)."""
    form = ScorecardFilterForm(request.GET or None, outcomes=outcomes)
    if not form.is_bound:
        return form, {}
    if not form.is_valid():
        return form, None
    return form, {k: v for k, v in form.cleaned_data.items() if v}


@login_required
def scorecard_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if plan.adopted_version_id is None:
        return render(request, "documents/scorecard.html", {"plan": plan, "not_adopted": True})
    view = scorecard_view(plan)
    form, filters = scorecard_filters(request, view.outcomes)
    rows = view.pick(**filters) if filters is not None else []
    response = render(request, "documents/scorecard.html", {
        **scorecard_context(plan, view, rows, filters or {}), "form": form,
        "query": request.GET.urlencode() if filters else "",
        "may_request": policy.can_request_document(plan, request.user),
    }, status=400 if filters is None else 200)
    response.content = put_rows(response.content, view.html(rows))
    return response


def scorecard_context(plan: Plan, view: ScorecardView, rows: list[CachedRow],
                      filters: dict[str, str]) -> dict[str, Any]:
    """What the signed-in and the public scorecard pages share."""
    count = len(view.rows)
    return {
        "plan": plan, "view": view, "rows_html": ROWS_MARKER if rows else "",
        "summary": view.summary,
        "shown_summary": summarise(Trend(r.trend) for r in rows) if filters else None,
        "filters": filters, "filtered": bool(filters),
        "caption": (f"{len(rows)} of {count} indicators, matching the filters"
                    if filters else f"{count} indicator{'' if count == 1 else 's'}"),
        "trend_key": [(TREND_GLYPHS[t], TREND_WORDS[t]) for t in TREND_GLYPHS],
    }


def _csv(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export(request: HttpRequest, pk: int) -> tuple[Plan, Scorecard, list[Any]] | HttpResponse:
    plan = _plan(request, pk)
    if plan.adopted_version_id is None:
        return HttpResponse("This plan has not been adopted yet, so it has no scorecard.",
                            status=409, content_type="text/plain; charset=utf-8")
    scorecard = scorecard_build(plan)
    form, filters = scorecard_filters(request, scorecard.outcomes)
    if filters is None:
        problems = "; ".join(f"{form.fields[name].label}: {' '.join(errors)}"
                             for name, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    return plan, scorecard, filter_rows(scorecard, **filters)


@login_required
def scorecard_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """One line per indicator: latest reading, trend and RAG (the page's filters apply)."""
    result = _export(request, pk)
    if isinstance(result, HttpResponse):
        return result
    plan, _, rows = result
    return _csv(indicator_csv(rows), f"scorecard-{plan.pk}-{clock.today():%Y-%m-%d}.csv")


@login_required
def scorecard_readings_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """One line per current reading of every indicator shown (the page's filters apply)."""
    result = _export(request, pk)
    if isinstance(result, HttpResponse):
        return result
    plan, _, rows = result
    return _csv(readings_csv(rows, current_readings(plan)),
                f"scorecard-{plan.pk}-readings-{clock.today():%Y-%m-%d}.csv")
