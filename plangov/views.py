"""The home page: where each plan is now. Inboxes and plan pages come with the routing work."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.views import SpectacularRedocView

from documents.queries import visible_plans
from governance import policy


def home(request: HttpRequest) -> HttpResponse:
    plans = visible_plans(request.user) if request.user.is_authenticated else None
    return render(request, "home.html", {
        "plans": plans,
        "may_create_plans": plans is not None and bool(policy.may_create_plans(request.user)),
    })


# /api/docs/: Redoc (drf-spectacular-sidecar's standalone build) injects its styles as <style>
# elements, runs its search in a worker made from a blob: URL and draws icons from data:
# URLs. This page alone loosens the Content-Security-Policy for that (settings'
# CONTENT_SECURITY_POLICY stays strict everywhere else); its scripts are still ours only.
API_DOCS_CSP = {
    "style-src": [UNSAFE_INLINE],
    "worker-src": ["'self'", "blob:"],
    "img-src": ["data:"],
}
api_docs = csp_update(API_DOCS_CSP)(SpectacularRedocView.as_view(url_name="schema"))
