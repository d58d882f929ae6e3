"""plans/{id}/draft/: read with an ETag, save with If-Match (428 without, 412 when stale, with
the current draft), save as a version."""

from __future__ import annotations

from typing import Any

import pytest

from documents.content import normalise
from documents.models import PlanDraft, PlanVersion
from tests.conftest import make_plan, submitted_plan
from tests.factories import valid_content

from .conftest import audit_events, other_partnership_plan, plan_url, problem


def get_draft(api: Any, plan: Any) -> Any:
    return api.get(plan_url(plan, "draft/"))


def put_draft(api: Any, plan: Any, content: Any, etag: str | None) -> Any:
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return api.put(plan_url(plan, "draft/"), {"content": content}, format="json", **headers)


def save_version(api: Any, plan: Any, etag: str | None, **body: Any) -> Any:
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return api.post(plan_url(plan, "draft/save-version/"), body, format="json", **headers)


def test_get_makes_the_draft_and_answers_its_etag(world, as_user):
    plan = make_plan(world)
    response = get_draft(as_user(world.lead), plan)
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["revision"] == 1
    assert body["based_on"] is None
    assert body["content"]["outcomes"] == []
    assert set(body["warnings"]) == {"vision", "outcomes"}
    assert body["updated_by"] is None
    assert body["behind"] is False
    assert PlanDraft.objects.filter(plan=plan).count() == 1


def test_put_saves_unfinished_work_and_bumps_the_etag_without_audit(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    etag = get_draft(api, plan)["ETag"]
    events = audit_events()
    unfinished = {"vision": "Draft", "outcomes": [{"key": "healthy", "title": ""}]}
    response = put_draft(api, plan, unfinished, etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["content"] == unfinished
    assert body["warnings"] == {"outcomes[0].title": ["This field may not be blank."]}
    assert body["updated_by"] == "lead"
    assert audit_events() == events


def test_put_without_if_match_is_428(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    get_draft(api, plan)
    body = problem(put_draft(api, plan, {"vision": "x"}, None), 428)
    assert "If-Match" in body["detail"]
    assert PlanDraft.objects.get(plan=plan).revision == 1
    problem(save_version(api, plan, None), 428)


@pytest.mark.parametrize("etag", ['"1"', '"99"', "garbage", "*", 'W/"1"'])
def test_a_stale_put_is_412_with_the_current_draft(world, as_user, etag):
    plan = make_plan(world)
    api = as_user(world.lead)
    first = get_draft(api, plan)["ETag"]
    assert put_draft(api, plan, {"vision": "First coordinator"}, first).status_code == 200
    response = put_draft(api, plan, {"vision": "Second coordinator"}, etag)
    body = problem(response, 412)
    assert response["ETag"] == '"2"'
    assert body["draft"]["revision"] == 2
    assert body["draft"]["content"] == {"vision": "First coordinator"}
    assert body["draft"]["updated_by"] == "lead"
    assert PlanDraft.objects.get(plan=plan).content == {"vision": "First coordinator"}


def test_control_characters_are_400_naming_the_field(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    etag = get_draft(api, plan)["ETag"]
    response = put_draft(api, plan, {"vision": "ok", "outcomes": [{"title": "a\x0bb"}]}, etag)
    body = problem(response, 400)
    assert "content.outcomes[0].title" in body["errors"]
    assert PlanDraft.objects.get(plan=plan).revision == 1


def test_a_bad_body_is_400_before_if_match_is_asked_for(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    response = api.put(plan_url(plan, "draft/"), '{"content": "x\\u000b"}',
                       content_type="application/json")
    assert "content" in problem(response, 400)["errors"]
    problem(api.put(plan_url(plan, "draft/"), {}, format="json"), 400)


def test_content_that_is_not_an_object_is_400(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    etag = get_draft(api, plan)["ETag"]
    body = problem(put_draft(api, plan, ["vision"], etag), 400)
    assert "content" in body["errors"]


def test_save_version_refuses_with_the_warnings_then_writes_one_version(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    etag = get_draft(api, plan)["ETag"]
    content = valid_content()
    content["indicators"][0]["outcome"] = "nowhere"
    etag = put_draft(api, plan, content, etag)["ETag"]
    events = audit_events()
    body = problem(save_version(api, plan, etag), 400)
    assert list(body["errors"]) == ["indicators[0].outcome"]
    assert plan.versions.count() == 0
    content["indicators"][0]["outcome"] = "healthy"
    etag = put_draft(api, plan, content, etag)["ETag"]
    response = save_version(api, plan, etag, note="Agreed at the away day")
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"4"'
    version = PlanVersion.objects.get(plan=plan)
    assert response.json()["number"] == 1
    assert response.json()["content"] == version.content == normalise(content)
    assert audit_events() == events + 1
    draft = get_draft(api, plan).json()
    assert (draft["based_on"], draft["current_version"], draft["behind"]) == (1, 1, False)


def test_save_version_is_409_when_the_plan_is_past_drafting(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    api = as_user(world.lead)
    etag = get_draft(api, plan)["ETag"]
    etag = put_draft(api, plan, valid_content(vision="Next time."), etag)["ETag"]
    body = problem(save_version(api, plan, etag), 409)
    assert body["stage"] == "partnership_approval"
    assert plan.versions.count() == 1
    assert get_draft(api, plan).json()["content"]["vision"] == "Next time."


def test_a_draft_behind_a_newer_version_says_so(world, as_user):
    plan = make_plan(world)
    api = as_user(world.lead)
    api.post(plan_url(plan, "versions/"), {"content": valid_content()}, format="json")
    get_draft(api, plan)
    api.post(plan_url(plan, "versions/"), {"content": valid_content(vision="B")}, format="json")
    body = get_draft(api, plan).json()
    assert (body["based_on"], body["current_version"], body["behind"]) == (1, 2, True)


@pytest.mark.parametrize("role", ["board_secretary", "auditor", "executive_member"])
def test_people_who_see_but_may_not_write_get_403(world, as_user, role):
    plan = make_plan(world)
    api = as_user(getattr(world, role))
    problem(get_draft(api, plan), 403)
    problem(put_draft(api, plan, {}, '"1"'), 403)
    problem(put_draft(api, plan, {}, None), 403)
    problem(save_version(api, plan, '"1"'), 403)
    assert not PlanDraft.objects.filter(plan=plan).exists()


def test_plans_not_visible_are_404(world, as_user):
    plan = other_partnership_plan()
    api = as_user(world.lead)
    problem(get_draft(api, plan), 404)
    problem(put_draft(api, plan, {}, '"1"'), 404)
    problem(save_version(api, plan, '"1"'), 404)
    problem(api.get("/api/v1/plans/99999999999999999999/draft/"), 404)


def test_the_draft_operations_are_in_the_schema(world, as_user):
    schema = as_user(world.lead).get("/api/schema/?format=json").json()
    draft = schema["paths"]["/api/v1/plans/{id}/draft/"]
    assert {"get", "put"} <= set(draft)
    assert {"412", "428"} <= set(draft["put"]["responses"])
    assert "ETag" in draft["get"]["responses"]["200"]["headers"]
    assert any(p["name"] == "If-Match" and p["in"] == "header"
               for p in draft["put"]["parameters"])
    save = schema["paths"]["/api/v1/plans/{id}/draft/save-version/"]["post"]
    assert {"201", "400", "409", "412", "428"} <= set(save["responses"])
