from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("<slug:slug>/", views.partnership_home, name="home"),
    path("<slug:slug>/documents/<int:pk>/", views.public_document, name="document"),
    path("<slug:slug>/plans/<int:pk>/scorecard/", views.scorecard, name="scorecard"),
    path("<slug:slug>/consultations/<int:pk>/", views.round_page, name="round"),
    path("<slug:slug>/consultations/<int:pk>/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/consultations/<int:pk>/privacy/", views.privacy, name="privacy"),
    path("<slug:slug>/consultations/<int:pk>/results/", views.results, name="results"),
]
