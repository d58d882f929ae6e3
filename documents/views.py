"""Pages for signed documents: ask for one, watch it render, download it, and verify any PDF
(the verification page is public: anyone holding a published PDF may check it)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from documents.api import visible_plans
from plangov.errors import PlangovError

from .models import DocumentStatus, SignedDocument
from .publishing import storage
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
            decision_id=int(decision) if decision.isdecimal() and decision.isascii() else None,
        )
    except PlangovError as exc:
        title = "You cannot do this" if exc.status == 403 else "This cannot be done now"
        return render(request, "workflows/refused.html", {"title": title, "detail": exc.detail},
                      status=exc.status)
    return redirect("documents:document", pk=document.pk)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    working = document.status in {DocumentStatus.PENDING, DocumentStatus.RENDERING}
    return render(request, "documents/document_detail.html",
                  {"document": document, "working": working})


@login_required
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    if document.status != DocumentStatus.DONE:
        raise Http404("This document is not signed yet.")
    path = storage.path_for(document.file_sha256)
    response = FileResponse(open(path, "rb"), content_type="application/pdf",
                            as_attachment=True, filename=document.filename)
    response["X-Content-SHA256"] = document.file_sha256
    return response


def verify_page(request: HttpRequest) -> HttpResponse:
    """Public: upload a PDF, learn whether it is the signed-off document."""
    context: dict[str, object] = {"max_mib": settings.PLANGOV_VERIFY_MAX_BYTES // 2**20}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = upload_error(upload)
        if error is None:
            try:
                context["result"] = document_verify(data=upload.read())  # type: ignore[union-attr]
            except NotAPdf as exc:
                error = str(exc)
        if error is not None:
            context["error"] = error
            status = 400
    return render(request, "documents/verify.html", context, status=status)


def upload_error(upload: object) -> str | None:
    if upload is None:
        return "Choose a PDF file to check."
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        return "The file is empty; choose the PDF to check."
    if size > settings.PLANGOV_VERIFY_MAX_BYTES:
        return (f"The file is {size / 2**20:.1f} MB; files over "
                f"{settings.PLANGOV_VERIFY_MAX_BYTES // 2**20} MB are not checked.")
    return None
