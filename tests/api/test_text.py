"""The API door of the text policy (plangov.text, plangov.parsers): every string of every
JSON body, keys too, is checked before any view reads it; deep, huge or unreadable bodies are
a 400 problem, never a 500; titles can be corrected until adoption."""

from __future__ import annotations

import json
from typing import Any

import pytest

from documents.models import Plan, PlanVersion, Stage
from governance.models import AuditEvent, Decision
from governance.tokens.models import ApiToken as Token
from tests.factories import valid_content
from tests.plangov.test_text import SAMPLES

from ..conftest import make_plan, submitted_plan
from .conftest import audit_events, plan_in_stage, plan_url, problem

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"
TOKEN = "/api/v1/auth/token/"


def send(api: Any, url: str, data: Any, method: str = "post") -> Any:
    """JSON spelled with \\u escapes, so lone surrogates travel as a real client sends them."""
    raw = data if isinstance(data, str | bytes) else json.dumps(data, ensure_ascii=True)
    return getattr(api, method)(url, data=raw, content_type="application/json")


def plan_input(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Children in Care Strategy", "kind": "strategy",
        "period_start": "2016-04-01", "period_end": "2020-03-31", "partnership": "yorok",
        "owning_body": "yorok-board", "approving_bodies": ["yorok-board"],
        "executive_body": "executive",
    }
    return {**data, **overrides}


def refused(response: Any, path: str, char: str) -> dict[str, Any]:
    body = problem(response, 400)
    assert path in body["errors"], body
    assert f"U+{ord(char):04X}" in body["errors"][path][0]
    assert path in body["detail"]
    return body


# Each class of character, at each kind of input.


@pytest.mark.parametrize("char", SAMPLES)
def test_a_plan_title_with_a_refused_character_is_a_400_naming_it(world, as_user, char):
    events = audit_events()
    response = send(as_user(world.lead), PLANS, plan_input(title=f"Early Help{char} Strategy"))
    body = refused(response, "title", char)
    assert "at position 11" in body["errors"]["title"][0]
    assert not Plan.objects.exists() and audit_events() == events


@pytest.mark.parametrize("char", SAMPLES)
def test_version_content_is_checked_to_its_deepest_string(world, as_user, char):
    plan = make_plan(world)
    content = valid_content()
    content["outcomes"][0]["priorities"][0]["title"] = f"Active{char}"
    response = send(as_user(world.lead), plan_url(plan, "versions/"), {"content": content})
    refused(response, "content.outcomes[0].priorities[0].title", char)
    assert not PlanVersion.objects.exists()


def test_a_key_with_a_refused_character_is_named_too(world, as_user):
    plan = make_plan(world)
    content = {**valid_content(), "vis\x0bion": "x"}
    body = problem(send(as_user(world.lead), plan_url(plan, "versions/"), {"content": content}),
                   400)
    assert list(body["errors"]) == ["content.vis\ufffdion"]
    assert body["errors"]["content.vis\ufffdion"][0].startswith("This key contains U+000B")


@pytest.mark.parametrize("char", SAMPLES)
def test_decision_reasons_with_a_refused_character_are_a_400(world, as_user, char):
    plan = submitted_plan(world)
    data = {"body": "yorok-board", "outcome": "approved", "decided_on": "2016-07-14",
            "attendance": 8, "votes_for": 7, "reasons": f"Agreed{char} unanimously"}
    refused(send(as_user(world.board_secretary), plan_url(plan, "decisions/"), data),
            "reasons", char)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("char", SAMPLES)
def test_an_action_reason_with_a_refused_character_is_a_400(world, as_user, char):
    plan = make_plan(world)
    events = audit_events()
    response = send(as_user(world.lead), plan_url(plan, "actions/withdraw/"),
                    {"reason": f"Replaced{char}"})
    refused(response, "reason", char)
    plan.refresh_from_db()
    assert plan.stage == Stage.DRAFTING and audit_events() == events


