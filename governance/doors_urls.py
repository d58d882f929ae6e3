"""Pages of issue 13's "Doors": the two-factor step and "Your API tokens"."""

from django.urls import path

from governance import twofactor
from governance.tokens import views

urlpatterns = [
    path("accounts/two-factor/", twofactor.two_factor_page, name="two-factor"),
    path("accounts/tokens/", views.tokens_page, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke_page, name="api-token-revoke"),
]
