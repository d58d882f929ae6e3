"""Staff pages of a consultation round: engagement activities and offline-response imports."""

from django.urls import path

from . import engagement_views as views

app_name = "engagement"

urlpatterns = [
    path("consultations/<int:round_id>/activities/", views.activity_list, name="activities"),
    path("consultations/<int:round_id>/activities/new/", views.activity_new,
         name="activity-new"),
    path("consultations/<int:round_id>/activities/<int:activity_id>/", views.activity_edit,
         name="activity"),
    path("consultations/<int:round_id>/activities/<int:activity_id>/delete/",
         views.activity_remove, name="activity-delete"),
    path("consultations/<int:round_id>/imports/", views.import_list, name="imports"),
    path("consultations/<int:round_id>/imports/<int:import_id>/", views.import_detail,
         name="import"),
    path("consultations/<int:round_id>/imports/<int:import_id>/only-valid-rows/",
         views.import_only_valid, name="import-valid-rows"),
    path("consultations/<int:round_id>/imports/<int:import_id>/report.csv",
         views.import_report, name="import-report"),
]
