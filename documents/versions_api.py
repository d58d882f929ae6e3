"""REST API: compare two versions of a plan (``GET /api/v1/plans/{id}/versions/compare/
?from=N&to=M``), the structured changes of documents.compare."""

from __future__ import annotations

import copy
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plangov.ids import INT64_MAX
from plangov.openapi import PROBLEM

from .compare import KINDS, SECTIONS, compare, summary_phrases
from .models import PlanVersion
from .queries import versions_to_compare, visible_plans


class WordRunSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "delete", "insert"],
                                 help_text="equal: in both; delete: only in the old text; "
                                 "insert: only in the new text.")
    text = serializers.CharField(help_text="The words, with the spacing after them.")


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field that changed, e.g. title, lead, target.")
    old = serializers.JSONField(allow_null=True, help_text="Its value in the old version.")
    new = serializers.JSONField(allow_null=True, help_text="Its value in the new version.")
    diff = WordRunSerializer(many=True, allow_null=True,
                             help_text="Free text only: the change word by word; the equal and "
                             "inserted runs joined are the new text. Null for other fields.")


class ItemChangeSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=list(KINDS)),
        help_text="['added'], ['removed'], or 'moved' and/or 'changed'. Moved: its parent "
        "changed, or it left the longest run of items that kept their order in its list.")
    key = serializers.CharField(allow_null=True, help_text="Outcomes, priorities and "
                                "indicators: the key (their identity). Null for items with no "
                                "key, matched by title.")
    title = serializers.CharField(help_text="Its title (the new one, unless removed).")
    old_parent = serializers.ListField(
        child=serializers.CharField(allow_blank=True), allow_null=True,
        help_text="A priority's or indicator's outcome key; an action's outcome and priority "
        "keys. Empty for the other kinds; null when added.")
    new_parent = serializers.ListField(child=serializers.CharField(allow_blank=True),
                                       allow_null=True, help_text="As old_parent; null when "
                                       "removed.")
    old_position = serializers.IntegerField(allow_null=True, help_text="0-based, in its list.")
    new_position = serializers.IntegerField(allow_null=True, help_text="0-based, in its list.")
    old = serializers.DictField(allow_null=True, help_text="The item in the old version "
                                "(an outcome without its priorities).")
    new = serializers.DictField(allow_null=True, help_text="The item in the new version.")
    fields = FieldChangeSerializer(many=True, help_text="Changed fields, when 'changed'.")


class TextChangeSerializer(serializers.Serializer):
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)
    diff = WordRunSerializer(many=True)


class ChangeCountSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    moved = serializers.IntegerField()
    changed = serializers.IntegerField()


def _per_section(name: str, child: serializers.Field, help_text: str) -> serializers.Serializer:
    """A serializer with one field per kind of item, each a copy of ``child``."""
    fields = {section: copy.deepcopy(child) for section, _, _ in SECTIONS}
    return type(name, (serializers.Serializer,), fields)(help_text=help_text)


class ComparedVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    content_hash = serializers.CharField()
    effective_on = serializers.DateField()


class VersionComparisonSerializer(serializers.Serializer):
    from_version = ComparedVersionSerializer(help_text="The version compared from (old).")
    to_version = ComparedVersionSerializer(help_text="The version compared with (new).")
    total = serializers.IntegerField(help_text="How many changes, the vision counting as one.")
    summary_text = serializers.ListField(
        child=serializers.CharField(),
        help_text="The summary in words, e.g. ['Vision changed', '3 outcomes changed'].")
    summary = _per_section("ChangeCounts", ChangeCountSerializer(),
                           "Per kind of item, how many were added, removed, moved and changed "
                           "(an item both moved and changed counts in both).")
    vision = TextChangeSerializer(allow_null=True, help_text="Null when the vision is the same.")
    sections = _per_section("ChangedItems", ItemChangeSerializer(many=True),
                            "Per kind of item, every item added, removed, moved or changed: "
                            "new order first, then the removed in their old order.")


@extend_schema(tags=["plans"])
class VersionCompareView(APIView):
    @extend_schema(
        operation_id="plans_versions_compare",
        parameters=[
            OpenApiParameter("from", int, required=True,
                             description="The number of the version to compare from (old)."),
            OpenApiParameter("to", int, required=True,
                             description="The number of the version to compare with (new)."),
        ],
        responses={200: VersionComparisonSerializer, 400: PROBLEM, 404: PROBLEM},
        description="What changed between two versions of the plan: outcomes, priorities, "
        "indicators, actions, cross-cutting themes and joint priorities added, removed, moved "
        "or changed (each changed field old and new, free text word by word), and the "
        "vision word by word. `from` and `to` may be in either order, or the same. A missing "
        "`from` or `to`, one that is not a whole number, or not a version of this plan, is a "
        "400 naming it.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plans = visible_plans(request.user).defer("current_version__content",
                                                  "adopted_version__content")
        plan = plans.filter(pk=pk).first() if pk <= INT64_MAX else None
        if plan is None:
            raise Http404("No such plan.")
        old, new = versions_to_compare(plan, request.query_params)
        result = compare(old.content, new.content)
        # The comparison is plain JSON data already, in VersionComparisonSerializer's shape
        # (tests/api/test_compare_api.py checks the two agree); running hundreds of changes
        # through the serializer took most of the answer's time.
        return Response({
            "from_version": _version(old), "to_version": _version(new),
            "total": result["total"], "summary_text": summary_phrases(result),
            "summary": result["summary"], "vision": result["vision"],
            "sections": result["sections"],
        })


def _version(version: PlanVersion) -> dict[str, Any]:
    return {"number": version.number, "content_hash": version.content_hash,
            "effective_on": version.effective_on.isoformat()}
