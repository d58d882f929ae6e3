"""Single sign-on by OpenID Connect (governance.sso): mozilla-django-oidc's url names."""

from django.urls import path

from .sso.views import SignInCallbackView, SignInRequestView

urlpatterns = [
    path("oidc/authenticate/", SignInRequestView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", SignInCallbackView.as_view(), name="oidc_authentication_callback"),
]
