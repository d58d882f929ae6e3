"""REST API for offline responses: upload a CSV or XLSX file into a consultation round
(202, the import runs in a worker) and follow its progress and row report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import policy
from plangov import tabular
from plangov.errors import InvalidInput
from plangov.ids import path_id
from plangov.openapi import PROBLEM
from plangov.parsers import PolicyMultiPartParser

from .imports.services import import_create, too_big
from .models import ConsultationRound, ResponseImport


def visible_round(request: Any, pk: int) -> ConsultationRound:
    """The round, if the person may see its plan; else 404 (never 403: not theirs to know)."""
    round = ConsultationRound.objects.select_related("plan").filter(pk=path_id(pk)).first()
    if round is None or not policy.can_view_plan(round.plan, request.user):
        raise Http404("No such consultation.")
    return round


def import_progress(record: ResponseImport) -> int:
    """Percent done: the import's rows written (checking the file counts as the first 10%)."""
    if record.status in {"done", "invalid", "failed"}:
        return 100
    if record.status != "importing" or not record.total_rows:
        return 0
    return 10 + int(90 * record.processed_rows / record.total_rows)


class ProblemRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row of the file (1 is the header; 0: the "
                                   "import as a whole).")
    column = serializers.CharField(help_text="The column (its heading, or qID for a question).")
    problem = serializers.CharField()


class ResponseImportSerializer(serializers.ModelSerializer):
    consultation = serializers.IntegerField(source="round_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.SerializerMethodField(help_text="Percent done, 0-100.")
    report = ProblemRowSerializer(many=True, read_only=True, help_text=(
        "The row report: every problem found, up to the first 1,000 (problem_count says how "
        "many in all)."))
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = ResponseImport
        fields = ["id", "consultation", "status", "status_label", "filename", "file_sha256",
                  "only_valid_rows", "progress", "total_rows", "processed_rows", "imported_rows",
                  "skipped_rows", "invalid_rows", "problem_count", "report", "created_by",
                  "created_at", "finished_at"]
        read_only_fields = fields

    def get_progress(self, record: ResponseImport) -> int:
        return import_progress(record)


class ImportCreatedSerializer(ResponseImportSerializer):
    duplicate = serializers.BooleanField(
        read_only=True, help_text="True when this file was already imported (or is being "
        "imported) into the round: nothing new was queued; this is the earlier import.")

    class Meta(ResponseImportSerializer.Meta):
        fields = [*ResponseImportSerializer.Meta.fields, "duplicate"]


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV (UTF-8) or XLSX file, up to 50 MB; see "
                                 "docs/consultation-import.md for its columns.")
    only_valid_rows = serializers.BooleanField(
        default=False, help_text="Import the valid rows even if some rows have problems "
        "(default: import nothing unless every row is valid).")


class SizeLimitHandler(tabular.SizeLimitHandler):
    """Stops reading an upload once it passes the import size limit, so a huge body is
    refused after reading at most the limit, not stored whole first."""

    def __init__(self, request: Any = None):
        super().__init__(request, limit=settings.PLANGOV_IMPORT_MAX_BYTES)


class ImportListView(APIView):
    parser_classes = [PolicyMultiPartParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication, which may read the body (a session's CSRF check reads the
        # form): a body too big is refused unread, and one without a length is cut off at
        # the limit.
        if request.method == "POST":
            limit = settings.PLANGOV_IMPORT_MAX_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + 64 * 1024:  # room for the multipart framing, other fields
                raise InvalidInput({"file": [too_big(length)]})
            request._request.upload_handlers.insert(0, SizeLimitHandler(request._request))
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="consultations_imports_create",
        request={"multipart/form-data": ImportInputSerializer},
        responses={
            202: ImportCreatedSerializer,
            200: OpenApiResponse(ImportCreatedSerializer, description=(
                "The same file was imported into this round before: nothing was queued.")),
            403: PROBLEM, 404: PROBLEM, 409: PROBLEM,
        },
        description="Upload a file of offline responses (paper returns, event notes). The "
        "file is checked whole, then imported in batches by a worker: answers 202 with the "
        "import's id and progress, and its address in Location. Only the plan's lead officer "
        "(or deputy), while the round is open or after it closed, until its summary is "
        "published. A file over 50 MB is refused (400 naming `file`) before it is read whole.",
    )
    def post(self, request: Request, pk: int) -> Response:
        round = visible_round(request, pk)
        try:
            body = request.data
        except UnsupportedMediaType as exc:
            raise InvalidInput({"file": ["Send the file as multipart/form-data, in a field "
                                         "named 'file'."]}) from exc
        data = ImportInputSerializer(data=body)
        if (seen := getattr(request._request, "plangov_upload_too_big", None)) is not None:
            raise InvalidInput({"file": [too_big(seen)]})
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        record, duplicate = import_create(
            round=round, actor=request.user, upload=upload, filename=upload.name or "",
            only_valid_rows=data.validated_data["only_valid_rows"],
        )
        record.refresh_from_db()
        body = ImportCreatedSerializer(record).data
        body["duplicate"] = duplicate
        location = f"/api/v1/consultations/{round.pk}/imports/{record.pk}/"
        return Response(body, status=status.HTTP_200_OK if duplicate else
                        status.HTTP_202_ACCEPTED, headers={"Location": location})


class ImportDetailView(APIView):
    @extend_schema(
        operation_id="consultations_imports_retrieve",
        responses={200: ResponseImportSerializer, 404: PROBLEM},
        description="An import's status, progress, counts and row report.",
    )
    def get(self, request: Request, pk: int, import_id: int) -> Response:
        round = visible_round(request, pk)
        record = ResponseImport.objects.select_related("created_by").filter(
            pk=path_id(import_id), round=round).first()
        if record is None:
            raise Http404("No such import.")
        return Response(ResponseImportSerializer(record).data)
