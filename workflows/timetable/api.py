"""``GET, PUT /api/v1/plans/{id}/timetable/``: the plan's milestones with planned and actual
dates, status and flags; PUT replaces the milestones (``timetable_save``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import Plan
from documents.queries import visible_plans
from governance import policy
from governance.models import Body
from plangov.errors import Forbidden, InvalidInput
from plangov.ids import INT64_MAX
from plangov.openapi import PROBLEM

from .models import MilestoneKind
from .record import FLAG_CHOICES, STATUS_CHOICES, Timetable, timetable_report
from .services import MAX_LABEL, MAX_MILESTONES, MAX_NOTE, timetable_save


class FlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=FLAG_CHOICES, help_text=(
        "board_after_executive: a board's meeting planned or held after the executive's; "
        "forward_plan_missing: a key decision with no forward plan notice recorded; "
        "forward_plan_late: a notice published fewer than 28 clear days before the "
        "executive's meeting (2012 regulations, reg. 9); overdue: due and not in the record; "
        "late: done after its target."))
    message = serializers.CharField()
    milestone = serializers.IntegerField(allow_null=True,
                                         help_text="The index of the milestone it is about.")


class MilestoneSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MilestoneKind.choices)
    label = serializers.CharField(allow_blank=True)
    title = serializers.CharField(help_text="What the timetable calls it.")
    body = serializers.CharField(allow_null=True, help_text="The body's slug (meetings).")
    meeting = serializers.IntegerField(
        allow_null=True, help_text="The body's diary meeting on the target date, if any.")
    target_on = serializers.DateField(help_text="Planned.")
    actual_on = serializers.DateField(
        allow_null=True, help_text="What the record says happened: a consultation round's "
        "dates, a body's decision, the day the plan took effect. Never typed.")
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    status_label = serializers.CharField()
    days = serializers.IntegerField(help_text="Days late (status late) or overdue.")
    key_decision = serializers.BooleanField()
    forward_plan_published_on = serializers.DateField(allow_null=True)
    forward_plan_due_by = serializers.DateField(
        allow_null=True, help_text="A key decision: the last day its notice can be published "
        "(28 clear days before the meeting).")
    forward_plan_clear_days = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    flags = FlagSerializer(many=True)


class TimetableSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    today = serializers.DateField(help_text="The day the statuses are judged on.")
    milestones = MilestoneSerializer(many=True)
    flags = FlagSerializer(many=True)


class MilestoneInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MilestoneKind.choices)
    label = serializers.CharField(required=False, allow_blank=True, default="",
                                  max_length=MAX_LABEL, trim_whitespace=False,
                                  help_text="Required for kind 'other'.")
    body = serializers.SlugField(
        required=False, allow_null=True, default=None, max_length=80,
        help_text="board_meeting: the board's slug (required). The executive's and full "
        "council's meetings take their body from the plan and the partnership.")
    target_on = serializers.DateField()
    key_decision = serializers.BooleanField(
        required=False, default=False, help_text="executive_meeting only.")
    forward_plan_published_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="executive_meeting only: the day the key decision's forward plan notice "
        "was published.")
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=MAX_NOTE, trim_whitespace=False)


class TimetableInputSerializer(serializers.Serializer):
    milestones = serializers.ListField(child=MilestoneInputSerializer(),
                                       max_length=MAX_MILESTONES, allow_empty=True)


def serialise(timetable: Timetable) -> dict[str, Any]:
    def flag(f: Any) -> dict[str, Any]:
        return {"code": f.code, "message": f.message, "milestone": f.milestone}

    milestones = []
    for row in timetable.rows:
        m = row.milestone
        milestones.append({
            "position": row.index, "kind": m.kind, "label": m.label, "title": m.title,
            "body": m.body.slug if m.body_id else None, "meeting": m.meeting_id,
            "target_on": m.target_on, "actual_on": row.actual_on, "status": row.status,
            "status_label": row.status_label, "days": row.days,
            "key_decision": m.key_decision,
            "forward_plan_published_on": m.forward_plan_published_on,
            "forward_plan_due_by": row.forward_plan_due_by,
            "forward_plan_clear_days": row.forward_plan_clear_days,
            "note": m.note, "flags": [flag(f) for f in row.flags],
        })
    return TimetableSerializer({
        "plan": timetable.plan.pk, "today": timetable.today, "milestones": milestones,
        "flags": [flag(f) for f in timetable.flags],
    }).data


def _plan(request: Request, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first() if pk <= INT64_MAX else None
    if plan is None:
        raise Http404
    return plan


@extend_schema(tags=["plans"])
class TimetableView(APIView):
    """A plan's timetable: planned milestones against what the record says happened."""

    @extend_schema(operation_id="plans_timetable_retrieve",
                   responses={200: TimetableSerializer, 404: PROBLEM},
                   description="The plan's milestones in order, each with its target date, "
                   "the actual date from the record, its status (done on time, late, due, "
                   "overdue) judged on `today`, and the slippage flags.")
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        return Response(serialise(timetable_report(plan)))

    @extend_schema(
        operation_id="plans_timetable_update",
        request=TimetableInputSerializer,
        responses={200: TimetableSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="Replace the plan's timetable (the lead officer or deputy; not once the "
        "plan is withdrawn or superseded). Errors name the field, e.g. "
        "`milestones[3].target_on`; a board's meeting may not be planned after the "
        "executive's. One event in the plan's history.",
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        # Refuse those who may not manage the plan before reading their input.
        if not (verdict := policy.can_lead(plan, request.user)):
            raise Forbidden(verdict.reason)
        data = TimetableInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bodies = {b.slug: b for b in Body.objects.filter(partnership_id=plan.partnership_id)}
        milestones, errors = [], {}
        for i, item in enumerate(data.validated_data["milestones"]):
            slug = item.get("body")
            if slug is not None and slug not in bodies:
                errors[f"milestones[{i}].body"] = [
                    f"{plan.partnership.name} has no body {slug!r}."]
            milestones.append({**item, "body": bodies.get(slug) if slug else None})
        if errors:
            raise InvalidInput(errors)
        timetable_save(plan=plan, milestones=milestones, actor=request.user)
        return Response(serialise(timetable_report(plan)))
