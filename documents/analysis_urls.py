from django.urls import path

from . import analysis_views as views

app_name = "analysis"

urlpatterns = [
    path("consultations/<int:pk>/analysis/", views.overview, name="overview"),
    path("consultations/<int:pk>/analysis/notes/", views.round_note, name="note"),
    path("consultations/<int:pk>/analysis/answers/", views.answers, name="answers"),
    path("consultations/<int:pk>/analysis/answers/<int:answer_id>/", views.answer,
         name="answer"),
    path("consultations/<int:pk>/analysis/responses.csv", views.export_csv, name="export"),
    path("consultations/<int:pk>/analysis/statements/", views.statements, name="statements"),
    path("consultations/<int:pk>/analysis/statements/new/", views.statement_edit,
         name="statement-new"),
    path("consultations/<int:pk>/analysis/statements/<int:statement_id>/",
         views.statement_edit, name="statement"),
    path("consultations/<int:pk>/analysis/statements/<int:statement_id>/change/",
         views.statement_change, name="statement-change"),
    path("consultations/<int:pk>/analysis/publish/", views.publish, name="publish"),
]
