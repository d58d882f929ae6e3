"""API throttling (plangov.throttles): per signed-in user and per anonymous address, counted
in the shared cache, answered with a 429 problem+json and Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from governance.tokens.services import token_create
from plangov.cache import DatabaseCache
from plangov.throttles import AnonThrottle, UserThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    settings.PLANGOV_API_RATE_USER = "3/min"
    settings.PLANGOV_API_RATE_ANON = "2/min"
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_throttles_count_in_the_shared_cache(world, rates):
    assert isinstance(caches["default"], DatabaseCache)
    api = APIClient()
    api.force_authenticate(world.lead)
    api.get("/api/v1/bodies/")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM plangov_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("plangov:rl:api-user:" in key for key in keys)
    assert UserThrottle().rate() == (3, 60) and AnonThrottle().rate() == (2, 60)


def test_a_user_over_the_rate_gets_a_429_problem_with_retry_after(world, rates):
    _, raw = token_create(user=world.lead, name="t", actor=world.lead)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {raw}")
    for _ in range(3):
        assert api.get("/api/v1/bodies/").status_code == 200
    response = api.get("/api/v1/bodies/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429
    # Another user has their own count, from the same address.
    _, other = token_create(user=world.auditor, name="t", actor=world.auditor)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {other}").get(
        "/api/v1/bodies/").status_code == 200


def test_the_users_count_is_the_same_across_clients(world, rates):
    """One user counts once, whatever token or session the requests come with."""
    _, first = token_create(user=world.lead, name="a", actor=world.lead)
    _, second = token_create(user=world.lead, name="b", actor=world.lead)
    for raw in (first, second, first):
        assert APIClient(HTTP_AUTHORIZATION=f"Token {raw}").get(
            "/api/v1/bodies/").status_code == 200
    assert APIClient(HTTP_AUTHORIZATION=f"Token {second}").get(
        "/api/v1/bodies/").status_code == 429


def test_anonymous_clients_are_counted_per_address(world, rates):
    """Anonymous endpoints (the token endpoint here) count per address; endpoints that need
    credentials answer an anonymous client 401 first (DRF checks permissions before rates)."""
    bad = {"username": "nobody", "password": "x"}
    for _ in range(2):
        assert APIClient(REMOTE_ADDR="10.1.1.1").post(
            "/api/v1/auth/token/", bad).status_code == 400
    response = APIClient(REMOTE_ADDR="10.1.1.1").post("/api/v1/auth/token/", bad)
    assert response.status_code == 429 and "Retry-After" in response
    assert APIClient(REMOTE_ADDR="10.1.1.2").post(
        "/api/v1/auth/token/", bad).status_code == 400


def test_the_token_endpoint_is_throttled_per_address(world, rates):
    api = APIClient(REMOTE_ADDR="10.1.1.3")
    body = {"username": "auditor", "password": "correct horse battery staple"}
    assert api.post("/api/v1/auth/token/", body).status_code == 200
    assert api.post("/api/v1/auth/token/", body).status_code == 200
    assert api.post("/api/v1/auth/token/", body).status_code == 429


def test_no_rate_means_no_limit(world, settings):
    settings.PLANGOV_API_RATE_USER = None
    api = APIClient()
    api.force_authenticate(world.lead)
    assert all(api.get("/api/v1/bodies/").status_code == 200 for _ in range(5))
