"""The home page: where each plan is now. Inboxes and plan pages come with the routing work."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from documents.queries import visible_plans
from governance import policy


def home(request: HttpRequest) -> HttpResponse:
    plans = visible_plans(request.user) if request.user.is_authenticated else None
    return render(request, "home.html", {
        "plans": plans,
        "may_create_plans": plans is not None and bool(policy.may_create_plans(request.user)),
    })
