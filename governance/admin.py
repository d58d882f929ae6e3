from django.contrib import admin, messages
from django.http import HttpRequest

from plangov.errors import PlangovError
from plangov.forms import ModelForm

from .models import (
    AuditEvent,
    AuditHead,
    Body,
    CallInOutcome,
    CallInRequest,
    ClosureDay,
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


class PolicyAdmin(admin.ModelAdmin):
    """Edits through plangov.text's policy; a change of name goes through ``rename`` (a
    service: staff only, one audit event), the other fields are saved as the admin does."""

    form = ModelForm
    rename = None  # the rename service, called as rename(obj, name=..., actor=..., reason=...)

    def save_model(self, request: HttpRequest, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        if not (change and self.rename is not None and "name" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        new = obj.name
        obj.name = form.initial["name"]
        super().save_model(request, obj, form, change)
        try:
            self.rename(obj, name=new, actor=request.user, reason="Renamed in the admin.")
        except PlangovError as exc:
            self.message_user(request, f"The name was not changed: {exc.detail}",
                              messages.ERROR)
        obj.refresh_from_db()


def _rename_partnership(obj, **kwargs):  # type: ignore[no-untyped-def]
    from .names import partnership_rename

    return partnership_rename(partnership=obj, **kwargs)


def _rename_body(obj, **kwargs):  # type: ignore[no-untyped-def]
    from .names import body_rename

    return body_rename(body=obj, **kwargs)


@admin.register(Partnership)
class PartnershipAdmin(PolicyAdmin):
    list_display = ["name", "slug", "area", "nation"]
    list_filter = ["nation"]
    prepopulated_fields = {"slug": ["name"]}
    rename = staticmethod(_rename_partnership)


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    """A council's own closure days; every change goes through governance.closures (audited)."""

    list_display = ["date", "partnership", "reason"]
    list_filter = ["partnership"]
    list_select_related = ["partnership"]
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["partnership"] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        from .closures import closure_day_add, closure_day_change

        if change:
            closure_day_change(closure_id=obj.pk, date=obj.date, reason=obj.reason,
                               actor=request.user)
        else:
            obj.pk = closure_day_add(partnership=obj.partnership, date=obj.date,
                                     reason=obj.reason, actor=request.user).pk

    def delete_model(self, request, obj) -> None:  # type: ignore[no-untyped-def]
        from .closures import closure_day_remove

        closure_day_remove(closure_id=obj.pk, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        for pk in queryset.values_list("pk", flat=True):
            self.delete_model(request, queryset.model(pk=pk))


class MembershipInline(admin.TabularInline):
    model = Membership
    form = ModelForm
    extra = 0
    autocomplete_fields = ["user", "deputy"]


@admin.register(Body)
class BodyAdmin(PolicyAdmin):
    rename = staticmethod(_rename_body)
    list_display = ["name", "kind", "partnership", "parent", "quorum"]
    list_filter = ["kind", "partnership"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["reports_to"]
    list_select_related = ["partnership", "parent"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ["user", "role", "body", "starts_on", "ends_on", "deputy"]
    list_filter = ["role", "body"]
    list_select_related = ["user", "body", "deputy"]
    autocomplete_fields = ["user", "deputy"]


@admin.register(Meeting)
class MeetingAdmin(PolicyAdmin):
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
    list_display = ["plan", "number", "title", "status", "recorded", "opens_at", "closes_at",
                    "closed_on", "summary_published_on"]
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


# Consultation: responses are personal data and change only through the consultation services
# (and the retention scan); staff read them here.
from .consultation import models as consultation  # noqa: E402


@admin.register(consultation.Audience)
class AudienceAdmin(admin.ModelAdmin):
    form = ModelForm
    list_display = ["name", "slug", "partnership", "order"]
    list_select_related = ["partnership"]


@admin.register(consultation.Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["round", "order", "kind", "text", "required"]
    list_select_related = ["round", "round__plan"]


@admin.register(consultation.Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["round", "submitted_at", "source", "channel", "audience"]
    list_select_related = ["round", "round__plan", "audience"]


@admin.register(consultation.Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["response", "question"]
    list_select_related = ["response", "response__round", "response__round__plan", "question"]


@admin.register(consultation.ResponseImport)
class ResponseImportAdmin(ReadOnlyAdmin):
    list_display = ["round", "filename", "status", "total_rows", "imported_rows", "created_at"]
    list_select_related = ["round", "round__plan"]


@admin.register(consultation.Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["round", "name"]
    list_select_related = ["round", "round__plan"]


@admin.register(consultation.AnalystNote)
class AnalystNoteAdmin(ReadOnlyAdmin):
    list_display = ["round", "author", "created_at"]
    list_select_related = ["round", "round__plan", "author"]


@admin.register(consultation.Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["round", "title", "channel", "held_on"]
    list_select_related = ["round", "round__plan"]


@admin.register(consultation.ActivityReach)
class ActivityReachAdmin(ReadOnlyAdmin):
    list_display = ["activity", "audience", "count"]
    list_select_related = ["activity", "audience"]


@admin.register(consultation.Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["round", "order", "you_said"]
    list_select_related = ["round", "round__plan"]


# Single sign-on (issue 13, oidc): bindings are made by signing in, read-only here.
from .sso.models import SignInIdentity  # noqa: E402


@admin.register(SignInIdentity)
class SignInIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "issuer", "tid", "created_at", "last_seen_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "issuer", "tid"]
    readonly_fields = [f.name for f in SignInIdentity._meta.fields]


# Doors (issue 13): API tokens, seen by staff (never their secrets); an administrator revokes
# every token of someone (tokens_revoke_all, one audit event per person).
from governance.tokens.models import ApiToken  # noqa: E402
from governance.tokens.services import tokens_revoke_all  # noqa: E402


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at",
                    "revoked_at"]
    list_select_related = ["user"]
    exclude = ["digest"]
    actions = ["revoke_owners_tokens"]

    @admin.action(description="Revoke every token of the selected tokens' owners")
    def revoke_owners_tokens(self, request, queryset):  # type: ignore[no-untyped-def]
        owners = {token.user for token in queryset.select_related("user")}
        for owner in owners:
            tokens_revoke_all(user=owner, actor=request.user, reason="revoked by an administrator")
        self.message_user(request, f"Revoked the tokens of {len(owners)} people.")
