"""Pages: upload a file to import into the draft, read its preview and confirm or cancel it;
download a version as JSON, YAML or Word."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from documents.models import Plan, PlanVersion
from documents.queries import visible_plans
from plangov.errors import InvalidInput, PlangovError
from plangov.forms import Form

from . import limits
from .api import draft_export_response, version_export_response
from .services import ContentImport, apply_import, import_preview, may_import, pending_import


class ImportForm(Form):
    file = forms.FileField(
        label="File to import", required=False,
        help_text=f"A Word document (.docx), or a JSON or YAML file in plangov's content "
        f"format, up to {limits.MAX_BYTES // 2**20} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.json,.yaml,.yml"}))


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _refused(request: HttpRequest, exc: PlangovError) -> HttpResponse:
    titles = {403: "You cannot do this", 404: "This import is no longer available",
              409: "This cannot be done now", 412: "The draft changed meanwhile"}
    return render(request, "workflows/refused.html",
                  {"title": titles.get(exc.status, "This cannot be done"), "detail": exc.detail},
                  status=exc.status)


def _draft_url(plan: Plan) -> str:
    """The draft editor once it exists, else the plan's page."""
    try:
        return reverse("drafts:overview", kwargs={"pk": plan.pk})
    except NoReverseMatch:
        return reverse("workflows:plan", kwargs={"pk": plan.pk})


@csrf_exempt  # the CSRF check runs below, after the upload is guarded (it reads the body)
@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        try:
            cap = limits.guard_upload(request)
        except limits.FileRefused as exc:
            # Declared too big: answered without reading the body (the CSRF check would).
            # Nothing is changed by this answer, so it needs no CSRF check.
            return _import_upload(request, pk, exc.message, None)
        return csrf_protect(_import_upload)(request, pk, "", cap)
    return _import_upload(request, pk, "", None)


def _import_upload(request: HttpRequest, pk: int, error: str,
                   cap: limits.CappedUploadHandler | None) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        may_import(plan, request.user)
    except PlangovError as exc:
        return _refused(request, exc)
    form = ImportForm()
    if request.method == "POST" and not error:
        upload = request.FILES.get("file")
        if cap is not None and cap.exceeded:
            error = limits.too_big(cap.received).message
        else:
            try:
                record = import_preview(plan=plan, actor=request.user, upload=upload)
            except limits.FileRefused as exc:
                error = exc.message
            except InvalidInput as exc:
                error = " ".join(f"{path}: {' '.join(msgs)}" if path != "file" else
                                 " ".join(msgs) for path, msgs in exc.errors.items())
            else:
                return redirect("documents:import-preview", pk=plan.pk, token=record.token)
    if error:
        form = ImportForm(data={}, files={})
        form.is_valid()
        form.add_error("file", error)
    return render(request, "documents/import/upload.html", {"plan": plan, "form": form},
                  status=400 if error else 200)


@login_required
def import_preview_page(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        may_import(plan, request.user)
        record = pending_import(plan=plan, actor=request.user, token=token)
    except PlangovError as exc:
        return _refused(request, exc)
    if request.method == "POST":
        if "cancel" in request.POST:
            record.delete()
            messages.info(request, "The import was cancelled; the draft is unchanged.")
            return redirect("workflows:plan", pk=plan.pk)
        try:
            apply_import(plan=plan, actor=request.user, token=token)
        except PlangovError as exc:
            return _refused(request, exc)
        name = record.filename or "the file"
        messages.success(request, f"The draft now holds the content of {name}.")
        return redirect(_draft_url(plan))
    return render(request, "documents/import/preview.html", _preview_context(plan, record))


def _preview_context(plan: Plan, record: ContentImport) -> dict[str, Any]:
    preview = record.preview
    understood = preview["understood"]
    counts = understood["counts"]
    rows = [
        ("Vision", f"{understood['vision_words']} words" if understood["vision_words"]
         else "None found"),
        ("Outcomes", counts["outcomes"]),
        ("Priorities", counts["priorities"]),
        ("Indicators", counts["indicators"]),
        ("Actions", counts["actions"]),
        ("Cross-cutting themes", counts["cross_cutting_themes"]),
        ("Joint priorities", counts["joint_priorities"]),
    ]
    return {
        "plan": plan, "record": record, "preview": preview, "understood": understood,
        "summary_rows": rows, "not_understood": preview["not_understood"],
        "warnings": sorted(preview["warnings"].items()),
        "format_label": {"docx": "Word document", "json": "JSON", "yaml": "YAML"}.get(
            record.file_format, record.file_format),
    }


@login_required
def version_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _plan(request, pk)
    version = PlanVersion.objects.filter(plan=plan, number=number).first()
    if version is None:
        raise Http404("The plan has no such version.")
    try:
        return version_export_response(plan, version, request.GET.get("format"))
    except InvalidInput as exc:
        return _no_format(request, exc)


@login_required
def draft_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        return draft_export_response(plan, request.user, request.GET.get("format"))
    except InvalidInput as exc:
        return _no_format(request, exc)
    except PlangovError as exc:
        return _refused(request, exc)


def _no_format(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return render(request, "workflows/refused.html", {
        "title": "Choose a format", "detail": " ".join(exc.errors.get("format", []))},
        status=400)
