"""REST API for call-in: members' requests on a plan's executive decision, the scrutiny
committee's outcome, and the publication of an executive decision's notice (from which a
"publication" council's call-in period runs). Every change goes through workflows.callin."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import Plan
from documents.queries import visible_plans
from governance.api import DecisionSerializer
from governance.models import CallInOutcome, CallInOutcomeKind, CallInRequest, Decision

from .callin import call_in_outcome_record, call_in_request_record, decision_publish
from .plans_api import PROBLEM

MAX_ID = 2**63 - 1


class CallInOutcomeSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    attendance = serializers.IntegerField(source="meeting.attendance", read_only=True,
                                          allow_null=True, default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = CallInOutcome
        fields = ["outcome", "body", "decided_on", "attendance", "minute_reference", "votes_for",
                  "votes_against", "votes_abstaining", "declarations_of_interest", "reasons",
                  "recorded_by", "recorded_at"]


class CallInRequestSerializer(serializers.ModelSerializer):
    decision = serializers.IntegerField(source="decision_id", read_only=True,
                                        help_text="The executive decision called in.")
    review = serializers.IntegerField(
        source="decision.review_id", read_only=True, allow_null=True, default=None,
        help_text="The review whose approval was called in; null for the plan's version.")
    requesters = serializers.ListField(child=serializers.CharField(), read_only=True,
                                       help_text="The members who asked, by name.")
    member_count = serializers.IntegerField(read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = CallInRequest
        fields = ["number", "decision", "review", "requested_on", "requesters", "member_count",
                  "by_scrutiny_chair", "reasons", "recorded_by", "recorded_at", "outcome"]

    @extend_schema(responses=CallInOutcomeSerializer(allow_null=True))
    def get_outcome(self, request: CallInRequest) -> dict[str, Any] | None:
        outcome = getattr(request, "outcome", None)
        return CallInOutcomeSerializer(outcome).data if outcome is not None else None


class CallInRequestInputSerializer(serializers.Serializer):
    requesters = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=200,
        help_text="The members requesting the call-in, one name each. Councillors need not be "
        "plangov users.",
    )
    by_scrutiny_chair = serializers.BooleanField(
        default=False, help_text="The scrutiny committee's chair requested it (where the "
        "constitution lets the chair call a decision in alone).")
    reasons = serializers.CharField(max_length=20000, help_text="The members' reasons.")
    requested_on = serializers.DateField(
        help_text="The day the request was made, within the call-in period.")
    decision = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="The executive decision called in: by default the one on the plan's "
        "version; give the id of the executive's decision on a review of the plan to call in "
        "the review's approval (the plan is not touched).")

    def validate_decision(self, decision_id: int) -> Decision:
        plan = self.context.get("plan")
        decision = Decision.objects.filter(plan=plan, pk=decision_id).select_related(
            "review").first() if plan is not None else None
        if decision is None:
            raise serializers.ValidationError(f"This plan has no decision {decision_id}.")
        return decision


class CallInOutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallInOutcomeKind.choices)
    decided_on = serializers.DateField(help_text="The date of the committee's meeting.")
    attendance = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, allow_null=True, default=None,
        help_text="Members present; needed the first time a meeting is recorded.")
    minute_reference = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                             default="")
    votes_for = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    votes_against = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    votes_abstaining = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    declarations_of_interest = serializers.CharField(required=False, allow_blank=True,
                                                     default="", max_length=20000)
    reasons = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=20000)


class PublicationInputSerializer(serializers.Serializer):
    published_on = serializers.DateField(help_text="The day the decision notice was published.")


def _plan(request: Request, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first() if pk <= MAX_ID else None
    if plan is None:
        raise Http404
    return plan


def _requests(plan: Plan) -> Any:
    return CallInRequest.objects.filter(plan=plan).select_related(
        "decision", "recorded_by", "outcome", "outcome__body", "outcome__meeting",
        "outcome__recorded_by"
    ).order_by("number")


@extend_schema(tags=["call-in"])
class CallInListView(APIView):
    """A plan's call-in requests, each with the scrutiny committee's outcome once recorded."""

    @extend_schema(operation_id="plans_call_ins_list",
                   responses={200: CallInRequestSerializer(many=True), 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        return Response(CallInRequestSerializer(_requests(plan), many=True).data)

    @extend_schema(
        operation_id="plans_call_ins_create",
        request=CallInRequestInputSerializer,
        responses={201: CallInRequestSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description=(
            "Record members' request to call in the executive decision on the plan (the "
            "scrutiny committee's secretary or deputy; within the call-in period). The "
            "decision is suspended until the committee's outcome is recorded."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = CallInRequestInputSerializer(data=request.data, context={"plan": plan})
        data.is_valid(raise_exception=True)
        recorded = call_in_request_record(plan=plan, actor=request.user, **data.validated_data)
        recorded = _requests(plan).get(pk=recorded.pk)
        return Response(CallInRequestSerializer(recorded).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["call-in"])
class CallInOutcomeView(APIView):
    @extend_schema(
        operation_id="plans_call_ins_outcome_create",
        request=CallInOutcomeInputSerializer,
        responses={201: CallInRequestSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description=(
            "Record the scrutiny committee's outcome on call-in request ``number``: "
            "no_further_action (the decision takes effect on the meeting's day), "
            "referred_to_executive (the executive reconsiders; its new decision cannot be "
            "called in again) or referred_to_full_council (where the constitution allows)."
        ),
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        plan = _plan(request, pk)
        if number > MAX_ID or not CallInRequest.objects.filter(plan=plan, number=number).exists():
            raise Http404
        data = CallInOutcomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_in_outcome_record(plan=plan, actor=request.user, number=number,
                               **data.validated_data)
        recorded = _requests(plan).get(number=number)
        return Response(CallInRequestSerializer(recorded).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["call-in"])
class DecisionPublicationView(APIView):
    @extend_schema(
        operation_id="plans_decisions_publication_create",
        request=PublicationInputSerializer,
        responses={200: DecisionSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description=(
            "Record the day an executive decision's notice was published (the executive's "
            "secretary). Where the call-in period runs from publication "
            "(PLANGOV_CALL_IN_STARTS=publication), the period starts from that day."
        ),
    )
    def post(self, request: Request, pk: int, decision_id: int) -> Response:
        plan = _plan(request, pk)
        decision = Decision.objects.filter(plan=plan, pk=decision_id).first() \
            if decision_id <= MAX_ID else None
        if decision is None:
            raise Http404
        data = PublicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision_publish(decision=decision, actor=request.user, **data.validated_data)
        decision = Decision.objects.select_related(
            "body", "meeting", "recorded_by", "version").get(pk=decision.pk)
        return Response(DecisionSerializer(decision).data)
