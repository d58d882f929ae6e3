"""The content import and export API: preview an import into the draft, confirm it, and
export any version as JSON, YAML or DOCX."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.content import PlanContentSerializer
from documents.drafts import draft_get
from documents.drafts_api import DraftSerializer, draft_body
from documents.models import Plan, PlanVersion
from documents.queries import visible_plans
from plangov.errors import InvalidInput, PreconditionFailed
from plangov.ids import path_id
from plangov.openapi import PROBLEM
from plangov.parsers import PolicyMultiPartParser
from plangov.problems import problem

from . import exporting, limits
from .services import apply_import, import_preview, may_import


def visible_plan(user: Any, pk: Any) -> Plan:
    plan = visible_plans(user).filter(pk=path_id(pk)).first()
    if plan is None:
        raise Http404("No such plan, or not yours to see.")
    return plan


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A Word document (.docx), or a JSON or YAML file in the plan content format "
        "(docs/content-format.md), up to 20 MB. The format is found from the file's content "
        "and its name.")


class NotUnderstoodSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["paragraph", "table"])
    position = serializers.IntegerField(help_text="1-based, among the document's paragraphs "
                                        "(or tables).")
    style = serializers.CharField(help_text="The paragraph's Word style.")
    text = serializers.CharField(help_text="Its first words.")
    reason = serializers.CharField()


class OutcomeUnderstoodSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    priorities = serializers.ListField(child=serializers.CharField())


class CountsSerializer(serializers.Serializer):
    outcomes = serializers.IntegerField()
    priorities = serializers.IntegerField()
    indicators = serializers.IntegerField()
    actions = serializers.IntegerField()
    cross_cutting_themes = serializers.IntegerField()
    joint_priorities = serializers.IntegerField()


class UnderstoodSerializer(serializers.Serializer):
    vision_words = serializers.IntegerField()
    outcomes = OutcomeUnderstoodSerializer(many=True)
    indicators = serializers.ListField(child=serializers.CharField())
    actions = serializers.ListField(child=serializers.CharField())
    cross_cutting_themes = serializers.ListField(child=serializers.CharField())
    joint_priorities = serializers.ListField(child=serializers.CharField())
    counts = CountsSerializer()


class ImportPreviewSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Confirm with POST .../draft/import/{token}/confirm/.")
    confirm_url = serializers.CharField()
    expires_at = serializers.DateTimeField()
    filename = serializers.CharField()
    format = serializers.ChoiceField(choices=["docx", "json", "yaml"])
    file_sha256 = serializers.CharField()
    file_size = serializers.IntegerField()
    document_title = serializers.CharField(help_text="A Word document's Title, if it has one "
                                           "(not part of the content).")
    understood = UnderstoodSerializer()
    not_understood = NotUnderstoodSerializer(many=True)
    valid = serializers.BooleanField(help_text="Whether the content passes the plan content "
                                     "validators; a draft keeps it either way.")
    warnings = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="What the validators refuse, by field path (outcomes[0].title).")
    content = serializers.JSONField(help_text="The content read (PlanContent when valid).")
    draft_revision = serializers.IntegerField(allow_null=True, help_text="The draft revision "
                                              "the import will replace.")


def preview_body(record: Any) -> dict[str, Any]:
    return {
        "token": record.token,
        "confirm_url": f"/api/v1/plans/{record.plan_id}/draft/import/{record.token}/confirm/",
        "expires_at": record.expires_at,
        "filename": record.filename,
        **record.preview,
        "content": record.content,
        "draft_revision": record.draft_revision,
    }


class DraftImportView(APIView):
    parser_classes = [PolicyMultiPartParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before anything reads the body (authentication's CSRF check reads it): refuse a
        # body declared too big, count the rest as it arrives.
        try:
            self.upload_cap = limits.guard_upload(request._request)
        except limits.FileRefused as exc:
            raise InvalidInput({"file": [exc.message]}) from exc
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=["drafts"],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportPreviewSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="Read a Word, JSON or YAML file into plan content and answer a preview: "
        "what was understood, every paragraph or table that was not, and what the validators "
        "say. Nothing about the plan changes; confirm with the token to replace the draft. "
        "A file that is not a Word document, a password-protected one, one over 20 MB or one "
        "that unpacks past 100 MB is a 400 naming `file`. The plan's lead officer or deputy.",
    )
    def post(self, request: Request, pk: str) -> Response:
        plan = visible_plan(request.user, pk)
        may_import(plan, request.user)
        upload = request.FILES.get("file")
        if self.upload_cap.exceeded:
            raise InvalidInput({"file": [limits.too_big(self.upload_cap.received).message]})
        try:
            record = import_preview(plan=plan, actor=request.user, upload=upload)
        except limits.FileRefused as exc:
            raise InvalidInput({"file": [exc.message]}) from exc
        return Response(ImportPreviewSerializer(preview_body(record)).data)


class DraftImportConfirmView(APIView):
    @extend_schema(
        tags=["drafts"], request=None,
        responses={200: DraftSerializer, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM,
                   412: PROBLEM},
        description="Put a previewed import into the plan's draft, replacing it; answers the "
        "draft (with its ETag), as GET .../draft/ does. 412, with the draft as it is now in "
        "the problem's `draft`, when the draft was saved after the preview (preview again); "
        "404 for a token that expired, was used, or is someone else's. One event in the "
        "plan's history records the import (the file's SHA-256 and counts, no text).",
    )
    def post(self, request: Request, pk: str, token: str) -> Response:
        plan = visible_plan(request.user, pk)
        may_import(plan, request.user)
        try:
            draft = apply_import(plan=plan, actor=request.user, token=token)
        except PreconditionFailed as exc:
            return stale_draft(request, exc)
        response = Response(DraftSerializer(draft_body(draft)).data)
        response["ETag"] = draft.etag
        return response


def stale_draft(request: Request, exc: PreconditionFailed) -> Response:
    """412 with the draft as it is now, as the draft API answers a stale save."""
    draft = exc.current
    response = problem(412, exc.title, exc.detail, instance=request.get_full_path(),
                       draft=DraftSerializer(draft_body(draft)).data)
    response["ETag"] = draft.etag
    return response


EXPORT_FORMAT = OpenApiParameter("format", str, enum=list(exporting.EXPORT_FORMATS),
                                 required=True, description="The file's format.")
def export_responses(content: Any) -> dict[Any, Any]:
    """The file in each format; YAML parses to the same data as the JSON."""
    return {
        (200, exporting.MEDIA_TYPES["json"]): OpenApiResponse(
            content, description="The content as a file: JSON, YAML (the same data), or a "
            "Word document in the headings and tables the import reads."),
        (200, exporting.MEDIA_TYPES["yaml"]): OpenApiResponse(content),
        (200, exporting.MEDIA_TYPES["docx"]): OpenApiResponse(OpenApiTypes.BINARY),
        400: PROBLEM, 404: PROBLEM,
    }


class _ExportView(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # ``format`` names the export's format here, not a renderer (DRF's URL override).
        return JSONRenderer(), JSONRenderer.media_type


class VersionExportView(_ExportView):
    @extend_schema(
        tags=["plans"], parameters=[EXPORT_FORMAT],
        responses=export_responses(PlanContentSerializer),
        description="Download a version's content as a file (an attachment). Anyone who can "
        "see the plan.",
    )
    def get(self, request: Request, pk: str, number: str) -> HttpResponse:
        plan = visible_plan(request.user, pk)
        version = PlanVersion.objects.filter(plan=plan, number=path_id(number)).first()
        if version is None:
            raise Http404("The plan has no such version.")
        return version_export_response(plan, version, request.query_params.get("format"))


class DraftExportView(_ExportView):
    @extend_schema(
        tags=["drafts"], parameters=[EXPORT_FORMAT],
        responses={**export_responses(OpenApiTypes.OBJECT), 403: PROBLEM},
        description="Download the plan's draft as a file (an attachment), finished or not. "
        "Whoever may write the draft (the lead officer or deputy; 403 for others).",
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        plan = visible_plan(request.user, pk)
        return draft_export_response(plan, request.user, request.query_params.get("format"))


def version_export_response(plan: Plan, version: PlanVersion, file_format: Any) -> HttpResponse:
    return export_response(version.content, file_format,
                           title=f"{plan.title}, version {version.number}",
                           stem=f"{plan.title}-version-{version.number}")


def draft_export_response(plan: Plan, actor: Any, file_format: Any) -> HttpResponse:
    exporting.export_format(file_format)  # a bad format is a 400 before anything else
    draft = draft_get(plan=plan, actor=actor)
    return export_response(draft.content, file_format,
                           title=f"{plan.title}, draft (revision {draft.revision})",
                           stem=f"{plan.title}-draft-{draft.revision}")


def export_response(content: Any, file_format: Any, *, title: str, stem: str) -> HttpResponse:
    export = exporting.export_content(content=content, file_format=file_format, title=title,
                                      stem=stem)
    response = HttpResponse(export.data, content_type=export.media_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
