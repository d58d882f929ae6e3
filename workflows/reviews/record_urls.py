"""Pages for a review's scrutiny feedback and external submission (review-records)."""

from django.urls import path

from . import record_views as views

app_name = "review_records"

urlpatterns = [
    path("reviews/<int:pk>/scrutiny/", views.scrutiny_page, name="scrutiny"),
    path("reviews/<int:pk>/scrutiny/points/<int:number>/", views.point_answer,
         name="scrutiny-answer"),
    path("reviews/<int:pk>/scrutiny/incorporated/", views.incorporated,
         name="scrutiny-incorporated"),
    path("reviews/<int:pk>/external/", views.external_page, name="external"),
    path("reviews/<int:pk>/external/record/", views.external_record, name="external-record"),
]
