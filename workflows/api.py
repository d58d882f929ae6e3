"""REST API for tasks: the inbox as JSON, and claim, complete and reassign.

Every list comes from workflows.inbox and every change from the task services in
workflows.routing, so the API, the inbox pages and the admin list and do the same things."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents.models import Plan
from documents.queries import visible_plans, with_decisions
from governance.api import DecisionInputSerializer, DecisionSerializer
from governance.models import Body, CallInOutcome, CallInRequest, Decision
from plangov import clock
from plangov.errors import InvalidInput
from plangov.ids import ID_REGEX, is_digits, path_id, query_id, query_text, to_int
from plangov.openapi import PROBLEM

from . import routing
from .callin_api import (
    CallInOutcomeInputSerializer,
    CallInRequestInputSerializer,
    CallInRequestSerializer,
)
from .inbox import OPEN, View, base_queryset, inbox, is_overdue, tasks_by_ids, workable
from .models import Notification, TaskKind
from .plans_api import PlanDetailSerializer
from .reviews.api import ReviewDetailSerializer, review_detail
from .reviews.records_api import ScrutinyFeedbackInput, SubmissionSentInput


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["kind", "due_on", "status", "recipients", "created_at", "sent_at"]


class TaskPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.CharField()


class TaskBodySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class TaskReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    year = serializers.IntegerField()
    stage = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(source="info.kind", choices=TaskKind.choices)
    label = serializers.CharField(source="info.get_kind_display")
    title = serializers.SerializerMethodField(
        help_text="What the task is about: its label and the review's (or the plan's) title.")
    review = TaskReviewSerializer(source="info.review", allow_null=True,
                                  help_text="The review the task belongs to, if any.")
    status = serializers.CharField(help_text="NEW (in a queue), ASSIGNED, DONE or CANCELED.")
    plan = TaskPlanSerializer(source="info.plan")
    body = TaskBodySerializer(source="info.body", allow_null=True)
    due_on = serializers.DateField(source="info.due_on")
    due_on_provisional = serializers.BooleanField(
        source="info.due_on_provisional", help_text="True when due_on runs past the years whose "
        "bank holidays are confirmed: computed from the rules, it may still move.")
    overdue = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    created = serializers.DateTimeField()
    assigned = serializers.DateTimeField(allow_null=True)
    finished = serializers.DateTimeField(allow_null=True)
    comments = serializers.CharField(source="info.comments",
                                     help_text="For a redraft: what the body said.")
    notifications = NotificationSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(
        help_text="What you can do with the task now: claim, complete, reassign."
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_title(self, task: Task) -> str:
        return task_title(task)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, task: Task) -> bool:
        return is_overdue(task, self.context["today"])

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, task: Task) -> list[str]:
        # ``workable`` holds the page's task ids the caller may work, found in one query.
        user = self.context["request"].user
        if task.status not in OPEN or task.pk not in self.context["workable"]:
            return []
        if task.status == STATUS.NEW:
            return ["claim", "complete", "reassign"]
        if task.owner_id == user.pk:
            return ["complete", "reassign"]
        return ["reassign"]


def task_title(task: Task) -> str:
    """A task's title for a list: a review's names the review (and a progress report its
    priority), any other names its plan."""
    info = task.info
    if info.review_id is not None:
        about = info.comments.removeprefix("Priority: ") \
            if info.kind == TaskKind.PROGRESS_REPORT else ""
        return f"{info.get_kind_display()}{f' ({about})' if about else ''}: {info.review.title}"
    return f"{info.get_kind_display()}: {info.plan.title}"


class ProgressReportInputSerializer(serializers.Serializer):
    """A progress report task: the priority lead's report."""

    text = serializers.CharField(max_length=20000, help_text="The progress made.")
    submitted_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="When it was reported, if recorded later "
                                         "(default: today).")


class SendOnInputSerializer(serializers.Serializer):
    """A review's compiling task: completing it sends the review on (to scrutiny, or to the
    board once scrutiny's feedback is answered)."""

    reasons = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=2000)


class CompleteInputSerializer(DecisionInputSerializer):
    """The decision, for a decision task; the body is the task's, so it is not asked for.
    For a redraft task only ``reasons`` and ``submitted_on`` are read: they go with the
    resubmission."""

    submitted_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="A redraft only: the date the plan was resubmitted, when it is recorded "
        "later (default: today); not before the version was written or the referral back.",
    )

    def __init__(self, *args: Any, redraft: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["body"]
        if redraft:
            for name in list(self.fields):
                if name not in ("reasons", "submitted_on"):
                    del self.fields[name]
        else:
            del self.fields["submitted_on"]


class StartSuccessorInputSerializer(serializers.Serializer):
    """A start-successor task: the successor is made (workflows.successor)."""

    title = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=250,
        help_text="The successor plan's title (default: this plan's).",
    )


