"""Pages of an adopted plan's actions and their progress, and of its leads. Under
``plans/<pk>/progress/`` (``plans/<pk>/actions/<slug>/`` is the lifecycle's)."""

from django.urls import path

from . import action_views as views

app_name = "actions"

urlpatterns = [
    path("plans/<int:pk>/progress/", views.action_list, name="list"),
    path("plans/<int:pk>/progress/actions/<int:number>/", views.action_detail, name="action"),
    path("plans/<int:pk>/progress/upload/", views.action_upload, name="upload"),
    path("plans/<int:pk>/progress/template.<str:kind>", views.action_template,
         name="template"),
    path("plans/<int:pk>/leads/", views.leads, name="leads"),
]
