from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/compile/", views.review_compile_page, name="compile"),
    path("reviews/<int:pk>/actions/<slug:action>/", views.review_action, name="action"),
    path("reviews/<int:pk>/revise/", views.review_revise_page, name="revise"),
    path("reviews/<int:pk>/progress/<int:report_id>/", views.progress_report_page,
         name="progress-report"),
    path("plans/<int:pk>/reviews/start/", views.review_start_page, name="start"),
]
