from django.urls import path

from . import plan_views, version_views, views
from .content_io import views as content_io_views

app_name = "documents"

urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/new/", plan_views.plan_new, name="plan-create"),
    path("plans/<int:pk>/versions/", version_views.version_list, name="versions"),
    path("plans/<int:pk>/versions/compare/", version_views.version_compare, name="compare"),
    path("plans/<int:pk>/versions/<int:number>/", version_views.version_detail, name="version"),
    path("plans/<int:pk>/documents/", views.document_ask, name="ask"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/file/", views.document_file, name="file"),
    path("documents/<int:pk>/status/", views.document_status, name="status"),
    path("plans/<int:pk>/report/", views.report_edit, name="report"),
    path("plans/<int:pk>/report.docx", views.report_docx, name="report-docx"),
    path("plans/<int:pk>/draft/import/", content_io_views.import_upload, name="import"),
    path("plans/<int:pk>/draft/import/<str:token>/", content_io_views.import_preview_page,
         name="import-preview"),
    path("plans/<int:pk>/versions/<int:number>/export/", content_io_views.version_export,
         name="version-export"),
    path("plans/<int:pk>/draft/export/", content_io_views.draft_export, name="draft-export"),
]
