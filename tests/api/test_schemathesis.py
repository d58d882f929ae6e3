"""schemathesis against a live server: the OpenAPI schema is the truth (issue 12, item 6).

Every operation of /api/schema/ is called with generated requests, valid and invalid (the
coverage phase, then about 25 fuzzed examples per operation), signed in by token as a lead
officer and as a board secretary, on a partnership with plans in every stage. A request fails
the run on any of the CHECKS below: a server error, a status the operation does not
document, a content type it does not document for that status, or a body its schema does not
describe. A valid request refused for the plan's stage (409) is a documented answer, not a
failure.

Run it alone (it is marked ``once``: .ci/run runs it in the PostgreSQL pass only):

    python -m pytest tests/api/test_schemathesis.py -m once -p no:randomly -q

Each failing operation is reported as its own sub-test, named by method and path, with the
request as a curl command to replay it."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from documents.models import Stage

from .conftest import plan_in_stage

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = schemathesis.Config.from_dict({
    "phases": {
        "examples": {"enabled": False},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    # Valid and invalid requests alike; the same cases every run.
    "generation": {"mode": "all", "max-examples": 25, "deterministic": True},
})

# Plans of the partnership the two users belong to, one in each stage a request can meet.
STAGES = [
    Stage.DRAFTING, Stage.CONSULTATION, Stage.PARTNERSHIP_APPROVAL, Stage.EXECUTIVE_APPROVAL,
    Stage.CALL_IN, Stage.ADOPTED, Stage.UNDER_REVIEW, Stage.WITHDRAWN,
]
ROLES = ["lead", "board_secretary"]


@pytest.fixture
def seeded(transactional_db: None, world: Any, frozen_clock: Any,
           monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The world's partnership with a plan in each stage, and a token per role."""
    # Documents asked for are recorded but never rendered: no WeasyPrint, no signing.
    monkeypatch.setattr("documents.publishing.services._enqueue", lambda document_id: None)
    for stage in STAGES:
        plan_in_stage(world, frozen_clock, stage)
    # Lockouts and rate limits (none exist yet) must exempt these users: plug that in here.
    return {role: Token.objects.create(user=world.users[role]).key for role in ROLES}


@pytest.fixture(params=ROLES)
def token(request: pytest.FixtureRequest, seeded: dict[str, str]) -> str:
    """Each run signed in as one role: the sub-tests are named after it."""
    return seeded[request.param]


def served_schema() -> dict[str, Any]:
    """The document /api/schema/ serves, made by the same generator without a request, so
    that each operation is its own test item (``test_...[POST /api/v1/plans/][lead]``)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)


@pytest.mark.once
# Ids from 1 in every run, so that the fuzzer's small ids meet the seeded plans.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.usefixtures("token")  # parametrises the test by role
@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_schema(case: Any, token: str, live_server: Any) -> None:
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Token {token}"},
        checks=CHECKS, timeout=30,
    )
