"""bodies/: the boards, executive and scrutiny committees, readable by anyone signed in."""

from __future__ import annotations

import pytest

from governance.models import BodyKind
from tests.factories import BodyFactory

from .conftest import ROLES, other_partnership, problem


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_the_bodies_to_anyone_signed_in(world, as_user, role):
    response = as_user(world.users[role]).get("/api/v1/bodies/")
    assert response.status_code == 200
    assert {b["slug"] for b in response.json()["results"]} == {
        "yorok-board", "safeguarding-board", "executive", "scrutiny",
    }


def test_it_shows_a_body(world, as_user):
    sub_group = BodyFactory(partnership=world.partnership, slug="cic-partnership",
                            name="Children in Care Strategic Partnership",
                            kind=BodyKind.STRATEGIC_PARTNERSHIP, parent=world.board,
                            meets_every_weeks=8)
    sub_group.reports_to.set([world.board, world.safeguarding])
    body = as_user(world.outsider).get(f"/api/v1/bodies/{sub_group.pk}/").json()
    reports_to = body.pop("reports_to")
    assert sorted(reports_to) == ["safeguarding-board", "yorok-board"]
    assert body == {
        "id": sub_group.pk,
        "slug": "cic-partnership",
        "name": "Children in Care Strategic Partnership",
        "kind": "strategic_partnership",
        "partnership": "yorok",
        "parent": "yorok-board",
        "quorum": 3,
        "meets_every_weeks": 8,
    }


def test_it_lists_one_body_or_many_in_the_same_number_of_queries(
    world, as_user, count_queries
):
    api = as_user(world.auditor)
    few = count_queries(lambda: api.get("/api/v1/bodies/"))
    other = other_partnership("leeds")
    for n in range(4):
        child = BodyFactory(partnership=other["partnership"], parent=other["board"],
                            slug=f"group-{n}")
        child.reports_to.set([other["board"], other["executive"]])
    assert api.get("/api/v1/bodies/").json()["count"] == 10
    assert count_queries(lambda: api.get("/api/v1/bodies/")) == few


def test_it_answers_404_for_a_body_that_does_not_exist(world, as_user):
    problem(as_user(world.lead).get("/api/v1/bodies/999/"), 404)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_keeps_bodies_read_only(world, as_user, method):
    url = "/api/v1/bodies/" if method == "post" else f"/api/v1/bodies/{world.board.pk}/"
    problem(getattr(as_user(world.lead), method)(url, {"name": "x"}, format="json"), 405)
    world.board.refresh_from_db()
    assert world.board.name == "YorOK Board"
