from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from documents.documents_api import DocumentViewSet
from governance.api import BodyViewSet
from workflows.api import TaskViewSet
from workflows.plans_api import PlanViewSet


class TokenView(ObtainAuthToken):
    """A token for a username and password, read from a JSON body like every other request
    (ObtainAuthToken also reads forms). Lockouts and rate limits on sign-in plug in here."""

    parser_classes = APIView.parser_classes  # the API's DEFAULT_PARSER_CLASSES


router = DefaultRouter()
router.register("bodies", BodyViewSet, basename="body")
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
