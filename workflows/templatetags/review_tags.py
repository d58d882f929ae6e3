"""The "Reviews" section of a plan's page: its reviews, and "Start a review" for its lead
officer once it is adopted. ``{% load review_tags %}{% plan_reviews plan %}``"""

from __future__ import annotations

from typing import Any

from django import template

from documents.models import Stage
from governance import policy
from workflows.reviews.forms import StartReviewForm

register = template.Library()


@register.inclusion_tag("workflows/reviews/plan_reviews.html", takes_context=True)
def plan_reviews(context: Any, plan: Any) -> dict[str, Any]:
    request = context["request"]
    may_start = plan.stage == Stage.ADOPTED and bool(policy.can_lead(plan, request.user))
    return {
        "plan": plan,
        "reviews": list(plan.reviews.order_by("-year", "kind", "-pk")),
        "form": StartReviewForm() if may_start else None,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
