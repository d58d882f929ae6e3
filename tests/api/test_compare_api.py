"""GET plans/{id}/versions/compare/?from=N&to=M: the structured changes between two versions,
problem+json 400 naming from/to, 404 for plans not visible, and the schema."""

from __future__ import annotations

from typing import Any

import pytest

from documents.services import version_create
from tests.conftest import make_plan
from tests.factories import valid_content

from .conftest import MEMBERS, other_partnership_plan, plan_url, problem


@pytest.fixture
def plan(world: Any, frozen_clock: Any) -> Any:
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    second = valid_content(vision="In York we know that our children are our future.")
    second["outcomes"][0]["priorities"].append(  # type: ignore[index]
        {"key": "smoke", "title": "Fewer young people smoke"})
    second["actions"][0]["lead"] = "Director of Public Health"  # type: ignore[index]
    second["cross_cutting_themes"] = []
    version_create(plan=plan, actor=world.lead, content=second)
    return plan


def compare(api: Any, plan: Any, query: str) -> Any:
    return api.get(plan_url(plan, f"versions/compare/{query}"))


@pytest.mark.parametrize("role", MEMBERS)
def test_every_member_gets_the_structured_changes(world, plan, as_user, role):
    response = compare(as_user(getattr(world, role)), plan, "?from=1&to=2")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["from_version"]["number"] == 1 and body["to_version"]["number"] == 2
    assert body["from_version"]["content_hash"] == plan.versions.get(number=1).content_hash
    assert body["total"] == 4
    assert body["summary_text"] == ["Vision changed", "1 priority added", "1 action changed",
                                    "1 cross-cutting theme removed"]
    assert body["summary"]["priorities"] == {"added": 1, "removed": 0, "moved": 0,
                                             "changed": 0}
    assert {"op": "insert", "text": "know "} in body["vision"]["diff"]
    [priority] = body["sections"]["priorities"]
    assert (priority["kinds"], priority["key"], priority["new_parent"]) == (
        ["added"], "smoke", ["healthy"])
    [action] = body["sections"]["actions"]
    assert action["kinds"] == ["changed"]
    assert action["key"] is None
    [field] = action["fields"]
    assert (field["field"], field["old"], field["new"]) == (
        "lead", "Head of Public Health", "Director of Public Health")
    assert [run for run in field["diff"] if run["op"] != "equal"] == [
        {"op": "delete", "text": "Head"}, {"op": "insert", "text": "Director"}] or any(
        run["op"] == "insert" for run in field["diff"])
    [theme] = body["sections"]["cross_cutting_themes"]
    assert theme["kinds"] == ["removed"] and theme["old"]["title"] == "Narrowing the gap"
    assert body["sections"]["outcomes"] == body["sections"]["indicators"] == []


def test_the_same_version_has_no_changes(world, plan, as_user):
    body = compare(as_user(world.lead), plan, "?from=2&to=2").json()
    assert body["total"] == 0 and body["vision"] is None and body["summary_text"] == []


def test_from_and_to_may_be_in_either_order(world, plan, as_user):
    body = compare(as_user(world.lead), plan, "?from=2&to=1").json()
    assert body["summary_text"] == ["Vision changed", "1 priority removed", "1 action changed",
                                    "1 cross-cutting theme added"]


@pytest.mark.parametrize(("query", "fields"), [
    ("", {"from", "to"}),
    ("?to=2", {"from"}),
    ("?from=1", {"to"}),
    ("?from=one&to=2", {"from"}),
    ("?from=1&to=2.0", {"to"}),
    ("?from=-1&to=2", {"from"}),
    ("?from=%C2%B9&to=2", {"from"}),
    ("?from=1&to=99999999999999999999", {"to"}),
    ("?from=3&to=2", {"from"}),
    ("?from=0&to=4", {"from", "to"}),
])
def test_bad_from_or_to_is_a_problem_naming_it(world, plan, as_user, query, fields):
    body = problem(compare(as_user(world.lead), plan, query), 400)
    assert set(body["errors"]) == fields


def test_a_version_of_another_plan_is_not_one_of_this_plan(world, plan, as_user):
    other = make_plan(world)
    for _ in range(3):
        version_create(plan=other, actor=world.lead, content=valid_content())
    body = problem(compare(as_user(world.lead), plan, "?from=1&to=3"), 400)
    assert body["errors"] == {"to": ["This plan has no version 3; its versions are 1 to 2."]}


def test_a_plan_not_visible_is_404(world, plan, as_user):
    problem(compare(as_user(world.outsider), plan, "?from=1&to=2"), 404)
    elsewhere = other_partnership_plan()
    problem(compare(as_user(world.lead), elsewhere, "?from=1&to=2"), 404)
    api = as_user(world.lead)
    problem(api.get("/api/v1/plans/99999999999999999999/versions/compare/?from=1&to=2"), 404)


def test_signing_in_is_needed(plan, api):
    problem(compare(api, plan, "?from=1&to=2"), 401)


def test_html_in_content_comes_back_as_data(world, frozen_clock, as_user):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    version_create(plan=plan, actor=world.lead,
                   content=valid_content(vision="<script>alert(1)</script>"))
    body = compare(as_user(world.lead), plan, "?from=1&to=2").json()
    assert body["vision"]["new"] == "<script>alert(1)</script>"


def test_the_schema_documents_the_comparison(world, as_user):
    import yaml

    response = as_user(world.lead).get("/api/schema/")
    schema = yaml.safe_load(response.content)
    operation = schema["paths"]["/api/v1/plans/{id}/versions/compare/"]["get"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert names["from"]["required"] and names["to"]["required"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404"}
    assert operation["responses"]["400"]["content"]["application/problem+json"]
    components = schema["components"]["schemas"]
    assert {"from_version", "to_version", "summary", "summary_text", "vision",
            "sections"} <= set(components["VersionComparison"]["properties"])
    assert set(components["ChangedItems"]["properties"]) == {
        "outcomes", "priorities", "indicators", "actions", "cross_cutting_themes",
        "joint_priorities"}


def test_the_answer_has_exactly_the_documented_shape(world, frozen_clock, as_user):
    """The view returns the comparison's JSON as it is; the serializer documenting it would
    produce the very same document."""
    import json

    from documents.compare import compare as compare_contents
    from documents.compare import summary_phrases
    from documents.versions_api import VersionComparisonSerializer

    plan = make_plan(world)
    first = valid_content()
    version_create(plan=plan, actor=world.lead, content=first)
    second = valid_content(vision="A new vision.", cross_cutting_themes=[
        {"title": "Narrowing the gap between groups"}, {"title": "Voice"}])
    second["outcomes"].reverse()  # type: ignore[attr-defined]
    second["indicators"][0]["target"] = 7  # type: ignore[index]
    second["indicators"][0]["outcome"] = "safe"  # type: ignore[index]
    second["actions"].append({**second["actions"][0], "title": "New"})  # type: ignore[index]
    version_create(plan=plan, actor=world.lead, content=second)
    body = compare(as_user(world.lead), plan, "?from=1&to=2").json()
    old, new = plan.versions.order_by("number")
    result = compare_contents(old.content, new.content)
    documented = VersionComparisonSerializer({
        **result, "from_version": old, "to_version": new,
        "summary_text": summary_phrases(result)}).data
    assert json.loads(json.dumps(documented)) == body
    assert {kind for section in body["sections"].values() for e in section
            for kind in e["kinds"]} == {"added", "moved", "changed"}
