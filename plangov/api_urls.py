from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from documents.consultation_summary_api import ConsultationSummaryView
from documents.content_io.api import (
    DraftExportView,
    DraftImportConfirmView,
    DraftImportView,
    VersionExportView,
)
from documents.documents_api import DocumentViewSet
from documents.drafts_api import DraftSaveVersionView, DraftView
from documents.monitoring.actions_api import ActionsProgressView
from documents.monitoring.api import (
    RagThresholdsView,
    ReadingsView,
    ReadingView,
    ScorecardView,
)
from documents.versions_api import VersionCompareView
from governance.api import BodyViewSet
from governance.consultation.imports_api import ImportDetailView, ImportListView
from governance.consultation.responses_api import ResponseCreateView
from governance.tokens.api import TokenDetailView, TokenListView, token_view
from plangov.ids import ID_REGEX
from workflows.api import TaskViewSet
from workflows.callin_api import CallInListView, CallInOutcomeView, DecisionPublicationView
from workflows.consultations_api import (
    ConsultationPublicationView,
    ConsultationView,
    PlanConsultationsView,
)
from workflows.plans_api import PlanViewSet
from workflows.reviews.api import PlanReviewsView, ReviewViewSet
from workflows.reviews.records_api import (
    ExternalSubmissionView,
    ExternalSubmittedView,
    FeedbackIncorporatedView,
    FeedbackPointView,
    ScrutinyFeedbackView,
)
from workflows.timetable.api import TimetableView

router = DefaultRouter()
router.register("bodies", BodyViewSet, basename="body")
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
router.register("documents", DocumentViewSet, basename="document")
router.register("reviews", ReviewViewSet, basename="review")

urlpatterns = [
    path("auth/token/", token_view, name="api-token"),
    # Doors (issue 13): the caller's own tokens (governance.tokens.api).
    path("auth/tokens/", TokenListView.as_view(), name="api-token-list"),
    path("auth/tokens/<int:pk>/", TokenDetailView.as_view(), name="api-token-detail"),
    # Before the router's plans/{id}/versions/{n}/ (which takes digits only, so never this).
    path("plans/<int:pk>/versions/compare/", VersionCompareView.as_view(),
         name="plan-versions-compare"),
    path("plans/<int:pk>/actions-progress/", ActionsProgressView.as_view(),
         name="plan-actions-progress"),
    *router.urls,
    path("plans/<int:pk>/draft/", DraftView.as_view(), name="plan-draft"),
    path("plans/<int:pk>/draft/save-version/", DraftSaveVersionView.as_view(),
         name="plan-draft-save-version"),
    path("consultations/<int:pk>/summary/", ConsultationSummaryView.as_view(),
         name="consultation-summary"),
    path("consultations/<int:pk>/responses/", ResponseCreateView.as_view(),
         name="consultation-responses"),
    path("plans/<int:pk>/call-ins/", CallInListView.as_view(), name="plan-call-ins"),
    path("plans/<int:pk>/consultations/", PlanConsultationsView.as_view(),
         name="plan-consultations"),
    path("consultations/<int:pk>/", ConsultationView.as_view(), name="consultation"),
    path("consultations/<int:pk>/publication/", ConsultationPublicationView.as_view(),
         name="consultation-publication"),
    path("plans/<int:pk>/call-ins/<int:number>/outcome/", CallInOutcomeView.as_view(),
         name="plan-call-in-outcome"),
    path("plans/<int:pk>/decisions/<int:decision_id>/publication/",
         DecisionPublicationView.as_view(), name="plan-decision-publication"),
    path("plans/<int:pk>/timetable/", TimetableView.as_view(), name="plan-timetable"),
    path("plans/<int:pk>/reviews/", PlanReviewsView.as_view(), name="plan-reviews"),
    # A review's scrutiny feedback and external submission (workflows.reviews.records_api).
    path("reviews/<int:pk>/scrutiny-feedback/", ScrutinyFeedbackView.as_view(),
         name="review-scrutiny-feedback"),
    path("reviews/<int:pk>/scrutiny-feedback/points/<int:number>/", FeedbackPointView.as_view(),
         name="review-feedback-point"),
    path("reviews/<int:pk>/scrutiny-feedback/incorporated/", FeedbackIncorporatedView.as_view(),
         name="review-feedback-incorporated"),
    path("reviews/<int:pk>/external-submission/", ExternalSubmissionView.as_view(),
         name="review-external-submission"),
    path("reviews/<int:pk>/external-submission/submitted/", ExternalSubmittedView.as_view(),
         name="review-external-submitted"),
    re_path(rf"^plans/(?P<pk>{ID_REGEX})/draft/import/$", DraftImportView.as_view(),
            name="plan-draft-import"),
    re_path(rf"^plans/(?P<pk>{ID_REGEX})/draft/import/(?P<token>[A-Za-z0-9_-]{{1,64}})"
            r"/confirm/$", DraftImportConfirmView.as_view(), name="plan-draft-import-confirm"),
    re_path(rf"^plans/(?P<pk>{ID_REGEX})/draft/export/$", DraftExportView.as_view(),
            name="plan-draft-export"),
    re_path(rf"^plans/(?P<pk>{ID_REGEX})/versions/(?P<number>{ID_REGEX})/export/$",
            VersionExportView.as_view(), name="plan-version-export"),
    # Monitoring an adopted plan (documents.monitoring.api).
    path("plans/<int:pk>/indicators/<slug:key>/readings/", ReadingsView.as_view(),
         name="plan-indicator-readings"),
    path("plans/<int:pk>/indicators/<slug:key>/readings/<int:reading_id>/",
         ReadingView.as_view(), name="plan-indicator-reading"),
    path("plans/<int:pk>/scorecard/", ScorecardView.as_view(), name="plan-scorecard"),
    path("plans/<int:pk>/rag-thresholds/", RagThresholdsView.as_view(),
         name="plan-rag-thresholds"),
    path("consultations/<int:pk>/imports/", ImportListView.as_view(),
         name="consultation-imports"),
    path("consultations/<int:pk>/imports/<int:import_id>/", ImportDetailView.as_view(),
         name="consultation-import"),
]
