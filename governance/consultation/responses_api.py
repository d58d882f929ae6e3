"""The public API for responses: ``POST /api/v1/consultations/{id}/responses/`` (no token, no
sign-in, while the round is open), throttled by the public form's per-address ceiling
(governance.consultation.limits) in the shared cache."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from plangov import ratelimit
from plangov.errors import TooManyRequests
from plangov.ids import INT64_MAX
from plangov.openapi import PROBLEM

from . import limits
from .models import ConsultationRound
from .responses import response_submit


class ResponseThrottle(BaseThrottle):
    """The public form's per-address ceiling (PLANGOV_RESPONSES_PER_ADDRESS_HOUR)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            limits.address_hit(ratelimit.client_address(request))
        except TooManyRequests as exc:
            self._wait = exc.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return self._wait


class ResponseInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Question id → answer: text for a free-text question, a choice's value for "
        "a single-choice or agreement question, a list of values for a multiple-choice one. "
        "Leave out questions not answered.",
    )
    audience = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=80,
        help_text="The slug of one of the round's audiences, if the respondent says.",
    )
    children_form = serializers.BooleanField(
        default=False, help_text="Answered on the children's version of the form.")
    consent_to_quote = serializers.BooleanField(
        default=False, help_text="The respondent agrees to be quoted (never by name).")


class ResponseCreatedSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    answers = serializers.IntegerField(help_text="How many answers were stored.")


@extend_schema(tags=["consultations"])
class ResponseCreateView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ResponseThrottle]

    @extend_schema(
        operation_id="consultations_responses_create",
        request=ResponseInputSerializer,
        responses={201: ResponseCreatedSerializer, 400: PROBLEM, 404: PROBLEM, 410: PROBLEM,
                   429: PROBLEM},
        description=(
            "Respond to an open consultation round (public: no token, no sign-in). 400 names "
            "each wrong field (`answers.<question id>`, `audience`); 410 when the round has "
            "closed or is not open yet (nothing is stored); 429 with Retry-After beyond the "
            "per-address ceiling. No personal data is asked for beyond the audience."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        round = ConsultationRound.objects.filter(pk=pk).first() if pk <= INT64_MAX else None  # noqa: A001
        if round is None:
            raise Http404
        data = ResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = response_submit(round=round, **data.validated_data)
        return Response({"round": round.pk, "submitted_at": response.submitted_at,
                         "answers": response.answers.count()}, status=status.HTTP_201_CREATED)
