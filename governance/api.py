"""REST API for bodies and decisions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from plangov.ids import IntegerIdLookup

from .models import Body, Decision, DecisionOutcome


class BodySerializer(serializers.ModelSerializer):
    partnership = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    reports_to = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Body
        fields = ["id", "slug", "name", "kind", "partnership", "parent", "reports_to", "quorum",
                  "meets_every_weeks"]


@extend_schema(tags=["bodies"])
class BodyViewSet(IntegerIdLookup, viewsets.ReadOnlyModelViewSet):
    """Boards, the executive and scrutiny: public facts about how the partnership decides."""

    serializer_class = BodySerializer
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return Body.objects.select_related("partnership", "parent").prefetch_related("reports_to")


class DecisionSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    body_name = serializers.CharField(source="body.name", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    meeting_date = serializers.DateField(source="meeting.date", read_only=True, allow_null=True,
                                         default=None)
    attendance = serializers.IntegerField(source="meeting.attendance", read_only=True,
                                          allow_null=True, default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "body", "body_name", "version", "outcome", "decided_on", "meeting_date",
                  "attendance", "minute_reference", "votes_for", "votes_against",
                  "votes_abstaining", "declarations_of_interest", "reasons", "recorded_by",
                  "recorded_at"]


class DecisionInputSerializer(serializers.Serializer):
    body = serializers.SlugField(help_text="Slug of the deciding body.")
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    decided_on = serializers.DateField(help_text="The date of the meeting that decided.")
    attendance = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, allow_null=True, default=None,
        help_text="Members present; needed the first time a meeting is recorded.",
    )
    minute_reference = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                             default="")
    votes_for = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    votes_against = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    votes_abstaining = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    declarations_of_interest = serializers.CharField(required=False, allow_blank=True, default="")
    reasons = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_body(self, slug: str) -> Body:
        plan = self.context["plan"]
        body = Body.objects.filter(partnership_id=plan.partnership_id, slug=slug).first()
        if body is None:
            raise serializers.ValidationError(f"This plan's partnership has no body {slug!r}.")
        return body