def test_nul_never_reaches_the_database_on_any_door(world, as_user):
    """PostgreSQL cannot store NUL in text; it is a 400 before any query."""
    api = as_user(world.lead)
    refused(send(api, PLANS, plan_input(title="A\x00B")), "title", "\x00")
    problem(api.get("/api/v1/tasks/?body=yorok%00board"), 400)
    problem(api.get("/api/v1/documents/?plan=1%00"), 400)


def test_line_separators_are_normalised_on_the_way_in(world, as_user):
    plan = make_plan(world)
    content = {**valid_content(), "vision": "One\r\ntwo\rthree\u2028four\u2029five"}
    response = send(as_user(world.lead), plan_url(plan, "versions/"),
                    {"content": content, "note": "a\r\nb"})
    assert response.status_code == 201, response.content
    version = PlanVersion.objects.get(plan=plan)
    assert version.content["vision"] == "One\ntwo\nthree\nfour\nfive"
    assert version.note == "a\nb"


# Bodies that are not text, not objects, too deep or too big.


def nested(depth: int) -> str:
    return '{"username": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deep_json_on_the_unauthenticated_token_endpoint_is_a_400(world, api, depth):
    body = problem(send(api, TOKEN, nested(depth)), 400)
    assert body["errors"] == {"request": [body["detail"]]}
    assert "nested more than 32 levels" in body["detail"]
    assert not Token.objects.exists()


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deep_json_on_a_plans_endpoint_is_a_400(world, as_user, depth):
    plan = make_plan(world)
    api = as_user(world.lead)
    for url in (PLANS, plan_url(plan, "versions/"), plan_url(plan, "decisions/")):
        deep = '{"content": ' + "[" * depth + "]" * depth + "}"
        assert "nested more than 32" in problem(send(api, url, deep), 400)["detail"]
    problem(send(api, plan_url(plan), '{"title": ' + "{" * 50 + "}" * 50 + "}", "patch"), 400)


def test_json_as_deep_as_the_limit_is_read(world, as_user):
    plan = make_plan(world)
    content = "[" * 30 + "]" * 30
    body = problem(send(as_user(world.lead), plan_url(plan, "versions/"),
                        '{"content": {"vision": "x", "outcomes": ' + content + "}}"), 400)
    assert "nested" not in body["detail"]  # refused by the content schema, not the parser


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"title": "caf\xe9"}', "not UTF-8"),
    (b"\xff\xfe{\x00}\x00", "not UTF-8"),
    ('{"title": "x", "n": 1e999}', "too large"),
    ('{"n": NaN}', "NaN is not a JSON number"),
    ('{"n": -Infinity}', "is not a JSON number"),
    ('{"n": ' + "9" * 5000 + "}", "JSON parse error"),
    ("[1, 2]", "must be a JSON object, not an array"),
    ('"title"', "must be a JSON object, not a string"),
    ("null", "must be a JSON object, not null"),
    ("42", "must be a JSON object, not a number"),
    ("{", "JSON parse error"),
])
def test_bodies_that_cannot_be_read_are_a_400_saying_why(world, as_user, raw, message):
    events = audit_events()
    body = problem(send(as_user(world.lead), PLANS, raw), 400)
    assert message in body["detail"], body
    assert list(body["errors"]) == ["request"]
    assert audit_events() == events


def test_a_whole_number_past_64_bits_is_named_by_its_path(world, as_user):
    plan = make_plan(world)
    body = problem(send(as_user(world.lead), "/api/v1/documents/",
                        {"plan": plan.pk, "kind": "plan", "decision": 2**64}), 400)
    assert list(body["errors"]) == ["decision"]


@pytest.mark.parametrize("query", ["stage=%0B", "stage=drafting%00", "x%1B=1",
                                   "stage=%C2%85"])
def test_query_strings_pass_the_policy_too(world, as_user, query):
    body = problem(as_user(world.lead).get(f"{PLANS}?{query}"), 400)
    assert body["errors"]


# The multipart door: the public verification upload.


