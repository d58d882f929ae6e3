"""Sign-in lockout (django-axes, plangov.lockout): five wrong passwords for one username from
one address lock that pair out, even for the right password, on the sign-in page, the admin
and the API token endpoint; after the cool-off the right password works again."""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from rest_framework.test import APIClient

from governance.tokens.models import ApiToken

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"
MESSAGE = re.compile(r"Too many failed sign-ins; try again after \d\d:\d\d\.")

pytestmark = pytest.mark.django_db


def fail(client, url, username, times, *, limit=5):
    """``times`` wrong passwords: each a plain refusal, until the limit's own failure, which
    is answered with the lockout (axes locks on reaching the limit)."""
    for n in range(1, times + 1):
        response = client.post(url, {"username": username, "password": "wrong"})
        assert response.status_code == (429 if n >= limit else 200 if url != TOKEN else 400)


def expire_lockouts():
    """Travel past the cool-off: axes judges attempts by their time (django.utils.timezone)."""
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))


def test_the_sign_in_page_locks_out_after_five_failures_then_unlocks(world):
    client = Client()
    fail(client, LOGIN, "lead", 5)
    response = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert MESSAGE.search(response.content.decode())
    assert "Too many failed sign-ins" in response.content.decode()
    assert int(response["Retry-After"]) > 14 * 60
    assert "_auth_user_id" not in client.session
    expire_lockouts()
    response = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.lead.pk)


def test_four_failures_do_not_lock_and_a_success_resets_the_count(world):
    client = Client()
    fail(client, LOGIN, "lead", 4)
    assert client.post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    fail(client, LOGIN, "lead", 4)
    assert client.post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 302


def test_a_lockout_says_nothing_of_whether_the_user_exists(world):
    client = Client()
    fail(client, LOGIN, "nobody-here", 5)
    unknown = client.post(LOGIN, {"username": "nobody-here", "password": PASSWORD})
    fail(client, LOGIN, "lead", 5)
    known = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    assert unknown.status_code == known.status_code == 429
    assert MESSAGE.sub("", unknown.content.decode()) == MESSAGE.sub("", known.content.decode())


def test_the_lockout_is_per_username_and_address(world):
    fail(Client(REMOTE_ADDR="10.0.0.1"), LOGIN, "lead", 5)
    # Another person from the same address, and the same person from another address.
    assert Client(REMOTE_ADDR="10.0.0.1").post(
        LOGIN, {"username": "auditor", "password": PASSWORD}).status_code == 302
    assert Client(REMOTE_ADDR="10.0.0.2").post(
        LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 302
    assert Client(REMOTE_ADDR="10.0.0.1").post(
        LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=2, PLANGOV_LOCKOUT_MINUTES=60)
def test_the_limit_and_the_cool_off_are_settings(world):
    client = Client()
    fail(client, LOGIN, "lead", 2, limit=2)
    response = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 59 * 60
    expire_lockouts()  # 16 minutes is not an hour
    assert client.post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 429


def test_the_admin_sign_in_locks_out_too(world):
    world.lead.is_staff = True
    world.lead.save()
    client = Client()
    fail(client, ADMIN_LOGIN, "lead", 5)
    response = client.post(ADMIN_LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert MESSAGE.search(response.content.decode())
    expire_lockouts()
    response = client.post(ADMIN_LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302


def test_the_token_endpoint_locks_out_with_a_429_problem(world):
    api = APIClient()
    fail(api, TOKEN, "lead", 5)
    response = api.post(TOKEN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Too many failed sign-ins"
    assert MESSAGE.fullmatch(body["detail"])
    assert int(response["Retry-After"]) > 14 * 60
    assert not ApiToken.objects.exists()
    expire_lockouts()
    response = api.post(TOKEN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_failures_on_one_door_count_at_the_others(world):
    fail(APIClient(), TOKEN, "lead", 3)
    fail(Client(), LOGIN, "lead", 2, limit=2)  # the 5th failure in all
    assert Client().post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 429


def test_programmatic_sign_in_without_a_request_is_not_counted(world, client):
    assert client.login(username="lead", password=PASSWORD)
    assert not AccessAttempt.objects.exists()
