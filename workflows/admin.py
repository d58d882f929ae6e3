from django.contrib import admin

from governance.admin import ReadOnlyAdmin

from .models import Notification, PlanApprovalProcess, TaskInfo


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
