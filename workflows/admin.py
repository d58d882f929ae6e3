"""Workflow records in the admin, read-only. Plans are registered here because their
lifecycle actions, offered as admin actions, call the same services as every other door."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from documents.models import Plan, PlanVersion
from governance.admin import ReadOnlyAdmin
from plangov.errors import PlangovError

from .models import AnnualReviewProcess, Notification, PlanApprovalProcess, TaskInfo
from .services import PLAN_ACTIONS


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    fields = ["number", "content_hash", "created_by", "effective_on", "created_at", "submitted_on",
              "submitted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


def _lifecycle_action(name: str):  # type: ignore[no-untyped-def]
    service = PLAN_ACTIONS[name]

    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Plan]) -> None:
        for plan in queryset:
            try:
                service(plan=plan, actor=request.user, reason="Done in the admin.")
            except PlangovError as exc:
                modeladmin.message_user(request, f"{plan}: {exc.detail}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{plan}: done.", messages.SUCCESS)

    run.__name__ = f"action_{name}"
    run.short_description = name.replace("_", " ").capitalize()  # type: ignore[attr-defined]
    return run


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "stage", "period_start", "period_end", "lead_officer"]
    list_filter = ["stage", "kind", "partnership"]
    search_fields = ["title"]
    list_select_related = ["lead_officer"]
    inlines = [PlanVersionInline]
    actions = [_lifecycle_action(name) for name in PLAN_ACTIONS if name != "withdraw"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        # Running lifecycle actions needs "change" in the admin; the fields stay read-only
        # because every field is in readonly_fields. Read-only staff (auditors) see no actions.
        return request.user.is_active and request.user.has_perm("documents.change_plan")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in Plan._meta.fields] + ["approving_bodies"]


@admin.register(TaskInfo)
class TaskInfoAdmin(ReadOnlyAdmin):
    list_display = ["task", "kind", "plan", "body", "due_on"]
    list_filter = ["kind", "body"]
    list_select_related = ["task", "plan", "body"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["task", "kind", "due_on", "status", "created_at", "sent_at"]
    list_filter = ["kind", "status"]


@admin.register(PlanApprovalProcess)
class PlanApprovalProcessAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "artifact_object_id", "created", "finished"]
    list_filter = ["status"]


@admin.register(AnnualReviewProcess)
class AnnualReviewProcessAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "artifact_object_id", "created", "finished"]
    list_filter = ["status"]


# The plan timetable, read-only: changed through workflows.timetable.services (one audit event
# per save), from the timetable page or the API.
from .timetable.models import Milestone  # noqa: E402


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["plan", "position", "kind", "body", "target_on", "key_decision",
                    "forward_plan_published_on"]
    list_filter = ["kind"]
    list_select_related = ["plan", "body"]
