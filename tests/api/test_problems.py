"""Every error under /api/ is an RFC 9457 problem document, including the ones Django answers
before or after DRF: a URL no route matches, an unhandled exception, a suspicious request."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from plangov import problems
from tests.conftest import make_plan

from .conftest import PROBLEM, plan_url, problem


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/v1/nothing/", "/api/v2/plans/", "/api/v1/plans/1/actions/Submit/",
     "/api/v1/plans/1/versions/one/", "/api/v1/plans/1/decisions/extra/"],
)
def test_it_answers_a_url_no_route_matches_with_a_problem(world, as_user, path):
    make_plan(world)
    body = problem(as_user(world.lead).get(path), 404)
    assert body["type"] == "urn:plangov:problem:not-found"
    assert body["instance"] == path


def test_it_keeps_djangos_404_page_outside_the_api(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_it_answers_an_unhandled_error_in_the_api_with_a_problem(world, as_user, monkeypatch):
    def broken(user):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("workflows.plans_api.visible_plans", broken)
    api = as_user(world.lead)
    api.raise_request_exception = False
    response = api.get("/api/v1/plans/")
    body = problem(response, 500)
    assert body["type"] == "urn:plangov:problem:error"
    assert "secret internals" not in response.content.decode()


def test_it_keeps_djangos_500_page_outside_the_api(world, client, monkeypatch):
    def broken(user):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("plangov.views.visible_plans", broken)
    client.raise_request_exception = False
    client.force_login(world.lead)
    response = client.get("/")
    assert response.status_code == 500
    assert response["Content-Type"] != PROBLEM


def test_it_answers_a_suspicious_request_with_a_problem(world, as_user):
    body = problem(as_user(world.lead).get("/api/v1/plans/", HTTP_HOST="evil.example"), 400)
    assert body["type"] == "urn:plangov:problem:invalid-input"


def test_it_answers_a_forbidden_request_outside_drf_with_a_problem(db):
    request = RequestFactory().get("/api/v1/plans/")
    response = problems.handler403(request, PermissionError())
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_it_answers_json_problems_to_a_browser(world, as_user, accept):
    plan = make_plan(world)
    response = as_user(world.outsider).get(plan_url(plan), HTTP_ACCEPT=accept)
    body = problem(response, 404)
    assert body["instance"] == plan_url(plan)


def test_it_answers_an_unacceptable_accept_header_with_a_problem(world, as_user):
    problem(as_user(world.lead).get("/api/v1/plans/", HTTP_ACCEPT="application/xml"), 406)


@pytest.mark.parametrize(
    "tail", ["", "versions/", "actions/submit/", "decisions/"]
)
def test_it_answers_an_unsupported_media_type_with_a_problem(world, as_user, tail):
    plan = make_plan(world)
    url = "/api/v1/plans/" if not tail else plan_url(plan, tail)
    response = as_user(world.lead).post(url, data="<plan/>", content_type="application/xml")
    problem(response, 415)


@pytest.mark.parametrize(
    ("tail", "raw"),
    [
        ("", "{"), ("versions/", '{"content": }'), ("actions/submit/", "{'reason': 'x'}"),
        ("decisions/", '{"body": "yorok-board",}'), ("versions/", "NaN"),
        ("versions/", '{"content": {"vision": "x", "outcomes": [], "a": Infinity}}'),
    ],
)
def test_it_answers_malformed_json_with_a_400_problem(world, as_user, tail, raw):
    plan = make_plan(world)
    url = "/api/v1/plans/" if not tail else plan_url(plan, tail)
    body = problem(as_user(world.lead).post(url, data=raw, content_type="application/json"), 400)
    assert body["detail"].startswith("JSON parse error")


def test_it_answers_a_form_too_large_with_a_413_problem(db, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/documents/verify/", {"note": "x" * 5000}, format="multipart")
    body = problem(response, 413)
    assert body["type"] == "urn:plangov:problem:content-too-large"
