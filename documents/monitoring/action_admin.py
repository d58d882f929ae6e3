"""Action progress and lead links in the admin: read-only records. They change only through
the services (the Actions and Leads pages, the API)."""

from __future__ import annotations

from django.contrib import admin

from governance.admin import ReadOnlyAdmin

from .models import ActionProgress, LeadLink, ProgressNote


@admin.register(LeadLink)
class LeadLinkAdmin(ReadOnlyAdmin):
    list_display = ["plan", "name", "person", "linked_by", "linked_at"]
    list_select_related = ["plan", "person", "linked_by"]


@admin.register(ActionProgress)
class ActionProgressAdmin(ReadOnlyAdmin):
    list_display = ["plan", "version", "action_number", "action_title", "status", "status_on"]
    list_select_related = ["plan", "version"]
    list_filter = ["status"]


@admin.register(ProgressNote)
class ProgressNoteAdmin(ReadOnlyAdmin):
    list_display = ["progress", "noted_on", "status", "author", "recorded_at"]
    list_select_related = ["progress", "author"]
