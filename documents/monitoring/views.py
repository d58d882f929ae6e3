"""The indicators pages of an adopted plan: ``/plans/<pk>/indicators/`` (every indicator with
its latest reading, trend and RAG) and ``/plans/<pk>/indicators/<key>/`` (its readings, and the
form to record one or, from a reading's "Correct" link, a correction). Anyone who may see the
plan reads; recording is ``reading_record``'s, whose rules and errors come back beside each
field. The scorecard page (charts, filters, exports) is ``documents.monitoring``'s scorecard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from documents.models import IndicatorReading, Plan
from documents.queries import visible_plans
from governance import policy
from plangov.errors import InvalidInput, PlangovError
from plangov.forms import Form, put_back
from plangov.ids import INT64_MAX
from plangov.pages import refused

from .scorecard import NotAdopted, adopted_version, scorecard_build
from .services import indicator_of, reading_record

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_HINT = "For example, 31/03/2010."


def _date(label: str, hint: str = DATE_HINT) -> forms.DateField:
    return forms.DateField(
        label=label, help_text=hint, input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y"),
        error_messages={"required": f"Enter the {label.lower()}, for example 31/03/2010.",
                        "invalid": f"The {label.lower()} must be a real date, for example "
                                   "31/03/2010."})


class ReadingForm(Form):
    value = forms.CharField(label="Value", max_length=40,
                            help_text="The figure as a number, for example 9.1.",
                            error_messages={"required": "Enter the value."})
    period_label = forms.CharField(
        label="Period", max_length=40, help_text="As the papers name it, for example "
        "'2009/10' or '2010/11 Q2'.", error_messages={"required": "Enter the period's name."})
    period_start = _date("Start of the period")
    period_end = _date("End of the period")
    measured_on = _date("Date measured", "The date the figure was measured or published, "
                        "for example 30/06/2010.")
    source = forms.CharField(label="Source (optional)", max_length=200, required=False)
    commentary = forms.CharField(label="Commentary (optional)", required=False,
                                 max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    corrects = forms.IntegerField(required=False, min_value=1, max_value=INT64_MAX,
                                  widget=forms.HiddenInput())
    reason = forms.CharField(label="Why this corrects the reading", required=False,
                             max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = (visible_plans(request.user).defer("current_version__content").filter(pk=pk).first()
            if pk <= INT64_MAX else None)
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _back(plan: Plan) -> dict[str, str]:
    return {"back_url": reverse("workflows:plan", args=[plan.pk]), "back_label": "the plan"}


@login_required
def indicators(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        card = scorecard_build(plan, series=False)
    except NotAdopted as exc:
        return refused(request, exc, **_back(plan))
    return render(request, "monitoring/indicators.html", {
        "plan": plan, "card": card,
        "may_record": bool(policy.can_report_progress(plan, request.user)),
    })


@login_required
def indicator(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        content = adopted_version(plan).content or {}
    except NotAdopted as exc:
        return refused(request, exc, **_back(plan))
    ind = indicator_of(content, key)
    if ind is None:
        raise Http404("The adopted plan has no such indicator.")
    verdict = policy.can_report_progress(plan, request.user)
    status = 200
    if request.method == "POST":
        if not verdict:
            return refused(request, status=403, detail=verdict.reason,
                           back_url=request.path, back_label="the indicator")
        form = ReadingForm(request.POST)
        if form.is_valid():
            try:
                reading = reading_record(plan=plan, indicator_key=key, actor=request.user,
                                         **form.cleaned_data)
            except InvalidInput as exc:
                put_back(form, exc)
            except PlangovError as exc:
                return refused(request, exc, back_url=request.path,
                               back_label="the indicator")
            else:
                what = "correction" if reading.correction_reason else "reading"
                messages.success(request, f"The {what} for {reading.period_label} was "
                                 "recorded.")
                return redirect("monitoring:indicator", pk=plan.pk, key=key)
        status = 400
    else:
        form = ReadingForm(initial=_correction_initial(plan, key, request.GET.get("corrects")))
    readings = list(IndicatorReading.objects.filter(plan=plan, indicator_key=key)
                    .select_related("entered_by").order_by("-period_end", "-period_start",
                                                           "-id"))
    correcting = form["corrects"].value()
    return render(request, "monitoring/indicator.html", {
        "plan": plan, "indicator": ind, "readings": readings, "form": form,
        "may_record": bool(verdict), "correcting": correcting,
    }, status=status)


def _correction_initial(plan: Plan, key: str, raw: str | None) -> dict[str, Any]:
    """The form filled from the reading ``?corrects=<id>`` names (a current one of this
    indicator), ready to be corrected."""
    if not raw or not raw.isdigit() or int(raw) > INT64_MAX:
        return {}
    old = IndicatorReading.objects.filter(plan=plan, indicator_key=key, pk=int(raw),
                                          superseded_by__isnull=True).first()
    if old is None:
        return {}
    return {"value": f"{old.value:g}", "period_label": old.period_label,
            "period_start": old.period_start, "period_end": old.period_end,
            "measured_on": old.measured_on, "source": old.source,
            "commentary": old.commentary, "corrects": old.pk}
