from django.urls import path

from . import scorecard_views

app_name = "scorecard"

urlpatterns = [
    path("plans/<int:pk>/scorecard/", scorecard_views.scorecard_page, name="page"),
    path("plans/<int:pk>/scorecard.csv", scorecard_views.scorecard_csv, name="csv"),
    path("plans/<int:pk>/scorecard-readings.csv", scorecard_views.scorecard_readings_csv,
         name="readings-csv"),
]
