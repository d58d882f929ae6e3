from django.urls import path

from . import successor_views

app_name = "successor"

urlpatterns = [
    path("plans/<int:pk>/successor/", successor_views.successor_start, name="start"),
]
