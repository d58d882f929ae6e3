"""bodies/: the boards, executive and scrutiny committees of the partnerships a person belongs
to (every partnership's for superusers and external auditors)."""

from __future__ import annotations

import pytest

from governance.models import BodyKind
from tests.factories import BodyFactory, UserFactory

from .conftest import MEMBERS, external_auditor, other_partnership, problem

YOROK = {"yorok-board", "safeguarding-board", "executive", "scrutiny"}


def slugs(response) -> set[str]:
    assert response.status_code == 200
    return {b["slug"] for b in response.json()["results"]}


@pytest.mark.parametrize("role", MEMBERS)
def test_it_lists_the_bodies_of_the_members_own_partnership_only(world, as_user, role):
    other_partnership("leeds")
    assert slugs(as_user(world.users[role]).get("/api/v1/bodies/")) == YOROK


def test_it_lists_no_bodies_to_someone_outside_every_partnership(world, as_user):
    api = as_user(world.outsider)
    assert slugs(api.get("/api/v1/bodies/")) == set()
    problem(api.get(f"/api/v1/bodies/{world.board.pk}/"), 404)


def test_it_hides_another_partnerships_body(world, as_user):
    other = other_partnership("leeds")
    problem(as_user(world.board_secretary).get(f"/api/v1/bodies/{other['board'].pk}/"), 404)
    assert slugs(as_user(other["lead"]).get("/api/v1/bodies/")) == {
        "leeds-board", "leeds-executive"}


def test_it_lists_every_body_to_a_superuser_and_an_external_auditor(world, as_user):
    other_partnership("leeds")
    everything = YOROK | {"leeds-board", "leeds-executive"}
    assert slugs(as_user(external_auditor(world)).get("/api/v1/bodies/")) == everything
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert slugs(as_user(admin).get("/api/v1/bodies/")) == everything


def test_it_lists_the_partnership_of_a_plan_its_lead_officer_leads(world, as_user):
    from .conftest import other_partnership_plan

    theirs = other_partnership_plan("leeds")
    outsider_lead = UserFactory(username="visiting-lead")
    theirs.lead_officer = outsider_lead
    theirs.save(update_fields=["lead_officer"])
    assert slugs(as_user(outsider_lead).get("/api/v1/bodies/")) == {
        "leeds-board", "leeds-executive"}


def test_it_shows_a_body(world, as_user):
    sub_group = BodyFactory(partnership=world.partnership, slug="cic-partnership",
                            name="Children in Care Strategic Partnership",
                            kind=BodyKind.STRATEGIC_PARTNERSHIP, parent=world.board,
                            meets_every_weeks=8)
    sub_group.reports_to.set([world.board, world.safeguarding])
    body = as_user(world.board_chair).get(f"/api/v1/bodies/{sub_group.pk}/").json()
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


@pytest.mark.parametrize("who", ["auditor", "external"])
def test_it_lists_one_body_or_many_in_the_same_number_of_queries(
    world, as_user, count_queries, who
):
    api = as_user(world.auditor if who == "auditor" else external_auditor(world))
    few = count_queries(lambda: api.get("/api/v1/bodies/"))
    other = other_partnership("leeds")
    for partnership, parent in [(other["partnership"], other["board"]),
                                (world.partnership, world.board)]:
        for n in range(4):
            child = BodyFactory(partnership=partnership, parent=parent,
                                slug=f"group-{n}")
            child.reports_to.set([parent])
    assert api.get("/api/v1/bodies/").json()["count"] == (8 if who == "auditor" else 14)
    assert count_queries(lambda: api.get("/api/v1/bodies/")) == few


def test_it_answers_404_for_a_body_that_does_not_exist(world, as_user):
    problem(as_user(world.lead).get("/api/v1/bodies/999/"), 404)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_keeps_bodies_read_only(world, as_user, method):
    url = "/api/v1/bodies/" if method == "post" else f"/api/v1/bodies/{world.board.pk}/"
    problem(getattr(as_user(world.lead), method)(url, {"name": "x"}, format="json"), 405)
    world.board.refresh_from_db()
    assert world.board.name == "YorOK Board"
