"""REST API for reviews: a plan's reviews (list, start), one review (read, compile with PUT),
and the lead officer's moves (POST actions/{action}/). Every change goes through
workflows.reviews.services; a review is visible to whoever may see its plan."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import (
    FeedbackPoint,
    LeadLink,
    ProgressReport,
    Review,
    ReviewKind,
    ReviewStage,
    ScrutinyFeedback,
    SignedDocument,
)
from documents.queries import visible_plans
from governance.models import Decision
from plangov.ids import ID_REGEX, path_id
from plangov.openapi import PROBLEM

from ..models import TaskKind
from . import routing
from .lifecycle import USER_ACTIONS, ReviewLifecycle
from .services import review_compile, review_fire, review_start


def visible_reviews(user: Any) -> QuerySet[Review]:
    """Reviews of plans ``user`` may see, and of plans where a lead named in the content is
    linked to them (a priority lead reports progress on it)."""
    if not getattr(user, "is_authenticated", False):
        return Review.objects.none()
    linked = LeadLink.objects.filter(plan_id=OuterRef("plan_id"), person=user)
    return Review.objects.filter(Q(plan__in=visible_plans(user)) | Q(Exists(linked)))


class ReviewSummarySerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    started_by = serializers.CharField(source="started_by.username", allow_null=True,
                                       default=None, read_only=True,
                                       help_text="Empty when the beat scan started it.")

    class Meta:
        model = Review
        fields = ["id", "plan", "kind", "year", "title", "stage", "started_on", "started_at",
                  "started_by", "covers_from", "covers_to", "compiled_at", "approved_on",
                  "published_at", "withdrawn_at"]


class ProgressReportSerializer(serializers.ModelSerializer):
    lead = serializers.CharField(source="lead.username", read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", allow_null=True,
                                         default=None, read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "outcome_key", "priority_key", "priority_title", "lead", "due_on",
                  "text", "submitted_on", "submitted_at", "submitted_by"]


class FeedbackPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackPoint
        fields = ["number", "text", "response", "responded_at"]


class FeedbackSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    points = FeedbackPointSerializer(many=True, read_only=True)

    class Meta:
        model = ScrutinyFeedback
        fields = ["id", "body", "meeting_on", "summary", "recorded_at", "points"]


class ReviewDecisionSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "body", "outcome", "decided_on", "minute_reference", "reasons",
                  "published_on", "recorded_at"]


class ExternalSubmissionSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    deadline = serializers.DateField()
    submitted_on = serializers.DateField(allow_null=True)
    what_was_sent = serializers.CharField()


class ReviewDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()


class ReviewTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(source="info.kind", choices=TaskKind.choices)
    label = serializers.CharField(source="info.get_kind_display")
    body = serializers.CharField(source="info.body.slug", allow_null=True, default=None)
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    due_on = serializers.DateField(source="info.due_on")
    status = serializers.CharField()


class AvailableReviewActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    ready = serializers.BooleanField()
    blocked_by = serializers.CharField(allow_null=True)


class ReviewContentSerializer(serializers.Serializer):
    strengths = serializers.CharField()
    areas_for_development = serializers.CharField()
    next_year_priorities = serializers.CharField()
    consultation_heard = serializers.CharField()
    changes_priorities = serializers.BooleanField()
    feedback_incorporated = serializers.BooleanField()


class ReviewDetailSerializer(ReviewSummarySerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    content = serializers.SerializerMethodField()
    trends = serializers.JSONField(read_only=True, help_text=(
        "The indicator trends fixed when the review was compiled (the plan's scorecard as "
        "data); empty before."))
    progress_reports = ProgressReportSerializer(many=True, read_only=True)
    feedback = FeedbackSerializer(many=True, read_only=True)
    decisions = ReviewDecisionSerializer(many=True, read_only=True)
    external_submission = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField(help_text="The review's open tasks.")
    available_actions = serializers.SerializerMethodField()

    class Meta(ReviewSummarySerializer.Meta):
        fields = [*ReviewSummarySerializer.Meta.fields, "version", "call_in_ends_on",
                  "content", "trends", "progress_reports", "feedback", "decisions",
                  "external_submission", "documents", "tasks", "available_actions"]

    @extend_schema_field(ReviewContentSerializer)
    def get_content(self, review: Review) -> dict[str, Any]:
        return ReviewContentSerializer(review).data

    @extend_schema_field(ExternalSubmissionSerializer(allow_null=True))
    def get_external_submission(self, review: Review) -> dict[str, Any] | None:
        submission = getattr(review, "external_submission", None)
        return ExternalSubmissionSerializer(submission).data if submission else None

    @extend_schema_field(ReviewDocumentSerializer(many=True))
    def get_documents(self, review: Review) -> list[dict[str, Any]]:
        return ReviewDocumentSerializer(review.documents.all(), many=True).data

    @extend_schema_field(ReviewTaskSerializer(many=True))
    def get_tasks(self, review: Review) -> list[dict[str, Any]]:
        return ReviewTaskSerializer(routing.open_review_tasks(review), many=True).data

    @extend_schema_field(AvailableReviewActionSerializer(many=True))
    def get_available_actions(self, review: Review) -> list[dict[str, Any]]:
        return ReviewLifecycle(review).available_actions(self.context["request"].user)


class ReviewStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReviewKind.choices, default=ReviewKind.ANNUAL)
    year = serializers.IntegerField(required=False, allow_null=True, default=None,
                                    min_value=1900, max_value=9999,
                                    help_text="The year the review is due in (default: the "
                                    "start date's).")
    started_on = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text="When it started, if recorded later "
                                       "(default: today); never in the future.")
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=2000)


class ReviewCompileSerializer(serializers.Serializer):
    strengths = serializers.CharField(max_length=20000)
    areas_for_development = serializers.CharField(max_length=20000)
    next_year_priorities = serializers.CharField(max_length=20000)
    consultation_heard = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000,
        help_text="Empty: what the plan's consultation rounds closed in the period heard "
        "(their published summaries).")
    changes_priorities = serializers.BooleanField(required=False, default=False)


class ReviewActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=2000)


def _detail_queryset(user: Any) -> QuerySet[Review]:
    return visible_reviews(user).select_related("plan", "version", "started_by").prefetch_related(
        Prefetch("progress_reports",
                 ProgressReport.objects.select_related("lead", "submitted_by")),
        Prefetch("feedback", ScrutinyFeedback.objects.select_related("body")
                 .prefetch_related("points")),
        Prefetch("decisions", Decision.objects.select_related("body").order_by("pk")),
        Prefetch("documents", SignedDocument.objects.order_by("pk")),
    )


def review_detail(request: Request, review: Review, code: int = status.HTTP_200_OK) -> Response:
    review = _detail_queryset(request.user).get(pk=review.pk)
    return Response(ReviewDetailSerializer(review, context={"request": request}).data,
                    status=code)


@extend_schema(tags=["reviews"])
class PlanReviewsView(APIView):
    """A plan's reviews, newest first; POST starts one (the lead officer)."""

    @extend_schema(responses={200: ReviewSummarySerializer(many=True), 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        plan = get_object_or_404(visible_plans(request.user), pk=pk)
        reviews = plan.reviews.select_related("started_by").order_by("-year", "kind", "-pk")
        return Response(ReviewSummarySerializer(reviews, many=True).data)

    @extend_schema(request=ReviewStartSerializer,
                   responses={201: ReviewDetailSerializer, 400: PROBLEM, 403: PROBLEM,
                              404: PROBLEM, 409: PROBLEM},
                   description="Start a review of the adopted plan (it stays adopted). 409 "
                   "when the plan is not adopted, or a review of that kind and year exists "
                   "and is not withdrawn.")
    def post(self, request: Request, pk: int) -> Response:
        plan = get_object_or_404(visible_plans(request.user), pk=pk)
        data = ReviewStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_start(plan=plan, actor=request.user, **data.validated_data)
        return review_detail(request, review, status.HTTP_201_CREATED)


@extend_schema(tags=["reviews"])
class ReviewViewSet(viewsets.GenericViewSet):
    """One review; PUT compiles it; POST actions/{action}/ moves it."""

    serializer_class = ReviewDetailSerializer
    lookup_value_regex = ID_REGEX
    queryset = Review.objects.none()

    def _review(self, pk: str) -> Review:
        return get_object_or_404(visible_reviews(self.request.user), pk=path_id(pk))

    @extend_schema(responses={200: ReviewDetailSerializer, 404: PROBLEM})
    def retrieve(self, request: Request, pk: str) -> Response:
        return review_detail(request, self._review(pk))

    @extend_schema(request=ReviewCompileSerializer,
                   responses={200: ReviewDetailSerializer, 400: PROBLEM, 403: PROBLEM,
                              404: PROBLEM, 409: PROBLEM},
                   description="Compile the review (the lead officer, while it is drafted): "
                   "its text, and the indicator trends as they stand now, fixed in ``trends``. "
                   "May be repeated until the review is sent on.")
    def update(self, request: Request, pk: str) -> Response:
        review = self._review(pk)
        data = ReviewCompileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_compile(review=review, actor=request.user, **data.validated_data)
        return review_detail(request, review)

    @extend_schema(
        request=ReviewActionSerializer,
        responses={200: ReviewDetailSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="The lead officer's moves: send_to_scrutiny (an annual review, compiled, "
        "every progress report in), submit_to_board (a six-month review; an annual one once "
        "scrutiny's feedback is answered and incorporated), withdraw (the review stays in the "
        "history; the plan is untouched). Decisions on a review are recorded elsewhere.",
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH,
                                     enum=list(USER_ACTIONS))],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    def act(self, request: Request, pk: str, action_name: str) -> Response:
        review = self._review(pk)
        if action_name not in USER_ACTIONS:
            raise NotFound(f"There is no action {action_name!r}. Actions: "
                           f"{', '.join(USER_ACTIONS)}.")
        data = ReviewActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_fire(review=review, action=action_name, actor=request.user,
                             **data.validated_data)
        return review_detail(request, review)


__all__ = ["PlanReviewsView", "ReviewStage", "ReviewViewSet"]
