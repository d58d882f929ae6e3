from django.urls import path

from . import consultation_views, views
from .timetable import views as timetable_views

app_name = "workflows"

urlpatterns = [
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="task-claim"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task-complete"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="task-reassign"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/title/", views.plan_rename_page, name="plan-rename"),
    path("plans/<int:pk>/actions/<slug:action>/", views.plan_action, name="plan-action"),
    path("plans/<int:pk>/consultations/", consultation_views.round_list, name="consultations"),
    path("plans/<int:pk>/consultations/new/", consultation_views.round_new,
         name="consultation-new"),
    path("consultations/<int:pk>/", consultation_views.round_detail, name="consultation"),
    path("consultations/<int:pk>/edit/", consultation_views.round_edit,
         name="consultation-edit"),
    path("consultations/<int:pk>/questions/", consultation_views.round_questions,
         name="consultation-questions"),
    path("consultations/<int:pk>/<slug:act>/", consultation_views.round_act,
         name="consultation-act"),
    path("plans/<int:pk>/actions/<slug:action>/confirm/", views.plan_action_confirm,
         name="plan-action-confirm"),
    path("plans/<int:pk>/decisions/<int:decision_id>/publication/",
         views.decision_publication, name="decision-publication"),
    path("plans/<int:pk>/timetable/", timetable_views.timetable, name="timetable"),
    path("plans/<int:pk>/timetable/edit/", timetable_views.timetable_edit,
         name="timetable-edit"),
]
