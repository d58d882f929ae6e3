"""Pages of an adopted plan's actions: the list (status, lead, latest note; filter by status),
one action with its notes and the form to add one, the spreadsheet upload with its row
report and the templates, and the leads page linking each lead to a person. Every change
goes through the services in ``actions`` and ``progress_import``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from documents.models import ActionProgress, Plan, ProgressNote
from documents.queries import visible_plans
from governance import policy
from plangov import clock, tabular
from plangov.errors import Forbidden, InvalidInput, PlangovError, refusal_title
from plangov.forms import put_back
from plangov.ids import path_id

from .action_forms import LeadLinkForm, ProgressNoteForm, ProgressUploadForm, StatusFilterForm
from .actions import (
    UpdateChecker,
    action_progress_update,
    action_rows,
    actions_of,
    adopted_version,
    may_report,
)
from .lead_links import lead_link_remove, lead_link_set, lead_names, partnership_people
from .leads import lead_people
from .progress_import import (
    RowReport,
    max_bytes,
    progress_file_import,
    template_csv,
    template_xlsx,
)

TAGS = {"not_started": "govuk-tag--grey", "on_track": "govuk-tag--green",
        "at_risk": "govuk-tag--yellow", "off_track": "govuk-tag--red",
        "complete": "govuk-tag--blue", "dropped": "govuk-tag--purple"}


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=path_id(pk)).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _refused(request: HttpRequest, exc: PlangovError, plan: Plan) -> HttpResponse:
    return render(request, "workflows/refused.html", {
        "title": refusal_title(exc), "detail": exc.detail, "status_code": exc.status,
        "back_url": f"/plans/{plan.pk}/progress/", "back_label": "the plan's actions"},
        status=exc.status)


def _may_report(plan: Plan, user: Any) -> bool:
    return bool(plan.adopted_version_id) and bool(may_report(plan, user))


@login_required
def action_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    filters = StatusFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
    rows = action_rows(plan, status=status)
    for row in rows:
        row.tag = TAGS.get(row.status, "")
    may_report = _may_report(plan, request.user)
    checker = UpdateChecker(plan, plan.adopted_version, request.user) if (
        may_report and plan.adopted_version is not None) else None
    for row in rows:
        row.may_update = checker is not None and not checker.refusal(row.number)
    return render(request, "documents/actions/list.html", {
        "plan": plan, "rows": rows, "filters": filters, "status": status,
        "may_report": may_report, "may_link": bool(policy.can_lead(plan, request.user)),
        "adopted": plan.adopted_version_id is not None,
        "count": len(actions_of(plan.adopted_version)) if plan.adopted_version_id else 0})


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _plan(request, pk)
    version = adopted_version(plan)
    actions = actions_of(version)
    if version is None or not 1 <= number <= len(actions):
        raise Http404("No such action.")
    action = actions[number - 1]
    checker = UpdateChecker(plan, version, request.user) if _may_report(
        plan, request.user) else None
    may_update = checker is not None and not checker.refusal(number)
    status = 200
    if request.method == "POST":
        form = ProgressNoteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action_progress_update(plan=plan, action_number=number, status=data["status"],
                                       noted_on=data["noted_on"], text=data["text"],
                                       actor=request.user)
            except InvalidInput as exc:
                put_back(form, exc)
            except PlangovError as exc:
                return _refused(request, exc, plan)
            else:
                messages.success(request, f"The progress of action {number} was recorded.")
                return redirect("actions:action", pk=plan.pk, number=number)
        status = 400
    else:
        progress = ActionProgress.objects.filter(plan=plan, version=version,
                                                 action_number=number).first()
        form = ProgressNoteForm(initial={"status": progress.status if progress else
                                         "not_started", "noted_on": clock.today()})
    notes = ProgressNote.objects.filter(
        progress__plan=plan, progress__version=version, progress__action_number=number
    ).select_related("author").order_by("-noted_on", "-id")
    lead = str(action.get("lead", ""))
    return render(request, "documents/actions/detail.html", {
        "plan": plan, "number": number, "action": action, "form": form, "notes": notes,
        "lead": lead, "person": lead_people(plan).get(lead), "may_update": may_update,
        "tags": TAGS}, status=status)


@csrf_exempt  # checked below, once the upload's size limit is in place
@login_required
def action_upload(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers.insert(0, tabular.SizeLimitHandler(request, limit=max_bytes()))
    return _action_upload(request, pk)


@csrf_protect
def _action_upload(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not _may_report(plan, request.user):
        verdict = may_report(plan, request.user)
        detail = verdict.reason or "This plan has not been adopted: progress is reported on " \
            "the actions of the adopted plan."
        return render(request, "workflows/refused.html", {
            "title": "You cannot do this", "detail": detail,
            "back_url": f"/plans/{plan.pk}/progress/", "back_label": "the plan's actions"},
            status=403 if not verdict else 409)
    problems: list[tabular.Problem] = []
    status = 200
    if request.method == "POST":
        form = ProgressUploadForm(request.POST, request.FILES)
        seen = getattr(request, "plangov_upload_too_big", None)
        if seen is not None:
            form.is_valid()
            form.add_error("file", tabular.too_big(seen, max_bytes()))
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = progress_file_import(plan=plan, upload=upload, actor=request.user,
                                              filename=getattr(upload, "name", "") or "")
            except RowReport as exc:
                problems = exc.problems
                form.add_error("file", exc.detail)
            except InvalidInput as exc:
                for message in exc.errors.get("file", [exc.detail]):
                    form.add_error("file", message)
            except PlangovError as exc:
                return _refused(request, exc, plan)
            else:
                if not result.updates:
                    messages.info(request, "Every update in this file was recorded before: "
                                  "nothing new was saved.")
                    return redirect("actions:list", pk=plan.pk)
                messages.success(request, f"{result.updates} progress "
                                 f"note{'s' if result.updates != 1 else ''} recorded on "
                                 f"{result.actions} action{'s' if result.actions != 1 else ''}.")
                return redirect("actions:list", pk=plan.pk)
        status = 400
    else:
        form = ProgressUploadForm()
    return render(request, "documents/actions/upload.html", {
        "plan": plan, "form": form, "problems": problems, "max_mib": max_bytes() / 2**20},
        status=status)


@login_required
def action_template(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    plan = _plan(request, pk)
    if kind not in {"csv", "xlsx"} or not plan.adopted_version_id:
        raise Http404("This plan has not been adopted.")
    if kind == "xlsx":
        response = HttpResponse(template_xlsx(plan, request.user), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        response = HttpResponse(template_csv(plan, request.user),
                                content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="plan-{plan.pk}-action-progress.{kind}"')
    return response


@login_required
@require_http_methods(["GET", "POST"])
def leads(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    may_link = bool(policy.can_lead(plan, request.user))
    people = list(partnership_people(plan)) if may_link else []
    linked = lead_people(plan)
    bound: LeadLinkForm | None = None
    status = 200
    if request.method == "POST":
        verdict = policy.can_lead(plan, request.user)
        if not verdict:
            return _refused(request, Forbidden(verdict.reason), plan)
        bound = LeadLinkForm(request.POST, people=people)
        if bound.is_valid():
            name, person = bound.cleaned_data["name"], bound.cleaned_data["person"]
            try:
                if person:
                    lead_link_set(plan=plan, name=name, person=person, actor=request.user)
                    messages.success(request, f"‘{name}’ is linked.")
                elif name in linked:
                    lead_link_remove(plan=plan, name=name, actor=request.user)
                    messages.success(request, f"‘{name}’ is no longer linked to a person.")
            except InvalidInput as exc:
                for field, errors in exc.errors.items():
                    for message in errors:
                        bound.add_error("person" if field == "person" else None, message)
            except PlangovError as exc:
                return _refused(request, exc, plan)
            else:
                return redirect("actions:leads", pk=plan.pk)
        status = 400
    rows = []
    for index, name in enumerate(lead_names(plan), start=1):
        person = linked.get(name)
        auto_id = f"id_lead{index}_%s"
        if bound is not None and bound.data.get("name") == name:
            bound.auto_id = auto_id
            form = bound
        else:
            form = LeadLinkForm(initial={"name": name, "person": str(person.pk) if person
                                         else ""}, people=people, auto_id=auto_id)
        rows.append({"name": name, "person": person, "form": form})
    return render(request, "documents/actions/leads.html", {
        "plan": plan, "rows": rows, "may_link": may_link, "error_form": bound},
        status=status)
