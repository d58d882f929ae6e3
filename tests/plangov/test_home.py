import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_plan


def test_it_invites_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_it_lists_a_members_plans_in_the_same_number_of_queries_for_one_or_many(client, world):
    make_plan(world)
    client.force_login(world.board_secretary)
    with CaptureQueriesContext(connection) as one:
        response = client.get("/")
    assert response.content.count(b"Children and Young People") == 1
    for _ in range(6):
        make_plan(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/")
    assert response.content.count(b"Children and Young People") == 7
    assert len(many) == len(one)


@pytest.mark.django_db
def test_it_shows_an_outsider_no_plans(client, world):
    make_plan(world)
    client.force_login(world.outsider)
    assert b"No plans in your partnerships yet." in client.get("/").content


@pytest.mark.django_db
def test_it_lets_a_lead_officer_who_is_not_staff_sign_in(client, world):
    world.lead.set_password("a-good-long-password")
    world.lead.save()
    response = client.post(
        "/accounts/login/", {"username": "lead", "password": "a-good-long-password"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert b"Sign out" in client.get("/").content


@pytest.mark.django_db
def test_it_says_what_is_wrong_with_a_bad_sign_in(client, world):
    response = client.post("/accounts/login/", {"username": "lead", "password": "nope"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
