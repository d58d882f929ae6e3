"""The timetable pages: ``/plans/<pk>/timetable/`` (anyone who may see the plan: the flags,
the month-by-month timeline and the same dates as a table) and ``/plans/<pk>/timetable/edit/``
(the lead officer: a formset of milestones; add a row, remove one, suggest from the meeting
diaries without saving, save through ``timetable_save``)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages as notices
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from documents.models import Plan
from documents.queries import visible_plans
from governance import policy
from governance.models import Body
from plangov.errors import Conflict, Forbidden, InvalidInput, PlangovError
from plangov.ids import INT64_MAX

from ..views import _refused
from .chart import build
from .forms import MilestoneFormSet, SuggestForm
from .record import timetable_report
from .services import CLOSED_STAGES, MAX_MILESTONES, timetable_save, timetable_seed

PREFIX = "milestones"
ERROR_KEY = re.compile(r"milestones\[(\d+)\]\.(\w+)\Z")


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first() if pk <= INT64_MAX else None
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _may_edit(plan: Plan, user: Any) -> bool:
    return bool(policy.can_lead(plan, user)) and plan.stage not in CLOSED_STAGES


@login_required
def timetable(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    report = timetable_report(plan)
    return render(request, "workflows/timetable/detail.html", {
        "plan": plan, "report": report, "chart": build(report),
        "may_edit": _may_edit(plan, request.user),
    })


def _bodies(plan: Plan) -> Any:
    return Body.objects.filter(partnership_id=plan.partnership_id).order_by("name")


def _initial(milestones: list[Any]) -> list[dict[str, Any]]:
    return [{"kind": m.kind, "body": m.body_id, "label": m.label, "target_on": m.target_on,
             "key_decision": m.key_decision,
             "forward_plan_published_on": m.forward_plan_published_on, "note": m.note}
            for m in milestones]


def _edit_page(request: HttpRequest, plan: Plan, formset: Any, *, suggest: Any = None,
               suggested: bool = False, status: int = 200) -> HttpResponse:
    errors = []
    if formset.is_bound:
        errors += [{"href": "", "text": e} for e in formset.non_form_errors()]
        for form in formset.forms:
            for name, messages in form.errors.items():
                field = form[name] if name in form.fields else None
                for message in messages:
                    errors.append({
                        "href": f"#{field.auto_id}" if field is not None else "",
                        "text": f"Milestone {form.index + 1}, "
                                f"{(field.label if field else 'milestone').lower()}: {message}",
                    })
    suggest = suggest or SuggestForm()
    for name, messages in (suggest.errors.items() if suggest.is_bound else []):
        errors += [{"href": f"#{suggest[name].auto_id}", "text": m} for m in messages]
    return render(request, "workflows/timetable/edit.html", {
        "plan": plan, "formset": formset, "suggest": suggest, "errors": errors,
        "suggested": suggested,
    }, status=status)


def _formset(plan: Plan, data: Any = None, initial: Any = None) -> Any:
    bodies = _bodies(plan)
    formset = MilestoneFormSet(data, initial=initial, prefix=PREFIX,
                               form_kwargs={"bodies": bodies})
    # The bodies are read once for every row's select, not once a row.
    choices = [("", "None"), *((b.pk, b.name) for b in bodies)]
    for index, form in enumerate(formset.forms):
        form.index = index
        form.fields["body"].choices = choices
    return formset


@login_required
def timetable_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not _may_edit(plan, request.user):
        verdict = policy.can_lead(plan, request.user)
        exc: PlangovError = Forbidden(verdict.reason) if not verdict else Conflict(
            f"The plan is {plan.get_stage_display().lower()}: its timetable is closed.")
        return _refused(request, exc)
    if request.method != "POST":
        milestones = list(plan.milestones.select_related("body").order_by("position"))
        initial = _initial(milestones) or [{}]
        return _edit_page(request, plan, _formset(plan, initial=initial))
    if "suggest" in request.POST:
        suggest = SuggestForm(request.POST)
        if not suggest.is_valid():
            milestones = list(plan.milestones.select_related("body").order_by("position"))
            return _edit_page(request, plan, _formset(plan, initial=_initial(milestones)),
                              suggest=suggest, status=400)
        try:
            proposed = timetable_seed(plan=plan, actor=request.user,
                                      **suggest.cleaned_data)
        except PlangovError as exc:
            return _refused(request, exc)
        return _edit_page(request, plan, _formset(plan, initial=_initial(proposed)),
                          suggest=suggest, suggested=True)
    if "add" in request.POST:
        # Show the rows as typed (less those marked for removal) and one more; errors wait
        # for Save, and nothing is saved.
        formset = _formset(plan, request.POST)
        rows = [_row_data(f) for f in formset.forms if not _marked(f)]
        return _edit_page(request, plan, _formset(plan, initial=[*rows, {}][:MAX_MILESTONES]))
    formset = _formset(plan, request.POST)
    if not formset.is_valid():
        return _edit_page(request, plan, formset, status=400)
    kept = [f for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    milestones = [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in kept]
    try:
        timetable_save(plan=plan, milestones=milestones, actor=request.user)
    except InvalidInput as exc:
        for key, messages in exc.errors.items():
            match = ERROR_KEY.match(key)
            form = kept[int(match.group(1))] if match else None
            name = match.group(2) if match else None
            for message in messages:
                if form is not None and name in form.fields:
                    form.add_error(name, message)
                elif form is not None:
                    form.add_error(None, message)
                else:
                    formset._non_form_errors.append(message)
        return _edit_page(request, plan, formset, status=400)
    except PlangovError as exc:
        return _refused(request, exc)
    notices.success(request, "Timetable saved.\nThe dates the record shows and any flags are "
                     "below.")
    return redirect("workflows:timetable", pk=plan.pk)


def _marked(form: Any) -> bool:
    return form["DELETE"].value() in (True, "on", "true", "True", "1")


def _row_data(form: Any) -> dict[str, Any]:
    """What was typed in a bound form, as initial values for an unbound one."""
    return {name: form[name].value() for name in form.fields if name != "DELETE"}
