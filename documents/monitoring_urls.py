from django.urls import path

from documents.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("plans/<int:pk>/indicators/", views.indicators, name="indicators"),
    path("plans/<int:pk>/indicators/<slug:key>/", views.indicator, name="indicator"),
]
