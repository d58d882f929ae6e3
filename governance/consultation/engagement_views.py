"""Staff pages of a consultation round: its engagement activities (list, add, change,
delete) and its imports of offline responses (upload, progress, row report)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from governance import policy
from plangov.errors import InvalidInput, PlangovError
from plangov.ids import path_id

from .activities import (
    activity_delete,
    activity_record,
    activity_update,
    may_change_activities,
)
from .engagement_forms import ActivityForm, ImportForm
from .exports import write_csv
from .imports.rows import round_audiences
from .imports.services import import_create, import_valid_rows, may_import, too_big
from .imports_api import SizeLimitHandler, import_progress
from .models import (
    Activity,
    ConsultationRound,
    ConsultationStatus,
    ResponseImport,
    ResponseImportStatus,
)

WORKING = {ResponseImportStatus.PENDING, ResponseImportStatus.VALIDATING,
           ResponseImportStatus.IMPORTING}


def _round(request: HttpRequest, round_id: int) -> ConsultationRound:
    round = ConsultationRound.objects.select_related("plan").filter(
        pk=path_id(round_id)).first()
    if round is None or not policy.can_view_plan(round.plan, request.user):
        raise Http404("No such consultation.")
    return round


def _may_change(round: ConsultationRound, user: Any) -> bool:
    return bool(policy.can_lead(round.plan, user)) and (
        round.summary_published_at is None and round.status != ConsultationStatus.DRAFT)


def _refused(request: HttpRequest, exc: PlangovError) -> HttpResponse:
    title = "You cannot do this" if exc.status == 403 else "This cannot be done now"
    return render(request, "workflows/refused.html", {"title": title, "detail": exc.detail},
                  status=exc.status)


# Activities.


@login_required
def activity_list(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    activities = list(round.activities.prefetch_related("reach__audience"))
    totals: dict[str, int] = {}
    for activity in activities:
        activity.reach_rows = sorted(activity.reach.all(), key=lambda r: r.audience.order)
        for reach in activity.reach_rows:
            totals[reach.audience.name] = totals.get(reach.audience.name, 0) + reach.count
    return render(request, "consultation/activity_list.html", {
        "round": round, "activities": activities, "totals": sorted(totals.items()),
        "may_change": _may_change(round, request.user)})


def _activity_form(request: HttpRequest, round: ConsultationRound,
                   activity: Activity | None) -> HttpResponse:
    audiences = round_audiences(round)
    if request.method == "POST":
        form = ActivityForm(request.POST, audiences=audiences)
        if form.is_valid():
            data = form.cleaned_data
            params = {"actor": request.user, "title": data["title"],
                      "description": data["description"], "channel": data["channel"],
                      "held_on": data["held_on"], "held_until": data["held_until"],
                      "reach": form.reach()}
            try:
                if activity is None:
                    activity_record(round=round, **params)
                    messages.success(request, "The activity was recorded.")
                else:
                    activity_update(activity=activity, **params)
                    messages.success(request, "The activity was saved.")
            except InvalidInput as exc:
                form.put_errors(exc)
            except PlangovError as exc:
                return _refused(request, exc)
            else:
                return redirect("engagement:activities", round_id=round.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"channel": "event"}
        if activity is not None:
            initial = {"title": activity.title, "description": activity.description,
                       "channel": activity.channel, "held_on": activity.held_on,
                       "held_until": activity.held_until}
            for reach in activity.reach.all():
                initial[f"reach_{reach.audience_id}"] = reach.count
        form = ActivityForm(initial=initial, audiences=audiences)
        status = 200
    return render(request, "consultation/activity_form.html", {
        "round": round, "activity": activity, "form": form}, status=status)


@login_required
def activity_new(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    try:
        may_change_activities(round, request.user)
    except PlangovError as exc:
        return _refused(request, exc)
    return _activity_form(request, round, None)


def _activity(round: ConsultationRound, activity_id: int) -> Activity:
    activity = Activity.objects.filter(pk=path_id(activity_id), round=round).first()
    if activity is None:
        raise Http404("No such activity.")
    return activity


@login_required
def activity_edit(request: HttpRequest, round_id: int, activity_id: int) -> HttpResponse:
    round = _round(request, round_id)
    activity = _activity(round, activity_id)
    try:
        may_change_activities(round, request.user)
    except PlangovError as exc:
        return _refused(request, exc)
    return _activity_form(request, round, activity)


@login_required
@require_POST
def activity_remove(request: HttpRequest, round_id: int, activity_id: int) -> HttpResponse:
    round = _round(request, round_id)
    activity = _activity(round, activity_id)
    try:
        activity_delete(activity=activity, actor=request.user)
    except PlangovError as exc:
        return _refused(request, exc)
    messages.success(request, "The activity was deleted.")
    return redirect("engagement:activities", round_id=round.pk)


# Imports.


@csrf_exempt  # checked below, once the upload's size limit is in place
@login_required
def import_list(request: HttpRequest, round_id: int) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers.insert(0, SizeLimitHandler(request))
    return _import_list(request, round_id)


@csrf_protect
def _import_list(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        seen = getattr(request, "plangov_upload_too_big", None)
        if seen is not None:
            form.is_valid()
            form.add_error("file", too_big(seen))
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload is None:
                    raise InvalidInput({"file": ["Choose a CSV or XLSX file of responses."]})
                record, duplicate = import_create(
                    round=round, actor=request.user, upload=upload, filename=upload.name or "",
                    only_valid_rows=form.cleaned_data["only_valid_rows"])
            except InvalidInput as exc:
                for message in exc.errors.get("file", [exc.detail]):
                    form.add_error("file", message)
            except PlangovError as exc:
                return _refused(request, exc)
            else:
                if duplicate:
                    messages.info(request, "This file was uploaded before: nothing was "
                                  "imported again. Here is that import.")
                return redirect("engagement:import", round_id=round.pk, import_id=record.pk)
        status = 400
    else:
        form = ImportForm()
    try:
        may_import(round, request.user)
        may = True
    except PlangovError:
        may = False
    imports = round.imports.select_related("created_by")
    return render(request, "consultation/import_list.html", {
        "round": round, "form": form, "imports": imports, "may_import": may,
        "max_mib": settings.PLANGOV_IMPORT_MAX_BYTES // 2**20}, status=status)


def _import(round: ConsultationRound, import_id: int) -> ResponseImport:
    record = ResponseImport.objects.select_related("created_by").filter(
        pk=path_id(import_id), round=round).first()
    if record is None:
        raise Http404("No such import.")
    return record


@login_required
def import_detail(request: HttpRequest, round_id: int, import_id: int) -> HttpResponse:
    round = _round(request, round_id)
    record = _import(round, import_id)
    header_wrong = any(p.get("row") == 1 for p in record.report)
    return render(request, "consultation/import_detail.html", {
        "round": round, "record": record, "working": record.status in WORKING,
        "progress": import_progress(record), "header_wrong": header_wrong,
        "may_import_valid": (record.status == ResponseImportStatus.INVALID and not header_wrong
                             and record.total_rows > record.invalid_rows
                             and _may_change(round, request.user)),
        "api_url": reverse("consultation-import", kwargs={"pk": round.pk,
                                                          "import_id": record.pk}),
    })


@login_required
@require_POST
def import_only_valid(request: HttpRequest, round_id: int, import_id: int) -> HttpResponse:
    round = _round(request, round_id)
    record = _import(round, import_id)
    try:
        import_valid_rows(response_import=record, actor=request.user)
    except PlangovError as exc:
        return _refused(request, exc)
    return redirect("engagement:import", round_id=round.pk, import_id=record.pk)


@login_required
def import_report(request: HttpRequest, round_id: int, import_id: int) -> HttpResponse:
    """The row report as CSV; every cell through safe_cell (a problem may quote the cell)."""
    round = _round(request, round_id)
    record = _import(round, import_id)
    out = io.StringIO()
    write_csv(out, ["row", "column", "problem"],
              ([p.get("row"), p.get("column"), p.get("problem")] for p in record.report))
    response = HttpResponse(out.getvalue().encode("utf-8-sig"),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{record.pk}-report.csv"'
    return response
