from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView

from documents.health import healthz

from . import views
from .forms import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    # Topology (issue 13): the health check, no sign-in; exempt from the SSL redirect.
    path("healthz", healthz, name="healthz"),
    # Before workflows' consultations/<pk>/<act>/, which would take analysis/ for an act.
    path("", include("documents.analysis_urls")),
    # Before workflows' consultations/<pk>/<act>/, which would take activities/ and imports/.
    path("", include("governance.consultation.engagement_urls")),
    # The scorecard of a plan (documents.scorecard_views), before workflows' plans/<pk>/<act>/.
    path("", include("documents.scorecard_urls")),
    # A review's pages (workflows.reviews): its scrutiny feedback and external submission,
    # then the review itself.
    path("", include("workflows.reviews.record_urls")),
    path("", include("workflows.reviews.urls")),
    # Indicators and readings of an adopted plan (documents.monitoring).
    path("", include("documents.monitoring_urls")),
    path("", include("documents.monitoring.action_urls")),
    path("", include("workflows.successor_urls")),
    # Issue 13, auditors: the audit record's search, plan pages and signed export.
    path("", include("workflows.audit_urls")),
    path("", include("workflows.urls")),
    path("", include("documents.urls")),
    path("", include("documents.report_urls")),
    path("accessibility/", TemplateView.as_view(template_name="accessibility.html"),
         name="accessibility"),
    path("", include("documents.draft_urls")),
    # The public site: no sign-in (documents.public_site).
    path("p/", include("documents.public_site.urls")),
    path("admin/", admin.site.urls),
    # Sign-in through the text policy, like every form; the rest is Django's.
    # Doors (issue 13): two-factor and "Your API tokens" (governance.doors_urls).
    path("", include("governance.doors_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm),
         name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Single sign-on by OpenID Connect (issue 13, oidc): /oidc/authenticate/, /oidc/callback/.
    path("", include("governance.sso_urls")),
    path("api/v1/", include("plangov.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Redoc, with its own looser Content-Security-Policy (plangov.views.api_docs).
    path("api/docs/", views.api_docs, name="api-docs"),
]

# Errors that never reach a DRF view answer problem+json under /api/ (see plangov.problems).
handler400 = "plangov.problems.handler400"
handler403 = "plangov.problems.handler403"
handler404 = "plangov.problems.handler404"
handler500 = "plangov.problems.handler500"
