from django.urls import path
from rest_framework.routers import DefaultRouter

from documents.documents_api import DocumentViewSet
from governance.api import BodyViewSet
from plangov.token_api import token_view
from workflows.api import TaskViewSet
from workflows.plans_api import PlanViewSet

router = DefaultRouter()
router.register("bodies", BodyViewSet, basename="body")
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    path("auth/token/", token_view, name="api-token"),
    *router.urls,
]
