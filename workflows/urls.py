from django.urls import path

from . import views
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
    path("plans/<int:pk>/actions/<slug:action>/confirm/", views.plan_action_confirm,
         name="plan-action-confirm"),
    path("plans/<int:pk>/decisions/<int:decision_id>/publication/",
         views.decision_publication, name="decision-publication"),
    path("plans/<int:pk>/timetable/", timetable_views.timetable, name="timetable"),
    path("plans/<int:pk>/timetable/edit/", timetable_views.timetable_edit,
         name="timetable-edit"),
]
