"""REST API for a plan's draft: read it (with an ETag), save it (If-Match), and save it as
the plan's next version. Every change goes through documents.drafts."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import policy
from plangov.errors import Forbidden, PreconditionFailed, PreconditionRequired
from plangov.ids import INT64_MAX
from plangov.openapi import PROBLEM
from plangov.problems import problem

from .content import PlanContentSerializer
from .drafts import base_is_behind, draft_get, draft_save, draft_save_version, draft_warnings
from .models import Plan, PlanDraft, PlanVersion
from .queries import visible_plans

_ETAG = re.compile(r'\s*(?:W/)?"([0-9]{1,18})"\s*\Z')


class DraftSerializer(serializers.Serializer):
    content = serializers.JSONField(
        help_text="The draft's content: the PlanContent shape, possibly unfinished.")
    revision = serializers.IntegerField(help_text="Goes up on every save; the ETag.")
    based_on = serializers.IntegerField(
        allow_null=True, help_text="The number of the version the draft started from.")
    current_version = serializers.IntegerField(
        allow_null=True, help_text="The plan's current version number.")
    behind = serializers.BooleanField(
        help_text="True when a version was written since the draft started from based_on: "
        "saving the draft as a version would replace it.")
    warnings = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="What the content validators would refuse, by path (outcomes[0].title); "
        "the draft can be saved as a version when this is empty.")
    updated_at = serializers.DateTimeField()
    updated_by = serializers.CharField(allow_null=True)


class DraftInputSerializer(serializers.Serializer):
    content = serializers.JSONField(
        help_text="The draft's content: a JSON object of the PlanContent shape. It may be "
        "unfinished (fail the content validators); it must pass the text policy.")


class SaveVersionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=250, required=False, allow_blank=True, default="",
                                 help_text="A note on the version, kept in its history.")


class VersionOutSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    content = PlanContentSerializer(read_only=True)

    class Meta:
        model = PlanVersion
        fields = ["number", "content_hash", "note", "created_by", "effective_on", "created_at",
                  "content"]


def draft_body(draft: PlanDraft) -> dict[str, Any]:
    plan = draft.plan
    current = plan.current_version
    return {
        "content": draft.content,
        "revision": draft.revision,
        "based_on": draft.based_on.number if draft.based_on_id else None,
        "current_version": current.number if current is not None else None,
        "behind": base_is_behind(draft, plan),
        "warnings": draft_warnings(draft.content),
        "updated_at": draft.updated_at,
        "updated_by": draft.updated_by.get_username() if draft.updated_by_id else None,
    }


def _plan(request: Request, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first() if pk <= INT64_MAX else None
    if plan is None:
        raise Http404("No such plan.")
    # Someone who may see the plan but not write it learns nothing of the draft.
    verdict = policy.can_lead(plan, request.user)
    if not verdict:
        raise Forbidden(verdict.reason)
    return plan


def _expected_revision(request: Request) -> int:
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired(
            'Send the draft\'s ETag in If-Match (for example If-Match: "3"), from the last '
            "GET of the draft, so that a save never overwrites someone else's.")
    match = _ETAG.match(header)
    # An ETag that is not one of the draft's matches no revision: 412, like a stale one.
    return int(match.group(1)) if match else -1


def _with_etag(response: Response, draft: PlanDraft) -> Response:
    response["ETag"] = draft.etag
    return response


def _stale(request: Request, exc: PreconditionFailed) -> Response:
    draft = exc.current
    assert isinstance(draft, PlanDraft)
    body = DraftSerializer(draft_body(draft)).data
    return _with_etag(problem(412, exc.title, exc.detail, instance=request.get_full_path(),
                              draft=body), draft)


IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True,
    description='The ETag of the draft as last read, e.g. "3". Missing: 428. Not the '
    "latest revision: 412, with the current draft in the problem's `draft`.")
ETAG = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=[200, 201, 412],
    description='The draft\'s revision, e.g. "3": send it back in If-Match.')


@extend_schema(tags=["drafts"])
class DraftView(APIView):
    """A plan's draft: the lead officer's working copy, kept apart from its versions."""

    @extend_schema(
        operation_id="plans_draft_retrieve",
        parameters=[ETAG],
        responses={200: DraftSerializer, 403: PROBLEM, 404: PROBLEM},
        description="The plan's draft (made from the current version the first time), with "
        "its warnings. The ETag header is its revision. The plan's lead officer or deputy.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        draft = draft_get(plan=plan, actor=request.user)
        return _with_etag(Response(DraftSerializer(draft_body(draft)).data), draft)

    @extend_schema(
        operation_id="plans_draft_update",
        request=DraftInputSerializer, parameters=[IF_MATCH, ETAG],
        responses={200: DraftSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM, 412: PROBLEM, 428: PROBLEM},
        description="Save the draft as it is, unfinished or not (no audit event). Needs "
        "If-Match; a stale one is 412 with the current draft, and nothing is overwritten.",
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)  # a body that cannot be read is 400 first
        expected = _expected_revision(request)
        try:
            draft = draft_save(plan=plan, content=data.validated_data["content"],
                               expected_revision=expected, actor=request.user)
        except PreconditionFailed as exc:
            return _stale(request, exc)
        return _with_etag(Response(DraftSerializer(draft_body(draft)).data), draft)


@extend_schema(tags=["drafts"])
class DraftSaveVersionView(APIView):
    @extend_schema(
        operation_id="plans_draft_save_version",
        request=SaveVersionInputSerializer, parameters=[IF_MATCH, ETAG],
        responses={201: VersionOutSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM, 412: PROBLEM, 428: PROBLEM},
        description="Write the draft as the plan's next version (one audit event). 400 "
        "listing the draft's warnings until they are put right; 409 once the plan is past "
        "drafting and consultation (keep working in the draft); If-Match as for PUT.",
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = SaveVersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = _expected_revision(request)
        try:
            draft = draft_save_version(plan=plan, expected_revision=expected,
                                       actor=request.user, **data.validated_data)
        except PreconditionFailed as exc:
            return _stale(request, exc)
        body = VersionOutSerializer(draft.based_on).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), draft)
