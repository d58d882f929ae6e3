"""REST API for consultation rounds: a plan's rounds (list, set one up) and one round (read,
change; its questions only while it is not yet open). Opening and closing go through the
plan's lifecycle actions and the beat scan; every change through
governance.consultation.services."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import Plan
from documents.queries import visible_plans
from governance.consultation.models import Channel, ConsultationRound, QuestionKind
from governance.consultation.services import (
    audiences_for,
    questions_set,
    round_create,
    round_publish_summary,
    round_update,
)
from plangov.errors import InvalidInput
from plangov.ids import INT64_MAX
from plangov.openapi import PROBLEM
from plangov.pagination import Pagination


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                  help_text="Stored with each answer; from the label if left out.")
    label = serializers.CharField(max_length=200)


class QuestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices, default=QuestionKind.FREE_TEXT)
    text = serializers.CharField(max_length=1000, help_text="The question, in standard words.")
    children_text = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="",
        help_text="The same question in plain words for children.")
    required = serializers.BooleanField(default=False)
    group = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text="The heading the question is shown under (the outcome's title by default).")
    outcome_key = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="",
        help_text="An outcome of the version consulted on.")
    choices = ChoiceSerializer(
        many=True, required=False, default=list,
        help_text="Single and multiple choice only (at least two); an agreement question "
        "always offers strongly agree .. strongly disagree.")


class RoundSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True,
                                       allow_null=True, default=None,
                                       help_text="The number of the version consulted on.")
    audiences = serializers.SerializerMethodField()
    questions = QuestionSerializer(many=True, read_only=True)
    summary_published = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationRound
        fields = ["id", "plan", "number", "title", "purpose", "status", "status_label",
                  "recorded", "opens_at", "closes_at", "opens_on", "closes_on", "opened_at",
                  "closed_at", "closed_on", "version", "audiences", "channels", "children_form",
                  "privacy_notice", "retention_months", "drafting_cycle", "summary_published",
                  "summary_published_on", "summary_published_at", "questions"]

    @extend_schema(responses=serializers.ListField(child=serializers.CharField()))
    def get_audiences(self, round: ConsultationRound) -> list[str]:
        return [a.slug for a in round.audiences.all()]

    def get_summary_published(self, round: ConsultationRound) -> bool:
        return round.summary_published_at is not None


class RoundInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    opens_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="When it opens by itself (the beat scan); leave out to open it by hand. A "
        "round recorded after the event: when it opened, in the past.")
    closes_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="When it closes by itself; in the future unless recorded after the event.")
    recorded = serializers.BooleanField(
        required=False, help_text="Recorded after the event, not run on plangov (past dates).")
    version = serializers.IntegerField(
        min_value=1, max_value=INT64_MAX, required=False, allow_null=True,
        help_text="The number of the version consulted on.")
    audiences = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False,
        help_text="Audience slugs of the plan's partnership (default: all of them).")
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False,
        help_text="Default: the online form.")
    children_form = serializers.BooleanField(required=False)
    privacy_notice = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    retention_months = serializers.IntegerField(min_value=1, max_value=120, required=False)
    questions = QuestionSerializer(
        many=True, required=False,
        help_text="All the round's questions, in order (replacing any it has); only while "
        "the round is not yet open (409 after).")


class RoundPatchSerializer(RoundInputSerializer):
    title = serializers.CharField(max_length=200, required=False)


def _resolve(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """Version numbers and audience slugs to the plan's own, naming each field it misses."""
    errors: dict[str, list[str]] = {}
    if "version" in data and data["version"] is not None:
        version = plan.versions.filter(number=data["version"]).first()
        if version is None:
            errors["version"] = [f"The plan has no version {data['version']}."]
        data["version"] = version
    if "audiences" in data:
        known = {a.slug: a for a in audiences_for(plan.partnership)}
        unknown = [slug for slug in data["audiences"] if slug not in known]
        if unknown:
            errors["audiences"] = [f"Not an audience of {plan.partnership.name}: "
                                   f"{', '.join(unknown)}. Audiences: {', '.join(known)}."]
        data["audiences"] = [known[s] for s in data["audiences"] if s in known]
    if errors:
        raise InvalidInput(errors)
    return data


