"""Which plans a person may see, and the prefetches the plan pages and API share."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from governance import policy
from governance.models import Decision

from .models import Plan


def visible_plans(user: Any) -> QuerySet[Plan]:
    plans = Plan.objects.select_related(
        "partnership", "owning_body", "executive_body", "lead_officer", "current_version",
        "current_version__created_by", "adopted_version",
    ).prefetch_related("approving_bodies")
    if policy.sees_every_partnership(user):
        return plans
    partnerships = policy.member_partnership_ids(user)
    return plans.filter(Q(partnership_id__in=partnerships) | Q(lead_officer=user))


def with_decisions(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    return plans.prefetch_related(
        Prefetch("decisions", Decision.objects.select_related(
            "body", "meeting", "recorded_by", "version"))
    )
