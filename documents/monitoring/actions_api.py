"""REST API for the progress of an adopted plan's actions: ``GET`` lists every action with
its status and latest note; ``POST`` takes updates as JSON (``{"updates": [...]}``) or a
spreadsheet (multipart ``file``), checked whole by the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import ActionStatus, Plan
from documents.queries import visible_plans
from plangov import tabular
from plangov.errors import InvalidInput
from plangov.ids import path_id
from plangov.openapi import PROBLEM
from plangov.parsers import JSONParser, PolicyMultiPartParser
from plangov.problems import problem

from .actions import ActionRow, BulkResult, action_progress_bulk, action_rows
from .progress_import import RowReport, max_bytes, progress_file_import


class NoteSerializer(serializers.Serializer):
    noted_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    text = serializers.CharField()
    author = serializers.CharField(source="author.username")
    recorded_at = serializers.DateTimeField()


class ActionProgressSerializer(serializers.Serializer):
    action_number = serializers.IntegerField(source="number", help_text=(
        "The action's position (1-based) in the adopted version's actions."))
    title = serializers.CharField()
    lead = serializers.CharField(help_text="The lead as the plan names it.")
    lead_person = serializers.CharField(source="person.username", allow_null=True,
                                        default=None, help_text="The person linked to the "
                                        "lead (username), or null.")
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    status_on = serializers.DateField(allow_null=True, help_text="The date of the status.")
    latest_note = NoteSerializer(source="note", allow_null=True)


class ProgressListSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True, help_text="The adopted version's "
                                       "number (null: the plan is not adopted).")
    actions = ActionProgressSerializer(many=True)


class UpdateInputSerializer(serializers.Serializer):
    action_number = serializers.IntegerField(min_value=1)
    action_title = serializers.CharField(required=False, help_text=(
        "Optional: if given, must be the action's title in the adopted version."))
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    noted_on = serializers.DateField(help_text="The day of the progress: not in the future, "
                                     "not before the plan's adoption.")
    text = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="The progress note (up to 5,000 characters).")


class BulkInputSerializer(serializers.Serializer):
    updates = UpdateInputSerializer(many=True)


class FileInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, up to 5 MB, with columns "
                                 "action number, action title, status, date, progress note.")


class BulkResultSerializer(serializers.Serializer):
    updates = serializers.IntegerField(help_text="Progress notes written.")
    actions = serializers.IntegerField(help_text="Actions updated.")
    skipped = serializers.IntegerField(help_text="Updates recorded before (the same note on "
                                       "the same action and date): not written again.")
    progress = ActionProgressSerializer(many=True, help_text="Every action, as now.")


def _plan(request: Request, pk: Any) -> Plan:
    plan = visible_plans(request.user).filter(pk=path_id(pk)).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _listing(plan: Plan, *, status: str = "") -> dict[str, Any]:
    rows: list[ActionRow] = action_rows(plan, status=status)
    version = plan.adopted_version.number if plan.adopted_version_id else None
    return {"plan": plan.pk, "version": version,
            "actions": ActionProgressSerializer(rows, many=True).data}


class ActionsProgressView(APIView):
    parser_classes = [JSONParser, PolicyMultiPartParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication (which may read the body): a body declared too big is refused
        # unread, and a multipart upload is cut off at the limit.
        if request.method == "POST":
            limit = max_bytes()
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + 64 * 1024:
                field = "file" if request.content_type.startswith("multipart/") else "request"
                raise InvalidInput({field: [tabular.too_big(length, limit)]})
            request._request.upload_handlers.insert(
                0, tabular.SizeLimitHandler(request._request, limit=limit))
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="plans_actions_progress_list",
        responses={200: ProgressListSerializer, 400: PROBLEM, 404: PROBLEM},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH),
                    OpenApiParameter("status", str, enum=ActionStatus.values, description=(
                        "Only the actions with this status."))],
        description="Every action of the plan's adopted version (numbered from 1) with its "
        "lead, linked person, status and latest progress note.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        status = request.query_params.get("status", "")
        if status and status not in ActionStatus.values:
            raise InvalidInput({"status": ["Not a status; use one of: "
                                           + ", ".join(ActionStatus.values) + "."]})
        return Response(_listing(plan, status=status))

    @extend_schema(
        operation_id="plans_actions_progress_create",
        request={"application/json": BulkInputSerializer,
                 "multipart/form-data": FileInputSerializer},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: BulkResultSerializer,
                   400: OpenApiResponse(PROBLEM.response, description=(
                       "Nothing was saved. JSON: `errors` names each wrong field as "
                       "`updates[3].status`. A file: `errors.file` lists each problem as "
                       "'Row 7, status: ...', and `report` the row report (row, column, "
                       "problem).")),
                   403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
        description="Progress notes on the adopted version's actions, each with the action's "
        "status and the date of the progress. Everything is checked first; if anything is "
        "wrong nothing is saved, else all are written at once. Allowed: the plan's lead "
        "officer (or deputy) and staff for every action; a linked lead for their own.",
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        try:
            body = request.data
        except (UnsupportedMediaType, ParseError) as exc:
            raise InvalidInput({"request": [
                "Send JSON ({\"updates\": [...]}) or a file as multipart/form-data in a field "
                "named 'file'."]}) from exc
        if (seen := getattr(request._request, "plangov_upload_too_big", None)) is not None:
            raise InvalidInput({"file": [tabular.too_big(seen, max_bytes())]})
        try:
            if request.content_type.startswith("multipart/"):
                upload = request.FILES.get("file")
                result = progress_file_import(plan=plan, upload=upload, actor=request.user,
                                              filename=getattr(upload, "name", "") or "")
            else:
                if not isinstance(body, dict) or "updates" not in body:
                    raise InvalidInput({"updates": ["Give the updates: {\"updates\": [...]}."]})
                unknown = sorted(str(k) for k in body if k != "updates")
                if unknown:
                    raise InvalidInput({k: ["Not a field of this request."] for k in unknown})
                result = action_progress_bulk(plan=plan, updates=body["updates"],
                                              actor=request.user)
        except RowReport as exc:
            return problem(400, exc.title, exc.detail, instance=request.get_full_path(),
                           errors=exc.errors, report=[p.as_dict() for p in exc.problems])
        return Response(_result(plan, result))


def _result(plan: Plan, result: BulkResult) -> dict[str, Any]:
    plan.refresh_from_db()
    return {"updates": result.updates, "actions": result.actions, "skipped": result.skipped,
            "progress": _listing(plan)["actions"]}
