from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
    path("plans/<int:pk>/documents/", views.document_ask, name="ask"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/file/", views.document_file, name="file"),
    path("documents/<int:pk>/status/", views.document_status, name="status"),
    path("plans/<int:pk>/report/", views.report_edit, name="report"),
    path("plans/<int:pk>/report.docx", views.report_docx, name="report-docx"),
]
