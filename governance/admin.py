from django.contrib import admin

from .models import (
    AuditEvent,
    AuditHead,
    Body,
    CallInOutcome,
    CallInRequest,
    ConsultationRound,
    Decision,
    Meeting,
    Membership,
    Partnership,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write: visible to staff, changed by nobody here."""

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "area"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "deputy"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partnership", "parent", "quorum"]
    list_filter = ["kind", "partnership"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["reports_to"]
    list_select_related = ["partnership", "parent"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "body", "starts_on", "ends_on", "deputy"]
    list_filter = ["role", "body"]
    list_select_related = ["user", "body", "deputy"]
    autocomplete_fields = ["user", "deputy"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["body", "date", "agenda_published_on", "attendance"]
    list_filter = ["body"]
    list_select_related = ["body"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "version", "body", "outcome", "decided_on", "minute_reference",
                    "recorded_by"]
    list_filter = ["outcome", "body"]
    list_select_related = ["plan", "version", "version__plan", "body", "recorded_by"]


@admin.register(CallInRequest)
class CallInRequestAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "decision", "requested_on", "member_count",
                    "by_scrutiny_chair", "recorded_by"]
    list_select_related = ["plan", "decision", "decision__body", "recorded_by"]


@admin.register(CallInOutcome)
class CallInOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["request", "outcome", "decided_on", "minute_reference", "recorded_by"]
    list_filter = ["outcome"]
    list_select_related = ["request", "request__decision", "request__decision__body",
                           "recorded_by"]


@admin.register(ConsultationRound)
class ConsultationRoundAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "title", "opens_on", "closes_on", "status"]
    list_select_related = ["plan"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "object_id", "reason"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(AuditHead)
class AuditHeadAdmin(ReadOnlyAdmin):
    list_display = ["id", "last_seq", "last_hash"]
