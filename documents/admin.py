"""Documents in the admin are read-only records. Plans are registered by workflows.admin,
which offers their lifecycle actions."""

from __future__ import annotations

from django.contrib import admin

from governance.admin import ReadOnlyAdmin

from .models import (
    ActionProgress,
    ApprovalStep,
    ContentImport,
    ExecutiveReport,
    ExternalSubmission,
    FeedbackPoint,
    IndicatorReading,
    LeadLink,
    PlanDraft,
    PlanVersion,
    ProgressNote,
    ProgressReport,
    RagThresholds,
    Review,
    ScrutinyFeedback,
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


# Monitoring and reviews: written by their services (documents.monitoring, workflows.reviews);
# the admin shows them.


@admin.register(IndicatorReading)
class IndicatorReadingAdmin(ReadOnlyAdmin):
    list_display = ["plan", "indicator_key", "period_label", "value", "measured_on",
                    "superseded_by"]
    list_select_related = ["plan"]
    list_filter = ["indicator_key"]


@admin.register(RagThresholds)
class RagThresholdsAdmin(ReadOnlyAdmin):
    list_display = ["plan", "green_within_percent", "amber_within_percent"]


@admin.register(LeadLink)
class LeadLinkAdmin(ReadOnlyAdmin):
    list_display = ["plan", "name", "person"]
    list_select_related = ["plan", "person"]


@admin.register(ActionProgress)
class ActionProgressAdmin(ReadOnlyAdmin):
    list_display = ["plan", "action_number", "action_title", "status", "status_on"]
    list_select_related = ["plan"]
    list_filter = ["status"]


@admin.register(ProgressNote)
class ProgressNoteAdmin(ReadOnlyAdmin):
    list_display = ["progress", "noted_on", "status", "author"]
    list_select_related = ["progress", "author"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["plan", "kind", "year", "stage", "started_on", "approved_on"]
    list_select_related = ["plan"]
    list_filter = ["kind", "stage"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["review", "priority_title", "lead", "due_on", "submitted_on"]
    list_select_related = ["review", "lead"]


@admin.register(ScrutinyFeedback)
class ScrutinyFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["review", "body", "meeting_on", "recorded_by"]
    list_select_related = ["review", "body", "recorded_by"]


@admin.register(FeedbackPoint)
class FeedbackPointAdmin(ReadOnlyAdmin):
    list_display = ["feedback", "number", "responded_at"]


@admin.register(ExternalSubmission)
class ExternalSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["review", "recipient", "deadline", "submitted_on"]
