"""Pages for a plan's versions: the list (each with the decisions taken on it), reading one
version, and comparing any two. Anyone who may see the plan may read them; others get 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from governance.models import Body, Decision
from plangov.errors import InvalidInput
from plangov.ids import INT64_MAX

from .compare import FIELDS, SECTIONS, compare, describe_parent, summary_phrases
from .compare_html import render_entries
from .content import ActionKind, DirectionOfGood
from .models import Plan, PlanVersion
from .publishing.context import content_context
from .queries import versions_to_compare, visible_plans

FIELD_LABELS = {
    "title": "Title", "description": "Description", "unit": "Unit", "baseline": "Baseline",
    "baseline_period": "Baseline period", "latest": "Latest", "latest_period": "Latest period",
    "target": "Target", "direction_of_good": "Direction of good", "kind": "Kind",
    "lead": "Lead", "delivery_group": "Delivery group", "due_date": "Due date",
    "bodies": "Bodies", "key": "Key",
}
SECTION_TITLES = {
    "outcomes": "Outcomes", "priorities": "Priorities", "indicators": "Indicators",
    "actions": "Actions", "cross_cutting_themes": "Cross-cutting themes",
    "joint_priorities": "Joint priorities",
}
CHOICE_LABELS = {"kind": dict(ActionKind.choices),
                 "direction_of_good": dict(DirectionOfGood.choices)}


def visible_plan(request: HttpRequest, pk: int) -> Plan:
    # The versions' content is read where it is needed, not with the plan.
    plans = visible_plans(request.user).defer("current_version__content",
                                              "adopted_version__content")
    plan = plans.filter(pk=pk).first() if pk <= INT64_MAX else None
    if plan is None:
        raise Http404("No such plan.")
    return plan


def version_status(plan: Plan, version: PlanVersion) -> str:
    """Where the version stands in the plan's life, in words."""
    if plan.adopted_version_id == version.pk:
        return "Adopted"
    if plan.current_version_id == version.pk:
        return "Current version, submitted for approval" if version.is_submitted else (
            "Current version")
    return "Earlier version, submitted for approval" if version.is_submitted else (
        "Earlier version")


@login_required
def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plan(request, pk)
    versions = list(
        plan.versions.select_related("created_by").prefetch_related(Prefetch(
            "decisions", Decision.objects.select_related("body").order_by("decided_on", "pk")))
        .order_by("-number")
    )
    rows = [{"version": v, "status": version_status(plan, v)} for v in versions]
    numbers = [v.number for v in versions]
    return render(request, "documents/version_list.html", {
        "plan": plan, "rows": rows, "numbers": numbers,
        "default_from": numbers[1] if len(numbers) > 1 else (numbers[0] if numbers else None),
        "default_to": numbers[0] if numbers else None,
    })


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = visible_plan(request, pk)
    version = (plan.versions.select_related("created_by", "submitted_by")
               .filter(number=number).first() if number <= INT64_MAX else None)
    if version is None:
        raise Http404("No such version.")
    laid_out = content_context(version.content)
    slugs = {slug for joint in laid_out["joint_priorities"] for slug in joint["bodies"]}
    names = dict(Body.objects.filter(partnership_id=plan.partnership_id, slug__in=slugs)
                 .values_list("slug", "name")) if slugs else {}
    joint = [{**j, "body_names": [names.get(s, s) for s in j["bodies"]]}
             for j in laid_out["joint_priorities"]]
    contents = [
        ("vision", "Vision"),
        ("outcomes", "Outcomes and priorities"),
        *([("indicators", "Indicators")] if laid_out["indicator_groups"] else []),
        *([("actions", "Actions")] if laid_out["actions_by_kind"] else []),
        *([("themes", "Cross-cutting themes")] if laid_out["themes"] else []),
        *([("joint-priorities", "Joint priorities")] if joint else []),
        ("decisions", "Decisions on this version"),
    ]
    decisions = list(version.decisions.select_related("body").order_by("decided_on", "pk"))
    last = plan.versions.order_by("-number").values_list("number", flat=True).first()
    return render(request, "documents/version_detail.html", {
        **laid_out, "plan": plan, "version": version, "joint": joint, "contents": contents,
        "status": version_status(plan, version), "decisions": decisions,
        "previous": version.number - 1 if version.number > 1 else None,
        "next": version.number + 1 if last and version.number < last else None,
    })


