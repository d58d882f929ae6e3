"""Pages for signed documents: ask for one, watch it render, download it, and verify any PDF
(the verification page is public: anyone holding a published PDF may check it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from documents.queries import visible_plans
from governance import policy
from plangov.errors import InvalidInput, PlangovError
from plangov.ids import to_int
from plangov.pages import refused

from .models import DocumentStatus, ExecutiveReport, SignedDocument
from .publishing import storage, upload_limit
from .publishing.services import document_request, document_verify
from .publishing.verify import NotAPdf


def visible_document(request: HttpRequest, pk: int) -> SignedDocument:
    document = SignedDocument.objects.select_related("plan", "version", "decision__body").filter(
        pk=pk, plan__in=visible_plans(request.user)
    ).first()
    if document is None:
        raise Http404("No such document.")
    return document


@login_required
@require_POST
def document_ask(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    decision = request.POST.get("decision", "")
    try:
        document = document_request(
            plan=plan, actor=request.user, kind=request.POST.get("kind", ""),
            decision_id=to_int(decision, minimum=1),
        )
    except PlangovError as exc:
        return _refused(request, exc, plan.pk)
    messages.success(request, f"{document.get_kind_display()} requested.\nIt is being made and "
                              "signed; this page shows how far it has got.")
    return redirect("documents:document", pk=document.pk)


WORKING = {DocumentStatus.PENDING, DocumentStatus.RENDERING}


NO_WORKER = ("No worker has picked up work for {minutes} minute{s}; the PDF will be made when "
             "one runs. Tell your administrator.")


def minutes_without_worker(document: SignedDocument) -> int | None:
    """For a document still waiting: how many minutes no worker has been seen (since the last
    heartbeat, or since the document was asked for when no heartbeat was ever seen), when that
    is past PLANGOV_WORKER_STALE_SECONDS; None while a worker runs."""
    from plangov import clock, heartbeat

    try:
        since = heartbeat.seconds_since()
    except Exception:  # noqa: BLE001 - the cache down: /healthz says so; the page still serves
        return None
    if since is None:
        # requested_at was stamped by plangov.clock: measured on the same clock.
        since = (clock.now() - document.requested_at).total_seconds()
    if since <= heartbeat.stale_after():
        return None
    return int(since // 60)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    working = document.status in WORKING
    return render(request, "documents/document_detail.html", {
        "document": document, "working": working,
        "no_worker_minutes": minutes_without_worker(document) if working else None,
        "may_request": policy.can_request_document(document.plan, request.user)})


@login_required
def document_status(request: HttpRequest, pk: int) -> JsonResponse:
    """How far a document has got, for the page's polite live region
    (plangov/static/plangov/document-status.js asks every few seconds while it works)."""
    document = visible_document(request, pk)
    working = document.status in WORKING
    if working and (minutes := minutes_without_worker(document)) is not None:
        message = NO_WORKER.format(minutes=minutes, s="" if minutes == 1 else "s")
    elif working:
        message = f"{document.progress_label or 'Waiting for a worker'}: {document.progress}%"
    elif document.status == DocumentStatus.DONE:
        message = "The document is signed. Refresh the page to download it."
    else:
        message = "The document could not be made. Refresh the page to see why."
    return JsonResponse({"status": document.status, "working": working,
                         "progress": document.progress, "message": message})


@login_required
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    if document.status != DocumentStatus.DONE:
        raise Http404("This document is not signed yet.")
    return signed_file_response(document)


def signed_file_response(document: SignedDocument) -> FileResponse:
    """The stored signed PDF as a download, its SHA-256 in a header (page and API alike)."""
    response = FileResponse(open(storage.path_for(document.file_sha256), "rb"),
                            content_type="application/pdf", as_attachment=True,
                            filename=document.filename)
    response["X-Content-SHA256"] = document.file_sha256
    return response


@csrf_exempt  # checked below, once the upload's size limit is in place
def verify_page(request: HttpRequest) -> HttpResponse:
    """Public: upload a PDF, learn whether it is the signed-off document. An upload over the
    limit is refused before it is read whole (documents.publishing.upload_limit)."""
    if request.method == "POST" and (error := upload_limit.guard(request)) is not None:
        return _verify_render(request, {"error": error}, status=400)
    return _verify_page(request)


@csrf_protect
def _verify_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = upload_limit.refusal(request, upload)
        if error is None:
            try:
                context["result"] = document_verify(data=upload.read())  # type: ignore[union-attr]
            except NotAPdf as exc:
                error = str(exc)
        if error is not None:
            context["error"] = error
            status = 400
    return _verify_render(request, context, status=status)


def _verify_render(request: HttpRequest, context: dict[str, object], *,
                   status: int) -> HttpResponse:
    context["max_mib"] = settings.PLANGOV_VERIFY_MAX_BYTES // 2**20
    return render(request, "documents/verify.html", context, status=status)


# The executive report: the lead officer writes it here; the PDF is signed on request.

REC_ROWS, GLOSSARY_ROWS = 6, 8


def _report_initial(report: ExecutiveReport | None) -> dict[str, Any]:
    from .publishing.executive import SHORT_FIELDS, TEXT_FIELDS

    if report is None:
        return {}
    data: dict[str, Any] = {f: getattr(report, f) for f in [*TEXT_FIELDS, *SHORT_FIELDS]}
    data["meeting_date"] = report.meeting_date.isoformat() if report.meeting_date else ""
    for i, item in enumerate(report.recommendations):
        data[f"recommendation_{i}"], data[f"reason_{i}"] = item["recommendation"], item["reason"]
    for i, item in enumerate(report.glossary):
        data[f"term_{i}"], data[f"meaning_{i}"] = item["term"], item["meaning"]
    return data


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    import datetime

    from .publishing.executive import SECTIONS, executive_report_check, executive_report_save

    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    report = ExecutiveReport.objects.filter(plan=plan).first()
    values = _report_initial(report)
    errors: dict[str, list[str]] = {}
    status = 200
    # Who may write it, and until when: anyone else reads it, and is told why they cannot
    # change it, before typing anything (a POST is still refused by the service).
    try:
        executive_report_check(plan, request.user)
        read_only = ""
    except PlangovError as exc:
        read_only = exc.detail
    if request.method == "GET" and read_only:
        return _report_read_only(request, plan, report, read_only)
    if request.method == "POST":
        # Permission and stage before reading the form: a refusal says why, whatever was typed.
        try:
            executive_report_check(plan, request.user)
        except PlangovError as exc:
            return _refused(request, exc, plan.pk)
        values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        data: dict[str, Any] = {k: v for k, v in values.items()}
        raw_date = values.get("meeting_date", "").strip()
        try:
            data["meeting_date"] = datetime.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            errors["meeting_date"] = ["Enter the meeting date as YYYY-MM-DD, e.g. 2016-07-14."]
        data["recommendations"] = [
            {"recommendation": values.get(f"recommendation_{i}", ""),
             "reason": values.get(f"reason_{i}", "")} for i in range(REC_ROWS)
        ]
        data["glossary"] = [
            {"term": values.get(f"term_{i}", ""), "meaning": values.get(f"meaning_{i}", "")}
            for i in range(GLOSSARY_ROWS)
        ]
        if not errors:
            try:
                saved = executive_report_save(plan=plan, actor=request.user, data=data)
            except InvalidInput as exc:
                errors = exc.errors
            except PlangovError as exc:
                return _refused(request, exc, plan.pk)
            else:
                messages.success(request, f"Saved as revision {saved.revision}.\nMake the "
                                          "signed PDF from the plan's page when it is ready.")
                return redirect("documents:report", pk=plan.pk, permanent=False)
        status = 400
    field_errors = {_input_name(k): v for k, v in errors.items()}

    def field(name: str, label: str, *, long: bool = False, hint: str = "") -> dict[str, Any]:
        return {"name": name, "label": label, "long": long, "hint": hint,
                "value": values.get(name) or "", "errors": field_errors.get(name, [])}

    heading = [
        field("meeting_date", "Executive meeting date", hint="For example, 2016-07-14."),
        field("report_of", "Report of the", hint="For example, Director of Children's Services"),
        field("portfolio_of", "Portfolio of the", hint="For example, Executive Member for "
                                                       "Children and Young People"),
    ]
    body = [field(name, label, long=True, hint="Paragraphs separated by a blank line are "
                  "numbered in the report.") for name, label in SECTIONS]
    implications = [field(name, label, long=True, hint="Leave blank if there are none.")
                    for name, label in ExecutiveReport.IMPLICATIONS]
    risk = [field("risk_management", "Risk Management", long=True)]
    contact = [field(n, lbl) for n, lbl in (
        ("contact_name", "Contact officer"), ("contact_job_title", "Job title"),
        ("contact_department", "Department"), ("contact_phone", "Telephone"),
        ("contact_email", "Email"))]
    rows = [(field(f"recommendation_{i}", f"Recommendation {chr(97 + i)}", long=True),
             field(f"reason_{i}", "Reason")) for i in range(REC_ROWS)]
    glossary = [(field(f"term_{i}", "Term"), field(f"meaning_{i}", "Meaning"))
                for i in range(GLOSSARY_ROWS)]
    summary = [(name, msgs[0]) for name, msgs in field_errors.items()]
    return render(request, "documents/report_form.html", {
        "plan": plan, "report": report, "heading": heading, "body": body,
        "implications": implications, "risk": risk, "contact": contact, "rows": rows,
        "glossary": glossary, "error_summary": summary,
    }, status=status)


def _input_name(error_key: str) -> str:
    for prefix, names in (("recommendations", ("recommendation", "reason")),
                          ("glossary", ("term", "meaning"))):
        if error_key.startswith(prefix + "["):
            index, _, field = error_key[len(prefix) + 1:].partition("].")
            if field in names:
                return f"{field}_{index}"
    return error_key


def _report_read_only(request: HttpRequest, plan: Any, report: ExecutiveReport | None,
                      reason: str) -> HttpResponse:
    from .publishing.executive import SECTIONS

    sections = []
    if report is not None:
        sections = [
            ("Heading", [("Executive meeting date", report.meeting_date and
                          report.meeting_date.strftime("%d %B %Y") or ""),
                         ("Report of the", report.report_of),
                         ("Portfolio of the", report.portfolio_of)]),
            ("The report", [(label, getattr(report, name)) for name, label in SECTIONS]),
            ("Implications", [(label, getattr(report, name))
                              for name, label in ExecutiveReport.IMPLICATIONS]
             + [("Risk Management", report.risk_management)]),
            ("Contact officer", [(label, getattr(report, name)) for name, label in (
                ("contact_name", "Contact officer"), ("contact_job_title", "Job title"),
                ("contact_department", "Department"), ("contact_phone", "Telephone"),
                ("contact_email", "Email"))]),
        ]
    return render(request, "documents/report_read.html", {
        "plan": plan, "report": report, "reason": reason, "sections": sections})


def _refused(request: HttpRequest, exc: PlangovError, plan_id: int) -> HttpResponse:
    return refused(request, exc, back_url=reverse("workflows:plan", args=[plan_id]),
                   back_label="the plan")


@login_required
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import ExecutiveReport
    from .publishing.executive import executive_report_docx

    plan = visible_plans(request.user).filter(pk=pk).first()
    report = ExecutiveReport.objects.filter(plan=plan).first() if plan else None
    if plan is None or report is None or plan.current_version is None:
        raise Http404("No executive report for this plan.")
    data = executive_report_docx(report, plan.current_version)
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="executive-report-{plan.pk}-r{report.revision}.docx"'
    )
    return response
