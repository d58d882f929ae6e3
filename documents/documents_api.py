"""The signed documents API: ask for one, follow its rendering, download it, verify a PDF."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from plangov.errors import InvalidInput
from plangov.ids import IdField, IntegerIdLookup, query_id
from plangov.openapi import PROBLEM
from plangov.parsers import PolicyMultiPartParser

from .models import DocumentKind, DocumentStatus, SignedDocument
from .publishing import upload_limit
from .publishing.services import document_request, document_verify
from .publishing.verify import NotAPdf
from .queries import visible_plans
from .views import signed_file_response


class SignedDocumentSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    decision = serializers.IntegerField(source="decision_id", read_only=True, allow_null=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = SignedDocument
        fields = [
            "id", "key", "kind", "plan", "version", "decision", "report_revision", "status",
            "progress", "progress_label", "attempts", "error", "content_sha256", "file_sha256",
            "file_size", "page_count", "signer", "requested_at", "signed_at", "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, document: SignedDocument) -> str | None:
        if document.status != DocumentStatus.DONE:
            return None
        return f"/api/v1/documents/{document.pk}/file/"


class DocumentRequestSerializer(serializers.Serializer):
    plan = IdField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    decision = IdField(required=False, allow_null=True)


class VerifySerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The PDF to check, up to 50 MB.")


class VerificationSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=["valid", "altered", "untrusted", "unsigned"])
    summary = serializers.CharField()
    file_sha256 = serializers.CharField()
    matches_record = serializers.BooleanField()
    signature = serializers.DictField()
    document = serializers.DictField(allow_null=True)
    problems = serializers.ListField(child=serializers.CharField())


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("plan", int, description="Only this plan's documents (its id)."),
]))
class DocumentViewSet(
    IntegerIdLookup, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Signed PDFs of the plans you can see: the adopted plan, decision notices, executive
    reports."""

    serializer_class = SignedDocumentSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # verify: before anything reads the body, a declared length past the limit is refused
        # unread, and any other body is read only up to the limit
        # (documents.publishing.upload_limit).
        if self.action == "verify" and request.method == "POST":
            if (error := upload_limit.guard(request._request)) is not None:
                raise InvalidInput({"file": [error]})
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return SignedDocument.objects.none()
        queryset = SignedDocument.objects.select_related("version").filter(
            plan__in=visible_plans(self.request.user)
        )
        plan = query_id(self.request.query_params, "plan")
        if plan is not None:
            queryset = queryset.filter(plan_id=plan)
        return queryset

    @extend_schema(
        request=DocumentRequestSerializer,
        responses={202: SignedDocumentSerializer, 404: PROBLEM, 409: PROBLEM},
        description="Ask for a signed PDF: the adopted plan, a decision notice or the executive "
        "report. Asking again for the same thing returns the same document.",
    )
    def create(self, request: Request) -> Response:
        data = DocumentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = visible_plans(request.user).filter(pk=data.validated_data["plan"]).first()
        if plan is None:
            raise Http404("No such plan.")
        document = document_request(
            plan=plan, actor=request.user, kind=data.validated_data["kind"],
            decision_id=data.validated_data.get("decision"),
        )
        document.refresh_from_db()
        return Response(SignedDocumentSerializer(document).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The PDF")})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        document = self.get_object()
        if document.status != DocumentStatus.DONE:
            raise Http404("This document is not signed yet.")
        return signed_file_response(document)

    @extend_schema(
        request={"multipart/form-data": VerifySerializer},
        responses={200: VerificationSerializer},
        description="Public. Is the PDF's signature intact and trusted, which plan and version "
        "is it, and is it byte for byte the signed-off record? A PDF altered in any way "
        "answers 200 with verdict 'altered'; a file that is not a PDF, or is over 50 MB, 400 (an "
        "upload over the limit is refused before it is read whole).",
    )
    @action(detail=False, methods=["post"], permission_classes=[AllowAny],
            authentication_classes=[], parser_classes=[PolicyMultiPartParser])
    def verify(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if (error := upload_limit.refusal(request, upload)) is not None:
            raise InvalidInput({"file": [error]})
        try:
            result = document_verify(data=upload.read())  # type: ignore[union-attr]
        except NotAPdf as exc:
            raise InvalidInput({"file": [str(exc)]}) from exc
        return Response(result)
