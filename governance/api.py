"""REST API for bodies and decisions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from plangov.ids import IntegerIdLookup

from . import policy
from .models import Body, Decision, DecisionOutcome, Partnership


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
    """Boards, the executive and scrutiny of the partnerships you belong to (every partnership
    for superusers and external auditors)."""

    serializer_class = BodySerializer
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        bodies = Body.objects.select_related("partnership", "parent").prefetch_related(
            "reports_to")
        user = getattr(self.request, "user", None)
        if policy.sees_every_partnership(user):
            return bodies
        if not policy._is_person(user):
            return bodies.none()
        leads_in = Partnership.objects.filter(plans__lead_officer=user).values("pk")
        return bodies.filter(
            Q(partnership_id__in=policy.member_partnership_ids(user))
            | Q(partnership_id__in=leads_in)
        )


class DecisionSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    body_name = serializers.CharField(source="body.name", read_only=True)
    version = serializers.IntegerField(
        source="version.number", read_only=True, allow_null=True, default=None,
        help_text="The number of the version decided on; null for a decision on a review.")
    review = serializers.IntegerField(
        source="review_id", read_only=True, allow_null=True, default=None,
        help_text="The id of the review decided on; null for a decision on a version. A "
        "review's approval never counts as a version's.")
    meeting_date = serializers.DateField(source="meeting.date", read_only=True, allow_null=True,
                                         default=None)
    attendance = serializers.IntegerField(source="meeting.attendance", read_only=True,
                                          allow_null=True, default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "body", "body_name", "version", "review", "outcome", "decided_on",
                  "meeting_date", "attendance", "minute_reference", "votes_for", "votes_against",
                  "votes_abstaining", "declarations_of_interest", "reasons",
                  "alternatives_considered", "dispensations", "published_on", "recorded_by",
                  "recorded_at"]


class DecisionInputSerializer(serializers.Serializer):
    body = serializers.SlugField(help_text="Slug of the deciding body.")
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    decided_on = serializers.DateField(
        help_text="The date of the meeting that decided; may be in the past, never in the "
        "future. Not before the version was submitted, nor before the same body's earlier "
        "decision on it; the executive's not before the last board approval it relies on. "
        "A date out of order is a 400 naming both dates."
    )
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
    alternatives_considered = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Alternative options considered and rejected (2012 regulations, reg. 12).",
    )
    dispensations = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Dispensations granted to members with an interest.",
    )

    def validate_body(self, slug: str) -> Body:
        plan = self.context["plan"]
        body = Body.objects.filter(partnership_id=plan.partnership_id, slug=slug).first()
        if body is None:
            raise serializers.ValidationError(f"This plan's partnership has no body {slug!r}.")
        return body
