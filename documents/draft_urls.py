from django.urls import path

from . import draft_views

app_name = "drafts"

urlpatterns = [
    path("plans/<int:pk>/draft/", draft_views.draft_overview, name="overview"),
    path("plans/<int:pk>/draft/save-version/", draft_views.draft_save_version_page,
         name="save-version"),
    path("plans/<int:pk>/draft/<slug:section>/", draft_views.draft_section, name="section"),
]
