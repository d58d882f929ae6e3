"""Who leads what in an adopted plan: the leads named in its content, linked to people."""

from __future__ import annotations

from typing import Any

from documents.models import LeadLink, Plan, PlanVersion


def lead_people(plan: Plan) -> dict[str, Any]:
    """Each lead name linked for ``plan`` (as the content spells it) to its person."""
    return {link.name: link.person for link in LeadLink.objects.filter(plan=plan)
            .select_related("person")}


def priority_leads(plan: Plan, version: PlanVersion) -> list[dict[str, Any]]:
    """Every priority of ``version`` with the person who reports on it: the linked lead of
    the priority's first action that has one, else the plan's lead officer. One entry per
    priority, in the content's order: outcome_key, priority_key, title, lead, lead_name."""
    people = lead_people(plan)
    content = version.content
    named: dict[tuple[str, str], str] = {}
    for action in content.get("actions", []):
        key = (action.get("outcome", ""), action.get("priority", ""))
        if key[1] and action.get("lead") in people and key not in named:
            named[key] = action["lead"]
    result = []
    for outcome in content.get("outcomes", []):
        for priority in outcome.get("priorities", []):
            key = (outcome["key"], priority["key"])
            name = named.get(key, "")
            result.append({
                "outcome_key": outcome["key"], "priority_key": priority["key"],
                "title": priority["title"],
                "lead": people[name] if name else plan.lead_officer,
                "lead_name": name,
            })
    return result
