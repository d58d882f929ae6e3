"""REST API for a review's scrutiny feedback and external submission: the same services as
the pages (workflows.reviews.scrutiny, .external). Each answers the review's detail, as
GET /api/v1/reviews/{id}/ does."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import FeedbackPoint, Review
from plangov.ids import path_id
from plangov.openapi import PROBLEM
from plangov.parsers import PolicyMultiPartParser

from .api import ReviewDetailSerializer, review_detail, visible_reviews
from .external import external_submission_record, external_submission_set
from .scrutiny import (
    feedback_point_answer,
    review_feedback_incorporated,
    scrutiny_feedback_record,
)

ANSWERS = {200: ReviewDetailSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
           409: PROBLEM}


def _review(request: Request, pk: object) -> Review:
    return get_object_or_404(visible_reviews(request.user), pk=path_id(pk))


class ScrutinyFeedbackInput(serializers.Serializer):
    meeting_on = serializers.DateField(help_text="The day the committee met; not in the "
                                       "future, nor before the review was sent to it.")
    attendance = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          min_value=0, max_value=1000,
                                          help_text="Needed when the meeting is not recorded.")
    points = serializers.ListField(child=serializers.CharField(allow_blank=True,
                                                               trim_whitespace=False),
                                   max_length=200, help_text="The committee's points, in order; "
                                   "they are numbered from 1.")
    summary = serializers.CharField(required=False, allow_blank=True, default="",
                                    trim_whitespace=False)


class PointAnswerInput(serializers.Serializer):
    response = serializers.CharField(allow_blank=True, trim_whitespace=False)


class IncorporatedInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                 help_text="How the feedback was incorporated.")


class SubmissionSetInput(serializers.Serializer):
    recipient = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False)
    deadline = serializers.DateField()


class SubmissionSentInput(serializers.Serializer):
    """That the review was sent (the tasks API's answer to a submission task; JSON)."""

    submitted_on = serializers.DateField()
    what_was_sent = serializers.CharField(allow_blank=True, trim_whitespace=False)


class SubmissionRecordInput(SubmissionSentInput):
    file = serializers.FileField(required=False, allow_null=True, default=None,
                                 help_text="The file sent (multipart); only its SHA-256 is "
                                 "kept.")


@extend_schema(tags=["reviews"])
class ScrutinyFeedbackView(APIView):
    """The scrutiny committee's feedback on the review, recorded by its secretary or their
    deputy (403 for anyone else, 409 outside the scrutiny stage)."""

    @extend_schema(request=ScrutinyFeedbackInput, responses={**ANSWERS, 201:
                                                             ReviewDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        review = _review(request, pk)
        data = ScrutinyFeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        scrutiny_feedback_record(review=review, actor=request.user, **data.validated_data)
        return review_detail(request, review, status.HTTP_201_CREATED)


@extend_schema(tags=["reviews"])
class FeedbackPointView(APIView):
    """The lead officer's (or deputy's) response to point ``number`` of the latest feedback."""

    @extend_schema(request=PointAnswerInput, responses=ANSWERS)
    def post(self, request: Request, pk: int, number: int) -> Response:
        review = _review(request, pk)
        point = FeedbackPoint.objects.filter(feedback__review=review, number=number).order_by(
            "-feedback__recorded_at", "-pk").first() if number <= 10000 else None
        if point is None:
            raise NotFound(f"The feedback has no point {number}.")
        data = PointAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        feedback_point_answer(point=point, actor=request.user, **data.validated_data)
        return review_detail(request, review)


@extend_schema(tags=["reviews"])
class FeedbackIncorporatedView(APIView):
    """Record that scrutiny's feedback was incorporated: the lead officer, once every point
    is answered (409 naming the unanswered points)."""

    @extend_schema(request=IncorporatedInput, responses=ANSWERS)
    def post(self, request: Request, pk: int) -> Response:
        review = _review(request, pk)
        data = IncorporatedInput(data=request.data)
        data.is_valid(raise_exception=True)
        review_feedback_incorporated(review=review, actor=request.user, **data.validated_data)
        return review_detail(request, review)


@extend_schema(tags=["reviews"])
class ExternalSubmissionView(APIView):
    """Set (PUT) the recipient and deadline of the review's external submission: its task is
    due on the deadline, reminded before and escalated once after."""

    @extend_schema(request=SubmissionSetInput, responses=ANSWERS)
    def put(self, request: Request, pk: int) -> Response:
        review = _review(request, pk)
        data = SubmissionSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        external_submission_set(review=review, actor=request.user, **data.validated_data)
        return review_detail(request, review)


@extend_schema(tags=["reviews"])
class ExternalSubmittedView(APIView):
    """Record the review as submitted (multipart, with the file sent if there is one): any
    stage but withdrawn, so also before the executive approves."""

    parser_classes = [PolicyMultiPartParser]

    @extend_schema(request={"multipart/form-data": SubmissionRecordInput}, responses=ANSWERS)
    def post(self, request: Request, pk: int) -> Response:
        review = _review(request, pk)
        data = SubmissionRecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        external_submission_record(review=review, actor=request.user, **data.validated_data)
        return review_detail(request, review)