def _values(section: str, data: dict[str, Any] | None) -> list[dict[str, Any]]:
    """An added or removed item's fields, for one side of the comparison."""
    if data is None:
        return []
    return [{"label": FIELD_LABELS[f], "value": _shown(f, data.get(f))}
            for f in FIELDS[section] if data.get(f) not in (None, "", [])]


def _shown(field: str, value: Any) -> Any:
    return CHOICE_LABELS.get(field, {}).get(value, value) if isinstance(value, str) else value


def _entries(section: str, changes: list[dict[str, Any]], old_titles: dict[str, str],
             new_titles: dict[str, str]) -> list[dict[str, Any]]:
    shown = []
    for change in changes:
        kinds = change["kinds"]
        moved = ""
        if "moved" in kinds:
            before = describe_parent(section, change["old_parent"], old_titles)
            after = describe_parent(section, change["new_parent"], new_titles)
            if change["old_parent"] != change["new_parent"]:
                moved = f"Moved from {before} to {after}."
            else:
                moved = (f"Moved from position {change['old_position'] + 1} to position "
                         f"{change['new_position'] + 1}" + (f" in {after}." if after else "."))
        shown.append({
            **change,
            "moved_text": moved,
            "parent_text": describe_parent(section, change["new_parent"] or change["old_parent"],
                                           new_titles if change["new_parent"] else old_titles),
            "rows": [{**f, "label": FIELD_LABELS.get(f["field"], f["field"]),
                      "old": _shown(f["field"], f["old"]), "new": _shown(f["field"], f["new"])}
                     for f in change["fields"]],
            "old_values": _values(section, change["old"]) if kinds == ["removed"] else [],
            "new_values": _values(section, change["new"]) if kinds == ["added"] else [],
        })
    return shown


def compare_context(plan: Plan, old: PlanVersion, new: PlanVersion) -> dict[str, Any]:
    result = compare(old.content, new.content)
    old_titles = {o["key"]: o["title"] for o in old.content["outcomes"]}
    new_titles = {o["key"]: o["title"] for o in new.content["outcomes"]}
    sections = []
    for name, singular, plural in SECTIONS:
        entries = _entries(name, result["sections"][name], old_titles, new_titles)
        sections.append({
            "id": name.replace("_", "-"), "name": name, "title": SECTION_TITLES[name],
            "singular": singular, "plural": plural, "counts": result["summary"][name],
            "entries": entries,
            "html": render_entries(name, entries, old.number, new.number)})
    return {"result": result, "phrases": summary_phrases(result), "sections": sections,
            "old": old, "new": new}


@login_required
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plan(request, pk)
    numbers = sorted(plan.versions.values_list("number", flat=True), reverse=True)
    context: dict[str, Any] = {"plan": plan, "numbers": numbers,
                               "chosen_from": request.GET.get("from", ""),
                               "chosen_to": request.GET.get("to", "")}
    try:
        old, new = versions_to_compare(plan, request.GET)
    except InvalidInput as exc:
        labels = {"from": "Compare version", "to": "With version"}
        context["errors"] = {name: messages[0] for name, messages in exc.errors.items()}
        context["error_list"] = [(name, labels.get(name, name), messages[0])
                                 for name, messages in exc.errors.items()]
        return render(request, "documents/version_compare.html", context, status=400)
    context.update(compare_context(plan, old, new))
    return render(request, "documents/version_compare.html", context)
