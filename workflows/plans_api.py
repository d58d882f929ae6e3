"""REST API for plans: list, create, detail, versions, lifecycle actions, decisions, history."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from documents.content import PlanContentSerializer
from documents.models import ApprovalRoute, Plan, PlanKind, PlanVersion, Review, Stage
from documents.queries import visible_plans, with_decisions
from documents.services import plan_create, plan_rename, version_create
from governance import policy
from governance.api import DecisionInputSerializer, DecisionSerializer
from governance.models import AuditEvent, Body, Partnership
from plangov.errors import Forbidden, InvalidInput
from plangov.ids import IntegerIdLookup, RelatedIdField, path_id, query_text
from plangov.openapi import PROBLEM

from .decisions import decision_record
from .lifecycle import PlanLifecycle
from .services import ACTION_DATE_FIELDS, PLAN_ACTIONS


class VersionSummarySerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    submitted = serializers.BooleanField(source="is_submitted", read_only=True)

    class Meta:
        model = PlanVersion
        fields = ["number", "content_hash", "note", "created_by", "effective_on", "created_at",
                  "submitted", "submitted_on", "submitted_at"]


class VersionSerializer(VersionSummarySerializer):
    content = PlanContentSerializer(read_only=True)

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, "content"]


class VersionInputSerializer(serializers.Serializer):
    content = serializers.JSONField(help_text="Plan content; see the PlanContent schema.")
    note = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    effective_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="The date the version was written, when it is recorded later (default: "
        "today). Not before the plan was started, the previous version, or the plan's last "
        "decision; never in the future.",
    )


class PlanSerializer(serializers.ModelSerializer):
    partnership = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owning_body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    executive_body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    approving_bodies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    lead_officer = serializers.CharField(source="lead_officer.username", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    current_version = VersionSummarySerializer(read_only=True, allow_null=True)
    adopted_version = serializers.IntegerField(source="adopted_version.number", read_only=True,
                                               allow_null=True, default=None)
    call_in_ends_on_provisional = serializers.BooleanField(
        read_only=True, help_text="True when call_in_ends_on runs past the years whose bank "
        "holidays are confirmed: computed from the rules, it may still move.")

    class Meta:
        model = Plan
        fields = [
            "id", "title", "kind", "period_start", "period_end", "created_on", "partnership",
            "owning_body",
            "lead_officer", "approving_bodies", "executive_body", "subject_to_call_in",
            "approval_route", "stage",
            "stage_label", "stage_changed_at", "current_version", "adopted_version", "adopted_at",
            "adopted_on", "call_in_ends_on", "call_in_ends_on_provisional",
        ]


class AvailableActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    ready = serializers.BooleanField()
    blocked_by = serializers.CharField(allow_null=True)


class PlanDetailSerializer(PlanSerializer):
    available_actions = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "available_actions", "decisions"]

    @extend_schema(responses=AvailableActionSerializer(many=True))
    def get_available_actions(self, plan: Plan) -> list[dict[str, Any]]:
        return PlanLifecycle(plan).available_actions(self.context["request"].user)


class PlanInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=250)
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    partnership = serializers.SlugRelatedField(slug_field="slug", queryset=Partnership.objects)
    owning_body = serializers.SlugField()
    lead_officer = serializers.CharField(
        required=False, help_text="Username; defaults to the caller."
    )
    approving_bodies = serializers.ListField(child=serializers.SlugField(), allow_empty=False)
    executive_body = serializers.SlugField()
    subject_to_call_in = serializers.BooleanField(default=True)
    approval_route = serializers.ChoiceField(
        choices=ApprovalRoute.choices, default=ApprovalRoute.JOINT,
        help_text="joint: every approving body at once; ordered: one after another, in the "
        "order of approving_bodies.",
    )
    created_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="The date the plan was started, for a plan brought onto plangov part-way "
        "through (default: today); never in the future.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.contrib.auth import get_user_model

        partnership: Partnership = attrs["partnership"]
        bodies = {b.slug: b for b in Body.objects.filter(partnership=partnership)}
        errors: dict[str, list[str]] = {}
        for field in ("owning_body", "executive_body"):
            if attrs[field] not in bodies:
                errors[field] = [f"{partnership.name} has no body {attrs[field]!r}."]
        unknown = [slug for slug in attrs["approving_bodies"] if slug not in bodies]
        if unknown:
            errors["approving_bodies"] = [f"{partnership.name} has no body {s!r}." for s in unknown]
        if "lead_officer" in attrs:
            user = get_user_model().objects.filter(username=attrs["lead_officer"]).first()
            if user is None:
                errors["lead_officer"] = [f"No user is called {attrs['lead_officer']!r}."]
            attrs["lead_officer"] = user
        else:
            attrs["lead_officer"] = self.context["request"].user
        if errors:
            raise serializers.ValidationError(errors)
        attrs["owning_body"] = bodies[attrs["owning_body"]]
        attrs["executive_body"] = bodies[attrs["executive_body"]]
        attrs["approving_bodies"] = [bodies[s] for s in dict.fromkeys(attrs["approving_bodies"])]
        return attrs


class PlanRenameSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=250, help_text="The plan's new title.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                   help_text="Why it changed; kept in the plan's history.")


class ActionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    title = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200,
        help_text="start_consultation only: the round's title.",
    )
    closes_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="start_consultation only: the closing date.",
    )
    on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="The date the act happened, when it is recorded later (default: today); "
        "start_consultation (the round's opening date), close_consultation (its closing date) "
        "and submit (the submission date) only. It must follow the lifecycle: a round opens "
        "not before the current version was written or the previous round closed, closes not "
        "before it opened; a submission is not before the version was written or the last "
        "round closed; never in the future. A date out of order is a 400 naming both dates.",
    )
    successor = RelatedIdField(
        queryset=Plan.objects, required=False, allow_null=True, default=None,
        help_text="supersede only: the plan that replaces this one.",
    )
    review = RelatedIdField(
        queryset=Review.objects, required=False, allow_null=True, default=None,
        help_text="revise only: the review of the adopted version that changes its priorities; "
        "the version submitted in the revision becomes its revision.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A plan the caller cannot see is reported as missing, not confirmed to exist.
            self.fields["successor"].queryset = visible_plans(request.user)
            self.fields["review"].queryset = Review.objects.filter(
                plan__in=visible_plans(request.user))


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = AuditEvent
        fields = ["seq", "created_at", "actor", "action", "object_type", "object_id", "before",
                  "after", "reason", "hash", "prev_hash"]


@extend_schema(tags=["plans"])
@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("stage", str, enum=list(Stage.values),
                     description="Only the plans in this stage."),
]))
class PlanViewSet(
    IntegerIdLookup, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting the view
            return Plan.objects.none()
        plans = visible_plans(self.request.user)
        if self.action == "retrieve":
            return with_decisions(plans)
        stage = query_text(self.request.query_params, "stage")
        if stage and self.action == "list":
            if stage not in Stage.values:
                raise InvalidInput({"stage": [f"Choose one of: {', '.join(Stage.values)}."]})
            plans = plans.filter(stage=stage)
        return plans

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def _plan(self, pk: str) -> Plan:
        return get_object_or_404(visible_plans(self.request.user), pk=path_id(pk))

    @extend_schema(request=PlanInputSerializer, responses={201: PlanDetailSerializer, 400: PROBLEM,
                                                           403: PROBLEM})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Refuse people who lead no plans before reading their input, so the field errors
        # cannot be used to learn which users, partnerships or bodies exist.
        if not (verdict := policy.may_create_plans(request.user)):
            raise Forbidden(verdict.reason)
        data = PlanInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        plan = plan_create(actor=request.user, **data.validated_data)
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request=PlanRenameSerializer,
        responses={200: PlanDetailSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="Correct the plan's title (its lead officer, until the plan is adopted; "
        "409 after). The change is one event in the plan's history.",
    )
    def partial_update(self, request: Request, pk: str, *args: Any, **kwargs: Any) -> Response:
        plan = self._plan(pk)
        data = PlanRenameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plan_rename(plan=plan, actor=request.user, **data.validated_data)
        return self._detail(plan)

    def _detail(self, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
        # Not get_queryset(): a list filter such as ?stage= must not hide the plan just changed.
        plan = with_decisions(visible_plans(self.request.user)).get(pk=plan.pk)
        body = PlanDetailSerializer(plan, context={"request": self.request}).data
        return Response(body, status=code)

    @extend_schema(methods=["GET"], responses=VersionSummarySerializer(many=True))
    @extend_schema(methods=["POST"], request=VersionInputSerializer,
                   responses={201: VersionSerializer, 400: PROBLEM, 403: PROBLEM, 409: PROBLEM})
    @action(detail=True, methods=["get", "post"])
    def versions(self, request: Request, pk: str) -> Response:
        plan = self._plan(pk)
        if request.method == "GET":
            versions = plan.versions.select_related("created_by").order_by("number")
            page = self.paginate_queryset(versions)
            return self.get_paginated_response(VersionSummarySerializer(page, many=True).data)
        data = VersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = version_create(plan=plan, actor=request.user, **data.validated_data)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: VersionSerializer, 404: PROBLEM})
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request: Request, pk: str, number: str) -> Response:
        plan = self._plan(pk)
        version = get_object_or_404(plan.versions.select_related("created_by"),
                                    number=path_id(number))
        return Response(VersionSerializer(version).data)

    @extend_schema(
        request=ActionInputSerializer,
        responses={200: PlanDetailSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
                   409: PROBLEM},
        description="Fire a lifecycle action: " + ", ".join(PLAN_ACTIONS) + ".",
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH,
                                     enum=list(PLAN_ACTIONS))],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    def act(self, request: Request, pk: str, action_name: str) -> Response:
        plan = self._plan(pk)
        service = PLAN_ACTIONS.get(action_name)
        if service is None:
            from rest_framework.exceptions import NotFound

            raise NotFound(
                f"There is no action {action_name!r}. Actions: {', '.join(PLAN_ACTIONS)}."
            )
        data = ActionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        params = {"reason": data.validated_data["reason"]}
        if action_name == "start_consultation":
            params["title"] = data.validated_data["title"]
            params["closes_on"] = data.validated_data["closes_on"]
        if action_name == "supersede":
            params["successor"] = data.validated_data["successor"]
        if action_name == "revise":
            params["review"] = data.validated_data["review"]
        dated = ACTION_DATE_FIELDS
        if data.validated_data["on"] is not None:
            if action_name not in dated:
                raise InvalidInput({"on": [f"{action_name} takes no date; only "
                                           f"{', '.join(dated)} do."]})
            params[dated[action_name]] = data.validated_data["on"]
        try:
            plan = service(plan=plan, actor=request.user, **params)
        except InvalidInput as exc:
            # The service names its own field (opens_on, closed_on, submitted_on); the API's
            # input calls each of them ``on``.
            name = dated.get(action_name)
            if name in exc.errors:
                raise InvalidInput({**{k: v for k, v in exc.errors.items() if k != name},
                                    "on": exc.errors[name]}) from exc
            raise
        return self._detail(plan)

    @extend_schema(methods=["GET"], responses=DecisionSerializer(many=True))
    @extend_schema(methods=["POST"], request=DecisionInputSerializer,
                   responses={201: DecisionSerializer, 400: PROBLEM, 403: PROBLEM, 409: PROBLEM})
    @action(detail=True, methods=["get", "post"])
    def decisions(self, request: Request, pk: str) -> Response:
        plan = self._plan(pk)
        if request.method == "GET":
            decisions = plan.decisions.filter(version__isnull=False).select_related(
                "body", "meeting", "recorded_by", "version").order_by("recorded_at", "pk")
            page = self.paginate_queryset(decisions)
            return self.get_paginated_response(DecisionSerializer(page, many=True).data)
        data = DecisionInputSerializer(data=request.data, context={"plan": plan})
        data.is_valid(raise_exception=True)
        decision = decision_record(plan=plan, actor=request.user, **data.validated_data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        plan = self._plan(pk)
        events = AuditEvent.objects.filter(plan=plan).order_by("seq")
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)

