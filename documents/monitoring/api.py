"""REST API for monitoring an adopted plan: an indicator's readings (list, record one, read
one), the plan's scorecard, and its RAG thresholds. Whoever may see the plan reads; a plan not
theirs to see is a 404. Recording goes through ``documents.monitoring.services``."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.content import DirectionOfGood
from documents.models import IndicatorReading, Plan, RagThresholds
from documents.queries import visible_plans
from plangov.errors import InvalidInput
from plangov.ids import INT64_MAX
from plangov.openapi import PROBLEM
from plangov.pagination import Pagination

from .scorecard import adopted_version, scorecard_as_data, scorecard_build
from .services import indicator_of, rag_thresholds_set, reading_record
from .trends import DEFAULT_THRESHOLDS, RAG_CHOICES, TREND_CHOICES, Rag


class ReadingSerializer(serializers.ModelSerializer):
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    current = serializers.SerializerMethodField(
        help_text="False once a correction has superseded it.")
    supersedes = serializers.SerializerMethodField(
        help_text="The reading this one corrects, if it is a correction.")

    class Meta:
        model = IndicatorReading
        fields = ["id", "indicator_key", "value", "period_label", "period_start", "period_end",
                  "measured_on", "source", "commentary", "entered_by", "entered_at", "current",
                  "superseded_by", "supersedes", "correction_reason"]

    def get_current(self, reading: IndicatorReading) -> bool:
        return reading.superseded_by_id is None

    def get_supersedes(self, reading: IndicatorReading) -> int | None:
        try:
            return reading.supersedes.pk
        except IndicatorReading.DoesNotExist:
            return None


class ReadingInputSerializer(serializers.Serializer):
    value = serializers.FloatField(help_text="The figure, as a number.")
    period_label = serializers.CharField(
        max_length=40, help_text="The period as the papers name it, e.g. '2025/26 Q2'.")
    period_start = serializers.DateField(help_text="Within the plan's period.")
    period_end = serializers.DateField(help_text="Within the plan's period; not before the "
                                       "start.")
    measured_on = serializers.DateField(help_text="The date the figure was measured or "
                                        "published: not in the future, not before the period "
                                        "starts.")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                   default="")
    commentary = serializers.CharField(max_length=20000, required=False, allow_blank=True,
                                       default="")
    corrects = serializers.IntegerField(
        min_value=1, max_value=INT64_MAX, required=False, allow_null=True, default=None,
        help_text="A correction: the id of the current reading it supersedes.")
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                   default="", help_text="Why, for a correction (required "
                                   "then).")


class ScorecardReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    value = serializers.FloatField()
    period_label = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    measured_on = serializers.DateField()


class SeriesPointSerializer(serializers.Serializer):
    period_label = serializers.CharField()
    period_end = serializers.DateField()
    value = serializers.FloatField()


class OutcomeRefSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()


class ScorecardRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    outcome = OutcomeRefSerializer()
    unit = serializers.CharField(allow_blank=True)
    baseline = serializers.FloatField(allow_null=True)
    baseline_period = serializers.CharField(allow_blank=True)
    target = serializers.FloatField(allow_null=True)
    direction_of_good = serializers.ChoiceField(choices=DirectionOfGood.choices)
    latest = ScorecardReadingSerializer(allow_null=True)
    previous = ScorecardReadingSerializer(allow_null=True)
    trend = serializers.ChoiceField(choices=TREND_CHOICES,
                                    help_text="The latest reading against the previous one.")
    trend_vs_baseline = serializers.ChoiceField(choices=TREND_CHOICES)
    rag = serializers.ChoiceField(choices=RAG_CHOICES)
    series = SeriesPointSerializer(many=True, required=False,
                                   help_text="Current readings, oldest first; only with "
                                   "`series=true`.")


class SummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    comparable = serializers.IntegerField(help_text="Indicators where a trend can be "
                                          "identified.")
    improved = serializers.IntegerField()
    no_change = serializers.IntegerField()
    worse = serializers.IntegerField()
    not_comparable = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True, help_text="Improved, as a whole "
                                       "percentage of comparable; null when none is.")
    sentence = serializers.CharField()


class ThresholdsSerializer(serializers.Serializer):
    green_within_percent = serializers.FloatField(min_value=0, max_value=100)
    amber_within_percent = serializers.FloatField(min_value=0, max_value=100)


class VersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class FiltersSerializer(serializers.Serializer):
    outcome = serializers.CharField(allow_null=True)
    rag = serializers.CharField(allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    version = VersionRefSerializer(help_text="The adopted version the indicators come from.")
    thresholds = ThresholdsSerializer()
    filters = FiltersSerializer()
    summary = SummarySerializer()
    indicators = ScorecardRowSerializer(many=True)


def _plan(request: Request, pk: int) -> Plan:
    plans = visible_plans(request.user).defer("current_version__content")
    plan = plans.filter(pk=pk).first() if pk <= INT64_MAX else None
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "").strip().lower()
    if raw in {"", "false", "0", "no"}:
        return False
    if raw in {"true", "1", "yes"}:
        return True
    raise InvalidInput({name: ["Give true or false."]})


def _readings(plan: Plan, key: str) -> Any:
    return (IndicatorReading.objects.filter(plan=plan, indicator_key=key)
            .select_related("entered_by", "supersedes")
            .order_by("period_end", "period_start", "id"))


def _indicator(plan: Plan, key: str) -> None:
    """404 for an indicator the adopted version does not have (409 before adoption)."""
    if indicator_of(adopted_version(plan).content or {}, key) is None:
        raise Http404(f"The adopted plan has no indicator with the key {key!r}.")


def _location(plan: Plan, reading: IndicatorReading) -> str:
    return reverse("plan-indicator-reading", kwargs={
        "pk": plan.pk, "key": reading.indicator_key, "reading_id": reading.pk})


@extend_schema(tags=["monitoring"])
class ReadingsView(APIView):
    """An indicator's readings, and recording one (or a correction)."""

    pagination_class = Pagination

    @extend_schema(
        operation_id="plans_indicators_readings_list",
        parameters=[OpenApiParameter(
            "include_superseded", bool, required=False,
            description="Also list the readings corrections have superseded.")],
        responses={200: ReadingSerializer(many=True), 400: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="The indicator's current readings, oldest period first (with "
        "`include_superseded`, the corrected ones too). 409 before the plan is adopted; 404 "
        "for an indicator the adopted version does not have.",
    )
    def get(self, request: Request, pk: int, key: str) -> Response:
        plan = _plan(request, pk)
        include_superseded = _flag(request, "include_superseded")
        _indicator(plan, key)
        readings = _readings(plan, key)
        if not include_superseded:
            readings = readings.filter(superseded_by__isnull=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(readings, request, view=self)
        return paginator.get_paginated_response(ReadingSerializer(page, many=True).data)

    @extend_schema(
        operation_id="plans_indicators_readings_create",
        request=ReadingInputSerializer,
        responses={201: ReadingSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="Record a reading for one period: the plan's lead officer or deputy, a "
        "lead linked to the plan, or staff. A period outside the plan's, a value that is not "
        "a number, an indicator the adopted version does not have (`indicator`), or a "
        "second current reading for the same period is a 400 naming the field, nothing "
        "saved. A correction is a new reading that supersedes the old one: give `corrects` "
        "and a `reason`. 409 before the plan is adopted. The new reading's address is in "
        "Location.",
    )
    def post(self, request: Request, pk: int, key: str) -> Response:
        plan = _plan(request, pk)
        data = ReadingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reading = reading_record(plan=plan, indicator_key=key, actor=request.user,
                                 **data.validated_data)
        reading = _readings(plan, key).get(pk=reading.pk)
        return Response(ReadingSerializer(reading).data, status=status.HTTP_201_CREATED,
                        headers={"Location": _location(plan, reading)})


@extend_schema(tags=["monitoring"])
class ReadingView(APIView):
    @extend_schema(operation_id="plans_indicators_readings_retrieve",
                   responses={200: ReadingSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int, key: str, reading_id: int) -> Response:
        plan = _plan(request, pk)
        reading = (_readings(plan, key).filter(pk=reading_id).first()
                   if reading_id <= INT64_MAX else None)
        if reading is None:
            raise Http404("No such reading.")
        return Response(ReadingSerializer(reading).data)


@extend_schema(tags=["monitoring"])
class ScorecardView(APIView):
    @extend_schema(
        operation_id="plans_scorecard_retrieve",
        parameters=[
            OpenApiParameter("outcome", str, required=False,
                             description="Only the indicators of this outcome (its key)."),
            OpenApiParameter("rag", str, required=False, enum=[r.value for r in Rag],
                             description="Only the indicators with this RAG status."),
            OpenApiParameter("series", bool, required=False,
                             description="Also each indicator's current readings over time "
                             "(its series), oldest first."),
        ],
        responses={200: ScorecardSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
        description="Every indicator of the adopted version, in the content's order, with its "
        "latest and previous readings, the trend against the previous reading and against "
        "the baseline, its RAG status against the target (the plan's thresholds) and, with "
        "`series`, its readings over time; and the summary of the indicators shown: \"Of 17 "
        "indicators where a trend can be identified, 14 have improved (82%).\" 409 before "
        "the plan is adopted; an unknown `outcome` or `rag` is a 400 naming it.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        params = request.query_params
        series = _flag(request, "series")
        card = scorecard_build(plan, outcome=params.get("outcome") or None,
                               rag=params.get("rag") or None, series=series)
        # Plain JSON data already, in ScorecardSerializer's shape (the tests check they agree).
        return Response(scorecard_as_data(card))


def _thresholds_data(plan: Plan) -> dict[str, float]:
    row = RagThresholds.objects.filter(plan=plan).first()
    if row is None:
        return {"green_within_percent": DEFAULT_THRESHOLDS.green_within_percent,
                "amber_within_percent": DEFAULT_THRESHOLDS.amber_within_percent}
    return {"green_within_percent": float(row.green_within_percent),
            "amber_within_percent": float(row.amber_within_percent)}


@extend_schema(tags=["monitoring"])
class RagThresholdsView(APIView):
    @extend_schema(operation_id="plans_rag_thresholds_retrieve",
                   responses={200: ThresholdsSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_thresholds_data(_plan(request, pk)))

    @extend_schema(
        operation_id="plans_rag_thresholds_update",
        request=ThresholdsSerializer,
        responses={200: ThresholdsSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="How far from its target an indicator may be and stay green, or amber, "
        "as percentages of the target (0 to 100, amber not below green). Green also when "
        "the target is met. The plan's lead officer or deputy.",
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = ThresholdsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rag_thresholds_set(plan=plan, actor=request.user, **data.validated_data)
        return Response(_thresholds_data(plan))
