"""Token authentication: obtaining a token, using it, and the 401 without one."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from governance.tokens.models import ApiToken as Token
from governance.tokens.services import digest_of, token_create
from tests.conftest import make_plan

from .conftest import plan_url, problem

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


def test_it_gives_a_token_for_a_username_and_password(world, api):
    response = api.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    stored = Token.objects.get(user=world.lead)
    assert set(body) == {"id", "name", "token", "expires_at"}
    assert (body["id"], body["name"]) == (stored.pk, "API client")
    assert digest_of(body["token"]) == stored.digest  # only its hash is stored


def test_it_accepts_the_token_on_later_requests(world, api):
    plan = make_plan(world)
    token = api.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/plans/")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [plan.pk]


def test_it_gives_a_new_token_each_time(world, api):
    first = api.post(TOKEN_URL, {"username": "auditor", "password": PASSWORD}).json()["token"]
    second = api.post(TOKEN_URL, {"username": "auditor", "password": PASSWORD}).json()["token"]
    assert first != second
    assert Token.objects.filter(user=world.auditor).count() == 2


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "lead", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "LEAD", "password": PASSWORD},
    ],
)
def test_it_refuses_bad_credentials_with_a_problem(world, api, credentials):
    body = problem(api.post(TOKEN_URL, credentials, format="json"), 400)
    assert body["errors"] == {"request": ["Unable to log in with provided credentials."]}
    assert body["detail"] == "Unable to log in with provided credentials."
    assert not Token.objects.exists()


def test_it_refuses_an_inactive_user(world, api):
    world.lead.is_active = False
    world.lead.save()
    body = problem(api.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}), 400)
    assert "request" in body["errors"]
    assert not Token.objects.exists()


def test_it_names_each_missing_credential(world, api):
    body = problem(api.post(TOKEN_URL, {}, format="json"), 400)
    assert set(body["errors"]) == {"username", "password"}
    assert body["errors"]["password"] == ["This field is required."]


@pytest.mark.parametrize(
    "raw", ["{not json", "[]", '"lead"', "null", '{"username": ["lead"], "password": 1}']
)
def test_it_answers_a_malformed_token_request_with_a_problem(world, api, raw):
    problem(api.post(TOKEN_URL, data=raw, content_type="application/json"), 400)
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("get", ""),
        ("get", "{id}/"),
        ("get", "{id}/versions/"),
        ("get", "{id}/versions/1/"),
        ("get", "{id}/decisions/"),
        ("get", "{id}/history/"),
        ("post", ""),
        ("post", "{id}/versions/"),
        ("post", "{id}/actions/submit/"),
        ("post", "{id}/decisions/"),
    ],
)
def test_it_answers_401_with_a_problem_without_credentials(world, api, method, tail):
    plan = make_plan(world)
    url = "/api/v1/plans/" + tail.format(id=plan.pk)
    body = problem(getattr(api, method)(url, {}, format="json"), 401)
    assert body["detail"] == "Authentication credentials were not provided."
    assert body["instance"] == url


def test_it_tells_a_client_without_credentials_how_to_authenticate(world, api):
    response = api.get("/api/v1/bodies/")
    problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_it_answers_401_for_an_unknown_token(world, api):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    body = problem(api.get(plan_url(make_plan(world))), 401)
    assert body["detail"] == "Invalid token."


def test_it_answers_401_for_the_token_of_a_deactivated_user(world):
    _, token = token_create(user=world.lead, name="test", actor=world.lead)
    world.lead.is_active = False
    world.lead.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    problem(client.get("/api/v1/plans/"), 401)
