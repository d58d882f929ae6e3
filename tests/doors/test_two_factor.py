"""TOTP two-factor (governance.twofactor): with PLANGOV_REQUIRE_2FA_ROLES on (production),
secretaries, executive members, auditors and staff signed in with a password enrol or verify
an authenticator app before any other page; single sign-on sessions skip it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from governance.models import AuditEvent

PASSWORD = "correct horse battery staple"
TWO_FACTOR = "/accounts/two-factor/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.PLANGOV_REQUIRE_2FA_ROLES = True


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token() \
        .__format__(f"0{device.digits}d")


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_a_secretary_enrols_then_reaches_the_pages(world, required):
    client = signed_in("board_secretary")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == f"{TWO_FACTOR}?next=/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert b"Set up your authenticator app" in page.content
    device = TOTPDevice.objects.get(user=world.board_secretary, confirmed=False)
    assert re.search(rb'id="totp-secret">[A-Z2-7]+<', page.content)
    assert b"otpauth://totp/" in page.content
    wrong = client.post(TWO_FACTOR, {"code": "000000", "next": "/"})
    assert wrong.status_code == 400 and b'href="#id_code"' in wrong.content
    assert client.get("/").status_code == 302  # still held at the door
    device.refresh_from_db()
    device.throttle_reset()  # django-otp waits a second after a wrong code; skip the wait
    before = AuditEvent.objects.count()
    done = client.post(TWO_FACTOR, {"code": code_for(device), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert [e.action for e in AuditEvent.objects.order_by("seq")[before:]] == \
        ["two_factor_enrol"]
    assert client.get("/").status_code == 200


def test_an_enrolled_auditor_verifies_at_each_sign_in(world, required):
    device = confirmed_device(world.auditor)
    client = signed_in("auditor")
    page = client.get(TWO_FACTOR)
    assert b"Enter your code" in page.content and b"totp-secret" not in page.content
    assert client.get("/plans/").status_code == 302
    assert client.post(TWO_FACTOR, {"code": code_for(device)}).status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("username", ["executive_member", "scrutiny_secretary"])
def test_executive_members_and_every_secretary_are_asked(world, required, username):
    assert signed_in(username).get("/").status_code == 302


def test_staff_are_asked(world, required):
    world.lead.is_staff = True
    world.lead.save()
    assert signed_in("lead").get("/admin/").status_code == 302


def test_other_roles_are_not_asked(world, required):
    assert signed_in("lead").get("/").status_code == 200
    assert signed_in("board_chair").get("/").status_code == 200


def test_a_single_sign_on_session_is_not_asked(world, required):
    client = signed_in("board_secretary")
    session = client.session
    session["plangov_sso"] = True
    session.save()
    assert client.get("/").status_code == 200


def test_off_by_default_outside_production(world):
    assert signed_in("board_secretary").get("/").status_code == 200


def test_the_api_refuses_an_unverified_session(world, required):
    client = signed_in("board_secretary")
    response = client.get("/api/v1/bodies/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_the_token_endpoint_asks_for_the_code(world, required):
    device = confirmed_device(world.board_secretary)
    api = APIClient()
    body = {"username": "board_secretary", "password": PASSWORD}
    response = api.post("/api/v1/auth/token/", body)
    assert response.status_code == 400 and "otp" in response.json()["errors"]
    response = api.post("/api/v1/auth/token/", {**body, "otp": "000000"})
    assert response.status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp waits a second after a wrong code; skip the wait
    response = api.post("/api/v1/auth/token/", {**body, "otp": code_for(device)})
    assert response.status_code == 200 and response.json()["token"]
    # Someone the rule does not cover needs no code.
    assert api.post("/api/v1/auth/token/", {"username": "lead",
                                            "password": PASSWORD}).status_code == 200


def test_the_next_address_stays_on_this_site(world, required):
    device = confirmed_device(world.auditor)
    client = signed_in("auditor")
    response = client.post(TWO_FACTOR, {"code": code_for(device),
                                        "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_production_settings_require_two_factor():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plangov.settings.production",
           "DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u:p@localhost/db",
           "CELERY_BROKER_URL": "redis://localhost:6379/0"}
    env.pop("PLANGOV_REQUIRE_2FA_ROLES", None)
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import "
         "settings as s; print(s.PLANGOV_REQUIRE_2FA_ROLES, s.SESSION_COOKIE_AGE)"],
        env=env, capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["True", str(8 * 3600)]
