"""The auditors' view (workflows.audit_views)."""

from django.urls import path

from . import audit_views

app_name = "audit"

urlpatterns = [
    path("audit/", audit_views.audit_search, name="search"),
    path("audit/plans/<int:pk>/", audit_views.audit_plan, name="plan"),
    path("audit/export.jsonl", audit_views.audit_export, name="export"),
]
