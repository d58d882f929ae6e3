"""The review page's scrutiny and external submission sections:

    {% load review_records %}
    {% review_scrutiny review %}
    {% review_external review %}

Each renders templates/reviews/_scrutiny.html or _external.html with what the section shows
for the signed-in person (workflows.reviews.record_views)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("reviews/_scrutiny.html", takes_context=True)
def review_scrutiny(context: Any, review: Any) -> dict[str, Any]:
    from workflows.reviews.record_forms import IncorporatedForm
    from workflows.reviews.record_views import scrutiny_section

    return {"scrutiny": scrutiny_section(review, context["request"].user),
            "incorporated_form": IncorporatedForm(), "request": context["request"],
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("reviews/_external.html", takes_context=True)
def review_external(context: Any, review: Any) -> dict[str, Any]:
    from workflows.reviews.record_views import external_section

    return {"external": external_section(review, context["request"].user),
            "request": context["request"], "csrf_token": context.get("csrf_token")}
