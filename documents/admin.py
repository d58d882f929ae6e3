"""Documents in the admin are read-only records. Plans are registered by workflows.admin,
which offers their lifecycle actions."""

from __future__ import annotations

from django.contrib import admin

from governance.admin import ReadOnlyAdmin

from .models import (
    ApprovalStep,
    ContentImport,
    ExecutiveReport,
    PlanDraft,
    PlanVersion,
    SignedDocument,
)


@admin.register(ApprovalStep)
class ApprovalStepAdmin(ReadOnlyAdmin):
    list_display = ["plan", "position", "body"]
    list_select_related = ["plan", "body"]


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "content_hash", "created_by", "effective_on", "submitted_on"]
    list_select_related = ["plan", "created_by"]


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnlyAdmin):
    """Signed documents are made by the render service only; the admin shows them."""

    list_display = ["key", "kind", "status", "progress", "page_count", "signed_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "file_sha256", "content_sha256"]


@admin.register(ExecutiveReport)
class ExecutiveReportAdmin(ReadOnlyAdmin):
    """Edited on the plan's executive report page, through its service."""

    list_display = ["plan", "revision", "updated_by", "updated_at"]


@admin.register(PlanDraft)
class PlanDraftAdmin(ReadOnlyAdmin):
    """A plan's working copy, edited in the draft editor through its service."""

    list_display = ["plan", "revision", "based_on", "updated_by", "updated_at"]
    list_select_related = ["plan", "based_on", "updated_by"]


@admin.register(ContentImport)
class ContentImportAdmin(ReadOnlyAdmin):
    """A content file previewed and waiting for confirmation (documents.content_io); it
    expires by itself."""

    list_display = ["plan", "filename", "file_format", "created_by", "created_at", "expires_at"]
    list_select_related = ["plan", "created_by"]
    exclude = ["token"]  # what confirms it: not shown, even to staff
