"""REST API: a consultation round's summary (reach, counts by audience, channel and answer,
themes, published quotes and "you said, we did"), from governance.consultation.analysis.

A published summary is public, as the results page is: anyone may read it, signed in or
not. A summary not yet published is read only by people who may see the plan; to anyone
else the round does not exist (404)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.consultation.analysis import round_summary
from governance.models import ConsultationRound
from plangov.ids import path_id
from plangov.openapi import PROBLEM

from .queries import visible_plans


class _RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    purpose = serializers.CharField()
    status = serializers.CharField(help_text="draft, open or closed.")
    recorded = serializers.BooleanField(help_text="Recorded after the event, not run here.")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(allow_null=True)
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)


class _AudienceReachSerializer(serializers.Serializer):
    audience = serializers.CharField(help_text="The audience's slug.")
    name = serializers.CharField()
    responses = serializers.IntegerField()
    activity_reach = serializers.IntegerField(help_text="People the activities reached.")
    total = serializers.IntegerField()


class _ChannelReachSerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    responses = serializers.IntegerField()
    activities = serializers.IntegerField()
    activity_reach = serializers.IntegerField()


class _ReachSerializer(serializers.Serializer):
    sentence = serializers.CharField(
        help_text='As the papers say it: "45 pieces of work reaching 3,900 children and young '
        'people; 6,300 parent questionnaires; 50 partners".')
    activities = serializers.IntegerField()
    responses = serializers.IntegerField()
    activity_reach = serializers.IntegerField()
    total = serializers.IntegerField()
    unassigned_responses = serializers.IntegerField(help_text="Responses with no audience.")
    by_audience = _AudienceReachSerializer(many=True)
    by_channel = _ChannelReachSerializer(many=True)


class _CountSerializer(serializers.Serializer):
    audience = serializers.CharField(required=False)
    channel = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    label = serializers.CharField(required=False)
    responses = serializers.IntegerField()


class _ChoiceCountSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class _QuestionCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    group = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.CharField()
    answered = serializers.IntegerField()
    choices = _ChoiceCountSerializer(many=True)


class _CountsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    by_audience = _CountSerializer(many=True)
    by_channel = _CountSerializer(many=True)
    questions = _QuestionCountSerializer(many=True)


class _ThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Answers tagged with it.")


class _QuoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    text = serializers.CharField(help_text="The redacted text where the quote was redacted.")
    redacted = serializers.BooleanField()
    audience = serializers.CharField()


class _StatementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    you_said = serializers.CharField()
    we_did = serializers.CharField()
    no_change_reason = serializers.CharField()
    themes = serializers.ListField(child=serializers.CharField())
    quotes = serializers.ListField(child=serializers.CharField())
    outcome_key = serializers.CharField()
    priority_key = serializers.CharField()
    outcome_title = serializers.CharField()
    priority_title = serializers.CharField()
    changed_in_version = serializers.IntegerField(allow_null=True)


class ConsultationSummarySerializer(serializers.Serializer):
    round = _RoundSerializer()
    published = serializers.BooleanField()
    published_on = serializers.DateField(allow_null=True)
    introduction = serializers.CharField()
    reach = _ReachSerializer()
    counts = _CountsSerializer()
    themes = _ThemeSerializer(many=True)
    quotes = _QuoteSerializer(many=True)
    statements = _StatementSerializer(many=True)


class ConsultationSummaryView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="consultation_summary",
        summary="A consultation round's summary",
        description="Reach, counts by audience, channel and answer, themes, published quotes "
        "and \"you said, we did\". Public once published; before that, only people who may "
        "see the plan read it (404 to anyone else).",
        responses={200: ConsultationSummarySerializer, 404: PROBLEM},
    )
    def get(self, request: Request, pk: Any) -> Response:
        rnd = ConsultationRound.objects.select_related("plan", "plan__current_version").filter(
            pk=path_id(pk)).first()
        if rnd is None:
            raise Http404("No such consultation.")
        if rnd.summary_published_at is None and not (
                request.user.is_authenticated
                and visible_plans(request.user).filter(pk=rnd.plan_id).exists()):
            raise Http404("No such consultation.")
        return Response(ConsultationSummarySerializer(round_summary(rnd)).data)