def _rounds() -> Any:
    return ConsultationRound.objects.select_related("version").prefetch_related(
        "audiences", "questions")


def _plan(request: Request, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first() if pk <= INT64_MAX else None
    if plan is None:
        raise Http404
    return plan


def _round(request: Request, pk: int) -> ConsultationRound:
    round = (
        _rounds().filter(pk=pk, plan__in=visible_plans(request.user)).first()
        if pk <= INT64_MAX else None
    )
    if round is None:
        raise Http404
    return round


def _body(round: ConsultationRound) -> dict[str, Any]:
    return RoundSerializer(_rounds().get(pk=round.pk)).data


@extend_schema(tags=["consultations"])
class PlanConsultationsView(APIView):
    """A plan's consultation rounds, and setting up a new one."""

    # Tells the schema the list is paginated (count, next, previous, results), as it is.
    pagination_class = Pagination

    @extend_schema(operation_id="plans_consultations_list",
                   responses={200: RoundSerializer(many=True), 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(_rounds().filter(plan=plan).order_by("number"),
                                           request, view=self)
        return paginator.get_paginated_response(RoundSerializer(page, many=True).data)

    @extend_schema(
        operation_id="plans_consultations_create",
        request=RoundInputSerializer,
        responses={201: RoundSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="Set up a round (not yet open): the plan's lead officer or deputy. It "
        "opens at `opens_at` by itself, or by the plan's `start_consultation` action. A round "
        "recorded after the event (`recorded`) takes past dates.",
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = RoundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = _resolve(plan, dict(data.validated_data))
        questions = values.pop("questions", None)
        with transaction.atomic():
            round = round_create(plan=plan, actor=request.user, **values)
            if questions is not None:
                questions_set(round=round, questions=questions, actor=request.user)
        return Response(_body(round), status=status.HTTP_201_CREATED)


@extend_schema(tags=["consultations"])
class ConsultationView(APIView):
    """One consultation round: read it; change it (its questions only before it opens)."""

    @extend_schema(operation_id="consultations_retrieve",
                   responses={200: RoundSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        return Response(RoundSerializer(_round(request, pk)).data)

    @extend_schema(
        operation_id="consultations_partial_update",
        request=RoundPatchSerializer,
        responses={200: RoundSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="Change a round: everything before it opens; once open, its title, "
        "purpose, privacy notice and closing time; `questions` only before it opens (409 "
        "after); nothing once closed (409).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        round = _round(request, pk)
        data = RoundPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = _resolve(round.plan, dict(data.validated_data))
        questions = values.pop("questions", None)
        with transaction.atomic():
            if values:
                round = round_update(round=round, changes=values, actor=request.user)
            if questions is not None:
                questions_set(round=round, questions=questions, actor=request.user)
        return Response(_body(round))


class SummaryPublicationInputSerializer(serializers.Serializer):
    published_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="The day the summary was published (default: today); not before the round "
        "closed, never in the future.")


@extend_schema(tags=["consultations"])
class ConsultationPublicationView(APIView):
    """Publish the summary of a closed round (the plan's lead officer or deputy): what a plan
    consulted on by kind needs before it is submitted."""

    @extend_schema(
        operation_id="consultations_publication_create",
        request=SummaryPublicationInputSerializer,
        responses={200: RoundSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="409 while the round is not yet closed.",
    )
    def post(self, request: Request, pk: int) -> Response:
        round = _round(request, pk)
        data = SummaryPublicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round = round_publish_summary(round=round, actor=request.user,
                                      published_on=data.validated_data["published_on"])
        return Response(_body(round))
