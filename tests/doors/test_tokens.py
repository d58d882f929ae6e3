"""API tokens (governance.tokens): they expire, their owner lists and revokes them (page and
API), and a password change revokes them all; revoked or expired is a 401 problem+json."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from governance.models import AuditEvent
from governance.tokens.models import ApiToken
from governance.tokens.services import token_create

PASSWORD = "correct horse battery staple"
PROBLEM = "application/problem+json"

pytestmark = pytest.mark.django_db


def with_token(raw):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return api


def refused(response):
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Token"
    return response.json()


def test_a_token_expires_after_the_configured_days(world, frozen_clock, settings):
    settings.PLANGOV_TOKEN_DAYS = 30
    token, raw = token_create(user=world.lead, name="reports", actor=world.lead)
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert with_token(raw).get("/api/v1/bodies/").status_code == 200
    frozen_clock.advance(days=30)
    assert refused(with_token(raw).get("/api/v1/bodies/"))["detail"] == "Invalid token."


def test_only_the_tokens_hash_is_stored_and_the_audit_holds_no_token(world):
    before = AuditEvent.objects.count()
    token, raw = token_create(user=world.lead, name="reports", actor=world.lead)
    assert raw.startswith("pg_") and len(raw) > 40
    assert raw not in {token.digest, token.prefix} and raw.startswith(token.prefix)
    events = AuditEvent.objects.order_by("seq")[before:]
    assert [e.action for e in events] == ["api_token_create"]
    assert raw not in str(events[0].after) and token.digest not in str(events[0].after)
    assert "reports" not in str(events[0].after)  # no free text either


def test_last_use_is_recorded(world, frozen_clock):
    token, raw = token_create(user=world.lead, name="reports", actor=world.lead)
    assert token.last_used_at is None
    with_token(raw).get("/api/v1/bodies/")
    token.refresh_from_db()
    assert token.last_used_at == frozen_clock()


def test_the_owner_lists_makes_and_revokes_tokens_through_the_api(world):
    _, raw = token_create(user=world.lead, name="first", actor=world.lead)
    token_create(user=world.auditor, name="not mine", actor=world.auditor)
    api = with_token(raw)
    made = api.post("/api/v1/auth/tokens/", {"name": "second"})
    assert made.status_code == 201 and made.json()["token"].startswith("pg_")
    listed = api.get("/api/v1/auth/tokens/").json()
    assert [t["name"] for t in listed] == ["second", "first"]
    assert set(listed[0]) == {"id", "name", "prefix", "created_at", "expires_at",
                              "last_used_at"}
    before = AuditEvent.objects.count()
    assert api.delete(f"/api/v1/auth/tokens/{made.json()['id']}/").status_code == 204
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").action == "api_token_revoke"
    refused(with_token(made.json()["token"]).get("/api/v1/bodies/"))
    assert [t["name"] for t in api.get("/api/v1/auth/tokens/").json()] == ["first"]


def test_nobody_revokes_anothers_token(world):
    other, other_raw = token_create(user=world.auditor, name="theirs", actor=world.auditor)
    _, raw = token_create(user=world.lead, name="mine", actor=world.lead)
    response = with_token(raw).delete(f"/api/v1/auth/tokens/{other.pk}/")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert with_token(other_raw).get("/api/v1/bodies/").status_code == 200


def test_a_token_name_is_checked(world):
    _, raw = token_create(user=world.lead, name="mine", actor=world.lead)
    for name in ["", "   ", "bad\x00name", "x" * 101]:
        response = with_token(raw).post("/api/v1/auth/tokens/", {"name": name})
        assert response.status_code == 400, name
        assert "name" in response.json()["errors"]


def test_a_password_change_revokes_every_token_with_one_audit_event(world):
    _, first = token_create(user=world.lead, name="a", actor=world.lead)
    _, second = token_create(user=world.lead, name="b", actor=world.lead)
    _, other = token_create(user=world.auditor, name="c", actor=world.auditor)
    before = AuditEvent.objects.count()
    world.lead.set_password("a-brand-new-password-2026")
    world.lead.save()
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [e.action for e in events] == ["api_tokens_revoke_all"]
    assert events[0].before == {"live_tokens": 2} and events[0].reason == "password changed"
    refused(with_token(first).get("/api/v1/bodies/"))
    refused(with_token(second).get("/api/v1/bodies/"))
    assert with_token(other).get("/api/v1/bodies/").status_code == 200


def test_the_password_change_page_revokes_tokens(world):
    _, raw = token_create(user=world.lead, name="a", actor=world.lead)
    client = Client()
    client.force_login(world.lead)
    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "another-long-passphrase-9",
        "new_password2": "another-long-passphrase-9"})
    assert response.status_code == 302
    refused(with_token(raw).get("/api/v1/bodies/"))


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world):
    _, raw = token_create(user=world.lead, name="a", actor=world.lead)
    world.lead.first_name = "Lee"
    world.lead.save()
    user = get_user_model().objects.get(pk=world.lead.pk)
    user.save()
    assert with_token(raw).get("/api/v1/bodies/").status_code == 200


def test_the_tokens_page_lists_makes_once_and_revokes(world):
    client = Client()
    client.force_login(world.lead)
    token_create(user=world.auditor, name="not mine", actor=world.auditor)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200 and b"You have no tokens in use" in page.content
    made = client.post("/accounts/tokens/", {"name": "spreadsheet"})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=world.lead)
    raw = made.context["created"]["raw"]
    assert raw.encode() in made.content and b"will not be shown again" in made.content
    later = client.get("/accounts/tokens/")
    assert b"spreadsheet" in later.content and raw.encode() not in later.content
    assert b"not mine" not in later.content
    revoked = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert b"You have no tokens in use" in client.get("/accounts/tokens/").content


def test_the_tokens_page_needs_a_name_and_links_the_error(world):
    client = Client()
    client.force_login(world.lead)
    response = client.post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 400
    assert b'href="#id_name"' in response.content
    assert not ApiToken.objects.exists()


def test_the_tokens_page_lists_in_constant_queries(world, django_assert_num_queries):
    client = Client()
    client.force_login(world.lead)
    token_create(user=world.lead, name="one", actor=world.lead)
    client.get("/accounts/tokens/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/accounts/tokens/")
    for n in range(5):
        token_create(user=world.lead, name=f"more {n}", actor=world.lead)
    with django_assert_num_queries(len(one)):
        assert client.get("/accounts/tokens/").status_code == 200


def test_the_tokens_page_needs_sign_in(db):
    response = Client().get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_administrator_revokes_someones_tokens_in_the_admin(world):
    admin_user = get_user_model().objects.create_superuser("admin", "a@example.org", "pw-12345678")
    token, raw = token_create(user=world.lead, name="a", actor=world.lead)
    client = Client()
    client.force_login(admin_user)
    listed = client.get("/admin/governance/apitoken/")
    assert listed.status_code == 200 and token.prefix.encode() in listed.content
    assert token.digest.encode() not in listed.content
    response = client.post("/admin/governance/apitoken/", {
        "action": "revoke_owners_tokens", "_selected_action": [token.pk]})
    assert response.status_code == 302
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_id) == ("api_tokens_revoke_all", admin_user.pk)
    refused(with_token(raw).get("/api/v1/bodies/"))


def test_an_operator_makes_a_token_on_the_server(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("api_token", "board_secretary", "--name", "journey", stdout=out)
    raw = out.getvalue().strip()
    assert with_token(raw).get("/api/v1/bodies/").status_code == 200
    assert ApiToken.objects.get(user=world.board_secretary).name == "journey"
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=StringIO())
