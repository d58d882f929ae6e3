"""Which plans a person may see, and the prefetches the plan pages and API share."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from governance import policy
from governance.models import Decision
from plangov.errors import InvalidInput
from plangov.ids import to_int

from .models import Plan, PlanVersion


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
        # The plan's decisions are those on its versions; a review's are the review's.
        Prefetch("decisions", Decision.objects.filter(version__isnull=False).select_related(
            "body", "meeting", "recorded_by", "version"))
    )


def version_number(params: Any, name: str, label: str, numbers: list[int]) -> int:
    """The version named by query parameter ``name`` (``from`` or ``to``): one of ``numbers``,
    the plan's versions. InvalidInput naming ``name`` when it is missing, not a whole number,
    or not a version of this plan."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        raise InvalidInput({name: [f"Choose the version to compare {label}."]})
    number = to_int(str(raw).strip(), minimum=1)
    if number is None:
        raise InvalidInput({name: [f"The version to compare {label} must be a version number, "
                                   "a whole number such as 2."]})
    if number not in numbers:
        have = ("it has no versions yet" if not numbers else "it has only version 1"
                if numbers == [1] else f"its versions are {numbers[0]} to {numbers[-1]}")
        raise InvalidInput({name: [f"This plan has no version {number}; {have}."]})
    return number


def versions_to_compare(plan: Plan, params: Any) -> tuple[PlanVersion, PlanVersion]:
    """The two versions ``?from=N&to=M`` names; InvalidInput naming each wrong parameter."""
    numbers = sorted(plan.versions.values_list("number", flat=True))
    errors: dict[str, list[str]] = {}
    chosen: dict[str, int] = {}
    for name, label in (("from", "from"), ("to", "with")):
        try:
            chosen[name] = version_number(params, name, label, numbers)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    versions = {v.number: v for v in plan.versions.select_related("created_by").filter(
        number__in=set(chosen.values()))}
    return versions[chosen["from"]], versions[chosen["to"]]


def last_decided_version(plan: Plan, body_id: int, before: int) -> PlanVersion | None:
    """The latest version before version ``before`` on which ``body_id`` decided."""
    decision = (Decision.objects.filter(plan=plan, body_id=body_id, version__number__lt=before)
                .select_related("version").order_by("-version__number", "-pk").first())
    return decision.version if decision is not None else None
