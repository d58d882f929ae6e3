"""Production's cache (plangov.cache.RedisCache) with Redis unreachable: pages still serve.
What the cache holds can be lost, so a read misses, a write is dropped, an add lets the
request through and an increment counts from the start; nothing raises into a page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from governance.consultation.limits import token_claim
from plangov import ratelimit
from tests.conftest import World
from tests.scorecard_data import adopted_plan

# A closed loopback port, and a short connect timeout so each refused call is quick.
DOWN = {
    "default": {
        "BACKEND": "plangov.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down(settings: Any) -> None:
    settings.CACHES = DOWN


def test_every_call_degrades_instead_of_raising(redis_down: None, caplog: Any) -> None:
    assert cache.get("k", "missing") == "missing"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    cache.set("k", 1)
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.delete("k") is False
    assert cache.touch("k") is False
    assert cache.add("k", 1) is True  # fail open: the request goes on
    with pytest.raises(ValueError):
        cache.incr("k")  # as for a missing key
    assert "The cache (Redis) is unreachable" in caplog.text


def test_the_rate_limit_and_the_form_token_let_the_public_through(redis_down: None) -> None:
    for _ in range(3):
        assert ratelimit.hit("test", "198.51.100.7", limit=1, window=60, detail="slow") == 1
    assert token_claim("nonce") is True


@pytest.mark.django_db
def test_the_scorecard_page_renders_with_redis_down(world: World, client: Any,
                                                    settings: Any) -> None:
    plan = adopted_plan(world, indicators=3, months=6)
    settings.CACHES = DOWN
    client.force_login(world.lead)
    response = client.get(f"/plans/{plan.pk}/scorecard/")
    assert response.status_code == 200
    assert "indicators where a trend can be identified" in response.content.decode()