class ReassignInputSerializer(serializers.Serializer):
    to = serializers.CharField(help_text="Username of the person who takes the task.")
    reason = serializers.CharField(allow_blank=True, max_length=2000,
                                   help_text="Why; the audit record keeps it.")

    def validate_to(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(f"No user is called {username!r}.")
        return user


FILTERS = [
    OpenApiParameter("view", str, enum=list(View.choices), description=(
        "open (default): claimed by you and unclaimed in your bodies' queues; mine: claimed "
        "by you; queue: unclaimed, for your bodies; archive: done or cancelled; all: every "
        "task on plans you can see.")),
    OpenApiParameter("mine", bool, description="true: the same as view=mine."),
    OpenApiParameter("body", str, description="A body's slug or id."),
    OpenApiParameter("plan", int, description="A plan's id."),
    OpenApiParameter("overdue", bool, description="true: open tasks past their due date."),
]

TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")


def _flag(params: Any, name: str) -> bool | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise InvalidInput({name: ["Use true or false."]})


@extend_schema(tags=["tasks"])
class TaskViewSet(viewsets.GenericViewSet):
    """Tasks: the inbox (list), one task, and what people do with tasks."""

    serializer_class = TaskSerializer
    lookup_value_regex = ID_REGEX
    queryset = Task.objects.none()  # for the schema's id type only; lists come from inbox()

    def _filtered(self) -> QuerySet[Task]:
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        view = query_text(params, "view") or View.OPEN
        if _flag(params, "mine"):
            view = View.MINE
        if view not in View.choices:
            errors["view"] = [f"Choose one of: {', '.join(View.choices)}."]
        body = None
        try:
            if (key := query_text(params, "body")) is not None:
                if is_digits(key):
                    body_id = to_int(key, minimum=1)
                    body = Body.objects.filter(pk=body_id).first() if body_id else None
                else:
                    body = Body.objects.filter(slug=key).first()
                if body is None:
                    errors["body"] = [f"No body is {key!r}."]
        except InvalidInput as exc:
            errors.update(exc.errors)
        plan = None
        try:
            if (plan_id := query_id(params, "plan")) is not None:
                plan = visible_plans(self.request.user).filter(pk=plan_id).first()
                if plan is None:
                    errors["plan"] = [f"You can see no plan {plan_id}."]
        except InvalidInput as exc:
            errors.update(exc.errors)
        try:
            overdue = _flag(params, "overdue")
        except InvalidInput as exc:
            errors.update(exc.errors)
        if errors:
            raise InvalidInput(errors)
        return inbox(self.request.user, view=view, body=body, plan=plan, overdue=overdue)

    def _context(self, tasks: list[Task]) -> dict[str, Any]:
        ids = [task.pk for task in tasks]
        mine = set(
            Task.objects.filter(workable(self.request.user), pk__in=ids)
            .values_list("pk", flat=True)
        ) if ids else set()
        return {"request": self.request, "today": clock.today(), "workable": mine}

    @staticmethod
    def _with_notifications(tasks: QuerySet[Task]) -> QuerySet[Task]:
        return tasks.prefetch_related(
            Prefetch("notifications", Notification.objects.order_by("created_at", "pk"))
        )

    @extend_schema(parameters=FILTERS, responses={200: TaskSerializer(many=True), 400: PROBLEM})
    def list(self, request: Request) -> Response:
        # The page's ids from narrow rows, then those tasks with what a task shows
        # (inbox.tasks_by_ids).
        ids = self.paginate_queryset(self._filtered().values_list("pk", flat=True))
        assert ids is not None  # the API always paginates
        page = tasks_by_ids(ids, self._with_notifications(base_queryset()))
        data = TaskSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def _task(self, pk: str) -> Task:
        # A task on a plan you cannot see does not exist for you, as with plans.
        task = self._with_notifications(inbox(self.request.user, view=View.ALL)).filter(
            pk=path_id(pk)).first()
        if task is None:
            raise Http404
        return task

    def _answer(self, pk: str, code: int = status.HTTP_200_OK) -> Response:
        task = self._task(pk)
        return Response(TaskSerializer(task, context=self._context([task])).data, status=code)

    @extend_schema(responses={200: TaskSerializer, 404: PROBLEM})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._answer(pk)

    @extend_schema(request=None, responses={200: TaskSerializer, 403: PROBLEM, 404: PROBLEM,
                                            409: PROBLEM})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        task = self._task(pk)
        routing.task_claim(task_id=task.pk, actor=request.user)
        return self._answer(pk)

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="TaskCompletion",
            serializers=[CompleteInputSerializer, CallInRequestInputSerializer,
                         CallInOutcomeInputSerializer, ProgressReportInputSerializer,
                         SendOnInputSerializer, ScrutinyFeedbackInput, SubmissionSentInput,
                         StartSuccessorInputSerializer],
            resource_type_field_name=None,
        ),
        responses={
            200: PolymorphicProxySerializer(
                component_name="TaskCompletedPlanOrReview",
                serializers=[PlanDetailSerializer, ReviewDetailSerializer],
                resource_type_field_name=None,
            ),
            201: PolymorphicProxySerializer(
                component_name="TaskCompleted",
                serializers=[DecisionSerializer, CallInRequestSerializer],
                resource_type_field_name=None,
            ),
            400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM,
        },
        description=(
            "A decision task (a board's, the executive's or full council's, on the plan's "
            "version or on a review of the plan): record the body's decision (the body is the "
            "task's); answers 201 with the decision. A "
            "call-in task: record members' call-in request (CallInRequestInput); a call-in "
            "outcome task: record the scrutiny committee's outcome (CallInOutcomeInput); both "
            "answer 201 with the call-in request. A redraft task: submit the plan's current "
            "version again for approval, with optional ``reasons``; answers 200 with the plan. "
            "A review's progress report task: the report (ProgressReportInput); a review's "
            "compiling task: send the review on (SendOnInput); both answer 200 with the "
            "review (ReviewDetail). A review's scrutiny feedback task: the committee's "
            "feedback (ScrutinyFeedbackInput); its external submission task: that it was sent "
            "(SubmissionSentInput, JSON; upload the file on the review's "
            "external-submission/submitted/ endpoint instead to keep its hash); both answer "
            "200 with the review. "
            "A start-successor task: start the successor plan (StartSuccessorInput, optional "
            "``title``); answers 200 with the successor."
        ),
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        task = self._task(pk)
        kind = task.info.kind
        data: serializers.Serializer
        if kind == TaskKind.PROGRESS_REPORT:
            data = ProgressReportInputSerializer(data=request.data)
        elif kind == TaskKind.COMPILE_REVIEW:
            data = SendOnInputSerializer(data=request.data)
        elif kind == TaskKind.SCRUTINY_FEEDBACK:
            data = ScrutinyFeedbackInput(data=request.data)
        elif kind == TaskKind.EXTERNAL_SUBMISSION:
            data = SubmissionSentInput(data=request.data)
        elif kind in (TaskKind.CALL_IN, TaskKind.REVIEW_CALL_IN):
            data = CallInRequestInputSerializer(data=request.data,
                                                context={"plan": task.info.plan})
        elif kind in (TaskKind.CALL_IN_OUTCOME, TaskKind.REVIEW_CALL_IN_OUTCOME):
            data = CallInOutcomeInputSerializer(data=request.data)
        elif kind == TaskKind.START_SUCCESSOR:
            data = StartSuccessorInputSerializer(data=request.data)
        else:
            data = CompleteInputSerializer(data=request.data, redraft=kind == TaskKind.REDRAFT,
                                           context={"plan": task.info.plan})
        data.is_valid(raise_exception=True)
        result = routing.task_complete(task_id=task.pk, actor=request.user,
                                       **data.validated_data)
        if isinstance(result, Decision):
            return Response(DecisionSerializer(result).data, status=status.HTTP_201_CREATED)
        if isinstance(result, CallInOutcome | CallInRequest):
            call_in = result.request if isinstance(result, CallInOutcome) else result
            call_in = CallInRequest.objects.select_related("outcome").get(pk=call_in.pk)
            return Response(CallInRequestSerializer(call_in).data,
                            status=status.HTTP_201_CREATED)
        if task.info.review_id is not None:
            return review_detail(request, task.info.review)
        # A redraft answers with the plan; starting the successor, with the successor.
        plan_id = result.pk if isinstance(result, Plan) else task.info.plan_id
        plan = with_decisions(visible_plans(request.user)).get(pk=plan_id)
        return Response(PlanDetailSerializer(plan, context={"request": request}).data)

    @extend_schema(request=ReassignInputSerializer,
                   responses={200: TaskSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                              409: PROBLEM})
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str) -> Response:
        task = self._task(pk)
        data = ReassignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        routing.task_reassign(task_id=task.pk, actor=request.user, **data.validated_data)
        return self._answer(pk)
