"""schemathesis against a live server: the OpenAPI schema is the truth (issue 12, item 6).

Every operation of the OpenAPI schema (the document /api/schema/ serves) is called with
generated requests, valid and invalid (the coverage phase, then about 25 fuzzed examples per
operation), signed in by token as a lead officer and as a board secretary, on a partnership
with plans in every stage. A request fails
the run on any of the CHECKS below: a server error, a status the operation does not
document, a content type it does not document for that status, or a body its schema does not
describe. A valid request refused for the plan's stage (409) is a documented answer, not a
failure.

Run it alone (it is marked ``once``: .ci/run runs it in the PostgreSQL pass only):

    python -m pytest tests/api/test_schemathesis.py -q
    python -m pytest tests/api/test_schemathesis.py -q -k "plans and lead"   # a few

Each operation and role is its own test item (``test_...[POST /api/v1/plans/][lead]``); a
failure names the check and prints the request as a curl command to replay it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from viewflow.workflow.models import Task

from documents.models import Plan, Review, SignedDocument, Stage
from governance.models import Body
from governance.tokens.services import token_create

from .conftest import plan_in_stage

# negative_data_rejection is not run: an empty query parameter (``?view=``) counts as absent,
# which it reports as invalid data accepted.
CHECKS = [
    not_a_server_error,  # no 5xx
    status_code_conformance,  # every status is one the operation documents
    content_type_conformance,  # with a media type documented for that status
    response_schema_conformance,  # and a body its schema describes
    response_headers_conformance,  # documented response headers present and valid
    unsupported_method,  # a method the path does not have is 405 ...
    allow_header_conformance,  # ... with an Allow header listing the documented methods
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
    Stage.CALL_IN, Stage.ADOPTED, Stage.WITHDRAWN,
]
ROLES = ["lead", "board_secretary"]


@dataclass
class Seeded:
    tokens: dict[str, str]
    # The ids that exist, by the path they go in ("/api/v1/plans/" and so on).
    ids: dict[str, list[int]]


@pytest.fixture
def seeded(transactional_db: None, world: Any, frozen_clock: Any,
           monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """The world's partnership with a plan in each stage, and a token per role."""
    # Documents asked for are recorded but never rendered: no WeasyPrint, no signing.
    monkeypatch.setattr("documents.publishing.services._enqueue", lambda document_id: None)
    for stage in STAGES:
        plan_in_stage(world, frozen_clock, stage)
    # A review of the adopted plan, with its progress report tasks.
    from workflows.reviews.services import review_start

    review_start(plan=Plan.objects.get(stage=Stage.ADOPTED), actor=world.lead)
    # No rate limit under the test settings (PLANGOV_API_RATE_* unset); lockouts count
    # sign-ins only, and these users never sign in.
    tokens = {role: token_create(user=world.users[role], name="schemathesis",
                                 actor=world.users[role])[1] for role in ROLES}
    ids = {
        "/api/v1/plans/": list(Plan.objects.values_list("pk", flat=True)),
        "/api/v1/tasks/": list(Task.objects.values_list("pk", flat=True)),
        "/api/v1/bodies/": list(Body.objects.values_list("pk", flat=True)),
        "/api/v1/documents/": list(SignedDocument.objects.values_list("pk", flat=True)),
        "/api/v1/reviews/": list(Review.objects.values_list("pk", flat=True)),
    }
    return Seeded(tokens, ids)


@pytest.fixture(params=ROLES)
def token(request: pytest.FixtureRequest, seeded: Seeded) -> str:
    """Each run signed in as one role: the sub-tests are named after it."""
    return seeded.tokens[request.param]


def steer(case: Any, seeded: Seeded) -> None:
    """Send a small generated id (below 1000) to a seeded record, so that most requests meet a
    real plan, task, body or document; ids at the edges (0, 2**63-1, past 64 bits, not a
    number) are sent as generated."""
    value = (case.path_parameters or {}).get("id")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 1000:
        return
    for prefix, ids in seeded.ids.items():
        if case.path.startswith(prefix) and ids:
            case.path_parameters["id"] = ids[value % len(ids)]


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
def test_every_answer_matches_the_schema(case: Any, token: str, seeded: Seeded,
                                         live_server: Any) -> None:
    steer(case, seeded)
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Token {token}"},
        checks=CHECKS, timeout=30,
    )