@pytest.mark.parametrize("char", SAMPLES[:-1])  # multipart carries no lone surrogates
def test_multipart_text_fields_pass_the_policy(api, db, char):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post("/api/v1/documents/verify/", {
        "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n"), "note": f"from{char}email",
    }, format="multipart")
    refused(response, "note", char)


def test_the_api_reads_json_only(world, as_user):
    response = as_user(world.lead).post(PLANS, {"title": "x"}, format="multipart")
    problem(response, 415)


# Titles stay editable until adoption.


def test_the_lead_officer_corrects_a_title_until_adoption(world, as_user):
    plan = make_plan(world)
    events = audit_events()
    response = send(as_user(world.lead), plan_url(plan),
                    {"title": "  Children and Young People's Plan 2009-12 ",
                     "reason": "Period in the title"}, "patch")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Children and Young People's Plan 2009-12"
    assert audit_events() == events + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "plan.rename" and event.reason == "Period in the title"
    assert event.before == {"title": "Children and Young People's Plan"}
    assert event.after == {"title": "Children and Young People's Plan 2009-12"}


@pytest.mark.parametrize("char", SAMPLES)
def test_a_new_title_with_a_refused_character_is_a_400(world, as_user, char):
    plan = make_plan(world)
    refused(send(as_user(world.lead), plan_url(plan), {"title": f"New{char}"}, "patch"),
            "title", char)
    plan.refresh_from_db()
    assert plan.title == "Children and Young People's Plan"


@pytest.mark.parametrize("who", ["board_secretary", "executive_member", "auditor"])
def test_only_the_lead_officer_renames(world, as_user, who):
    plan = make_plan(world)
    response = send(as_user(world.users[who]), plan_url(plan), {"title": "Mine"}, "patch")
    assert response.status_code in {403, 404}
    plan.refresh_from_db()
    assert plan.title == "Children and Young People's Plan"


@pytest.mark.parametrize("stage", [Stage.ADOPTED, Stage.WITHDRAWN])
def test_a_title_is_frozen_once_adopted(world, as_user, frozen_clock, stage):
    plan = plan_in_stage(world, frozen_clock, stage)
    events = audit_events()
    body = problem(send(as_user(world.lead), plan_url(plan), {"title": "Later"}, "patch"), 409)
    assert body["stage"] == stage
    assert audit_events() == events


def test_renaming_is_in_the_schema(world, as_user):
    schema = as_user(world.lead).get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/plans/{id}/"]["patch"]
    body = patch["requestBody"]["content"]
    assert list(body) == ["application/json"]
    assert {"400", "403", "409"} <= set(patch["responses"])


# Which request bodies are JSON and which are uploads: tests/api/test_history_and_schema.py.


def test_no_endpoint_answers_a_deep_or_bad_body_with_a_server_error(world, as_user):
    """Every operation the schema lists that takes a body, signed in as the lead officer and as
    a secretary: a deep body, a body with a refused character, and a body that is not JSON."""
    from tests.conftest import open_task

    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    schema = as_user(world.lead).get("/api/schema/?format=json").json()
    bodies = ['{"reason": ' + "[" * 5000 + "]" * 5000 + "}", '{"reason": "x\\u000b"}',
              '{"reason": "\\ud800"}', b'{"reason": "\xff"}', "[" * 50]
    seen = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation or path.endswith(("/verify/", "/draft/import/")):
                continue  # the uploads take multipart (tests/api/test_content_io_api.py)
            url = path.replace("{id}", str(task.pk if "/tasks/" in path else plan.pk)).replace(
                "{action_name}", "submit")
            for user in (world.lead, world.board_secretary):
                for raw in bodies:
                    response = send(as_user(user), url, raw, method)
                    assert response.status_code < 500, (url, method, raw[:30])
                    assert response.status_code in {400, 403, 404}, (url, response.content)
                    seen += 1
    assert seen >= 8 * 2 * len(bodies)  # plans, rename, versions, actions, decisions, tasks...
