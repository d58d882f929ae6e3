"""plans/{id}/versions/: writing a version from JSON content, and reading versions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from documents.content import content_hash, normalise
from documents.models import PlanVersion, Stage
from documents.services import version_create
from tests.conftest import make_plan
from tests.factories import valid_content

from .conftest import (
    MEMBERS,
    POSSIBLE_ACTIONS,
    audit_events,
    make_lead_deputy,
    plan_in_stage,
    plan_url,
    problem,
    refusal,
)


def post_version(api: Any, plan: Any, content: Any, **extra: Any) -> Any:
    return api.post(plan_url(plan, "versions/"), {"content": content, **extra}, format="json")


def nothing_saved(plan: Any, *, versions: int, events: int) -> None:
    """Bad input lost nothing already saved, added nothing, and wrote no audit event."""
    plan.refresh_from_db()
    assert plan.versions.count() == versions
    assert (plan.current_version.number if plan.current_version else 0) == versions
    assert audit_events() == events


# Writing a version


def test_it_writes_the_first_version(world, as_user):
    plan = make_plan(world)
    response = post_version(as_user(world.lead), plan, valid_content(), note="First draft")
    assert response.status_code == 201, response.content
    body = response.json()
    version = PlanVersion.objects.get(plan=plan)
    assert body["number"] == 1
    assert body["note"] == "First draft"
    assert body["created_by"] == "lead"
    assert body["submitted"] is False
    assert body["content_hash"] == version.content_hash == content_hash(version.content)
    assert body["content"] == version.content == normalise(valid_content())
    plan.refresh_from_db()
    assert plan.current_version == version
    event = plan.audit_events.order_by("-seq").first()
    assert (event.action, event.actor_label, event.reason) == ("version.create", "lead",
                                                              "First draft")
    assert event.after["current_version"] == 1


def test_it_fills_defaults_in_the_stored_content(world, as_user):
    plan = make_plan(world)
    minimal = {"vision": "Every child matters.", "outcomes": [{"key": "safe", "title": "Safe"}]}
    body = post_version(as_user(world.lead), plan, minimal).json()
    assert body["content"] == {
        "vision": "Every child matters.",
        "outcomes": [{"key": "safe", "title": "Safe", "description": "", "priorities": []}],
        "indicators": [],
        "actions": [],
        "cross_cutting_themes": [],
        "joint_priorities": [],
    }


def test_it_numbers_versions_in_turn_and_keeps_the_earlier_ones(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    post_version(api, plan, valid_content())
    response = post_version(api, plan, valid_content(vision="A new vision."), note="Revised")
    assert response.json()["number"] == 2
    assert [v.number for v in plan.versions.order_by("number")] == [1, 2]
    assert plan.versions.get(number=1).content["vision"].startswith("In York")
    plan.refresh_from_db()
    assert plan.current_version.number == 2


def test_it_writes_a_version_during_consultation(world, as_user, frozen_clock):
    plan = plan_in_stage(world, frozen_clock, Stage.CONSULTATION)
    assert post_version(as_user(world.lead), plan, valid_content()).status_code == 201


def test_it_lets_the_leads_deputy_write_a_version(world, as_user):
    make_lead_deputy(world, world.board_chair)
    plan = make_plan(world)
    response = post_version(as_user(world.board_chair), plan, valid_content())
    assert response.status_code == 201
    assert response.json()["created_by"] == "board_chair"


# Invalid content


def test_it_names_each_wrong_field_with_its_dotted_path(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    post_version(api, plan, valid_content())
    events = audit_events()
    content = valid_content()
    content["outcomes"][0]["title"] = ""
    content["outcomes"][0]["priorities"][0]["key"] = "not a slug"
    content["indicators"][0]["direction_of_good"] = "sideways"
    content["indicators"][0]["baseline"] = "lots"
    content["actions"][0]["due_date"] = "soon"
    content["cross_cutting_themes"] = [{"title": "Narrowing the gap"}, {}]
    content["joint_priorities"] = [{"title": "Early help", "bodies": ["yorok-board"]}]
    body = problem(post_version(api, plan, content), 400)
    assert set(body["errors"]) == {
        "content.outcomes[0].title",
        "content.outcomes[0].priorities[0].key",
        "content.indicators[0].direction_of_good",
        "content.indicators[0].baseline",
        "content.actions[0].due_date",
        "content.cross_cutting_themes[1].title",
        "content.joint_priorities[0].bodies",
    }
    assert body["errors"]["content.outcomes[0].title"] == ["This field may not be blank."]
    assert body["detail"].startswith("Some fields are not valid: content.actions[0].due_date, ")
    nothing_saved(plan, versions=1, events=events)


def test_it_names_cross_references_that_point_nowhere(world, as_user):
    plan = make_plan(world)
    content = valid_content()
    content["indicators"][0]["outcome"] = "wealthy"
    content["actions"].append({"title": "Audit", "kind": "continuous_improvement",
                               "outcome": "safe", "priority": "active", "lead": "Head of Audit"})
    body = problem(post_version(as_user(world.lead), plan, content), 400)
    assert body["errors"] == {
        "content.indicators[0].outcome": ["No outcome has the key 'wealthy'."],
        "content.actions[1].priority": ["Outcome 'safe' has no priority 'active'."],
    }
    nothing_saved(plan, versions=0, events=1)


def test_it_names_a_repeated_key(world, as_user):
    plan = make_plan(world)
    content = valid_content()
    content["outcomes"].append({"key": "healthy", "title": "Being healthy again"})
    body = problem(post_version(as_user(world.lead), plan, content), 400)
    assert body["errors"] == {
        "content.outcomes[2].key": ["Another outcome already has the key 'healthy'."]
    }


def test_it_names_missing_required_content(world, as_user):
    plan = make_plan(world)
    body = problem(post_version(as_user(world.lead), plan, {}), 400)
    assert body["errors"] == {
        "content.vision": ["This field is required."],
        "content.outcomes": ["This field is required."],
    }
    body = problem(post_version(as_user(world.lead), plan, valid_content(outcomes=[])), 400)
    assert body["errors"] == {"content.outcomes": ["This list may not be empty."]}


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (lambda c: c.update(colour="blue"), "content.colour"),
        (lambda c: c["outcomes"][1].update(colour="blue"), "content.outcomes[1].colour"),
        (lambda c: c["outcomes"][0]["priorities"][0].update(owner="x"),
         "content.outcomes[0].priorities[0].owner"),
        (lambda c: c["indicators"][0].update(baseline_year="2009"),
         "content.indicators[0].baseline_year"),
        (lambda c: c["actions"][0].update(deadline="2010-03-31"), "content.actions[0].deadline"),
        (lambda c: c["cross_cutting_themes"][0].update(colour="red"),
         "content.cross_cutting_themes[0].colour"),
    ],
)
def test_it_refuses_content_with_unknown_keys(world, as_user, where, path):
    plan = make_plan(world)
    content = copy.deepcopy(valid_content())
    where(content)
    body = problem(post_version(as_user(world.lead), plan, content), 400)
    assert body["errors"] == {path: ["Unknown field; the plan content schema has no such key."]}
    nothing_saved(plan, versions=0, events=1)


def test_it_reports_unknown_keys_together_with_other_wrong_fields(world, as_user):
    plan = make_plan(world)
    content = valid_content()
    content["outcomes"][0].update(colour="blue", title="")
    content["vison"] = "typo"
    body = problem(post_version(as_user(world.lead), plan, content), 400)
    assert set(body["errors"]) == {
        "content.vison", "content.outcomes[0].colour", "content.outcomes[0].title",
    }


@pytest.mark.parametrize("content", [[], ["vision"], "In York...", 42, True])
def test_it_refuses_content_that_is_not_an_object(world, as_user, content):
    plan = make_plan(world)
    body = problem(post_version(as_user(world.lead), plan, content), 400)
    assert body["errors"] == {"content": ["Plan content must be a JSON object."]}
    nothing_saved(plan, versions=0, events=1)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "content"),
        ({"content": None}, "content"),
        ({"content": {"vision": "x", "outcomes": [{"key": "a", "title": "A"}]}, "note": "n" * 251},
         "note"),
    ],
)
def test_it_names_a_wrong_request_field(world, as_user, data, field):
    plan = make_plan(world)
    body = problem(as_user(world.lead).post(plan_url(plan, "versions/"), data, format="json"), 400)
    assert list(body["errors"]) == [field]
    nothing_saved(plan, versions=0, events=1)


@pytest.mark.parametrize("raw", ['{"content": {"vision": ', "[]", '"content"'])
def test_it_answers_a_malformed_body_with_a_problem(world, as_user, raw):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    response = as_user(world.lead).post(
        plan_url(plan, "versions/"), data=raw, content_type="application/json"
    )
    problem(response, 400)
    nothing_saved(plan, versions=1, events=2)


def test_it_refuses_a_version_that_is_not_json(world, as_user):
    plan = make_plan(world)
    response = as_user(world.lead).post(
        plan_url(plan, "versions/"), data="vision: x", content_type="application/yaml"
    )
    problem(response, 415)
    nothing_saved(plan, versions=0, events=1)


# Stage, permission, concurrency


@pytest.mark.parametrize(
    "stage",
    [s for s in Stage.values if s not in (Stage.DRAFTING, Stage.CONSULTATION)],
)
def test_it_refuses_a_version_in_a_stage_that_does_not_take_one(
    world, as_user, frozen_clock, stage
):
    plan = plan_in_stage(world, frozen_clock, stage)
    versions, events = plan.versions.count(), audit_events()
    body = problem(post_version(as_user(world.lead), plan, valid_content()), 409)
    assert body["stage"] == stage
    assert body["possible_actions"] == POSSIBLE_ACTIONS[stage]
    assert "only be written while the plan is in drafting or consultation" in body["detail"]
    nothing_saved(plan, versions=versions, events=events)


def test_it_answers_409_for_a_wrong_stage_even_for_invalid_content(world, as_user, frozen_clock):
    plan = plan_in_stage(world, frozen_clock, Stage.PARTNERSHIP_APPROVAL)
    problem(post_version(as_user(world.lead), plan, {"vision": 1}), 409)


@pytest.mark.parametrize("role", [m for m in MEMBERS if m != "lead"])
def test_it_lets_only_the_lead_write_a_version(world, as_user, role):
    plan = make_plan(world)
    body = problem(post_version(as_user(world.users[role]), plan, valid_content()), 403)
    assert body["detail"] == refusal(
        role, "Only the plan's lead officer or their deputy can do this.")
    nothing_saved(plan, versions=0, events=1)


def test_it_hides_the_plan_from_an_outsider_writing_a_version(world, as_user):
    plan = make_plan(world)
    problem(post_version(as_user(world.outsider), plan, valid_content()), 404)
    nothing_saved(plan, versions=0, events=1)


def test_it_answers_409_when_another_version_is_written_at_the_same_moment(
    world, as_user, monkeypatch
):
    """Two writers read the same last number; the second to insert meets the unique
    (plan, number) constraint. Simulated by inserting the rival row just before ours."""
    plan = make_plan(world)
    create = PlanVersion.objects.create

    def rival_first(**kwargs: Any) -> PlanVersion:
        create(**{**kwargs, "note": "the other writer"})
        return create(**kwargs)

    monkeypatch.setattr(PlanVersion.objects, "create", rival_first)
    body = problem(post_version(as_user(world.lead), plan, valid_content()), 409)
    assert body["detail"] == "Someone else changed this at the same moment; reload and try again."
    monkeypatch.undo()
    nothing_saved(plan, versions=0, events=1)


# Reading versions


def test_it_lists_the_versions_of_a_plan(world, as_user):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content(), note="one")
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="v2"), note="two")
    response = as_user(world.auditor).get(plan_url(plan, "versions/"))
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2 and page["next"] is None
    assert [(v["number"], v["note"]) for v in page["results"]] == [(1, "one"), (2, "two")]
    assert "content" not in page["results"][0]
    page = as_user(world.auditor).get(plan_url(plan, "versions/"), {"limit": 1}).json()
    assert [v["number"] for v in page["results"]] == [1] and page["next"]


def test_it_lists_one_version_or_many_in_the_same_number_of_queries(
    world, as_user, count_queries
):
    plan = make_plan(world)
    api = as_user(world.board_secretary)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    one = count_queries(lambda: api.get(plan_url(plan, "versions/")))
    make_lead_deputy(world, world.board_chair)
    for n in range(4):
        actor = world.board_chair if n % 2 else world.lead
        version_create(plan=plan, actor=actor, content=valid_content(vision=f"v{n}"))
    assert len(api.get(plan_url(plan, "versions/")).json()["results"]) == 5
    assert count_queries(lambda: api.get(plan_url(plan, "versions/"))) == one


def test_it_shows_one_version_with_its_content(world, as_user):
    plan = make_plan(world)
    version = version_create(plan=plan, actor=world.lead, content=valid_content())
    body = as_user(world.scrutiny_secretary).get(plan_url(plan, "versions/1/")).json()
    assert body["number"] == 1
    assert body["content"] == version.content
    assert body["content_hash"] == version.content_hash


@pytest.mark.parametrize("number", ["2", "0", "99999999999999999999999"])
def test_it_answers_404_for_a_version_that_does_not_exist(world, as_user, number):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    problem(as_user(world.lead).get(plan_url(plan, f"versions/{number}/")), 404)


def test_it_hides_versions_from_an_outsider(world, as_user):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    api = as_user(world.outsider)
    problem(api.get(plan_url(plan, "versions/")), 404)
    problem(api.get(plan_url(plan, "versions/1/")), 404)
