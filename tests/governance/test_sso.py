"""Single sign-on against a real OpenID provider (django-oidc-provider in its own process on
loopback, tests/oidc_provider), through plangov's live server: no mock of the library."""

from __future__ import annotations

import hashlib
import socket
import sqlite3
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from governance.models import AuditEvent, SignInIdentity
from tests.factories import MembershipFactory, UserFactory
from tests.oidc_provider.people import PEOPLE, TENANT_ID

from .sso_helpers import Provider, run_provider, sign_in


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory) -> Iterator[Provider]:  # type: ignore[no-untyped-def]
    yield from run_provider(f"{live_server.url}/oidc/callback/",
                            tmp_path_factory.mktemp("oidc-provider"))


@pytest.fixture
def sso(provider: Provider, settings, transactional_db) -> Provider:  # type: ignore[no-untyped-def]
    for name, value in provider.plangov_settings().items():
        setattr(settings, name, value)
    return provider


def imported_person(username: str, provider_account: str, **fields):  # type: ignore[no-untyped-def]
    """A person as the governance import records them: a username, an email, a role."""
    email, _ = PEOPLE[provider_account]
    membership = MembershipFactory(user=UserFactory(username=username, email=email, **fields))
    return membership.user


def signed_in_user_id(session) -> tuple[str | None, bool]:  # type: ignore[no-untyped-def]
    key = session.cookies.get("sessionid")
    if key is None:
        return None, False
    data = SessionStore(session_key=key).load()
    return data.get("_auth_user_id"), bool(data.get("plangov_sso"))


def set_provider_email(provider: Provider, username: str, email: str) -> None:
    with sqlite3.connect(provider.db_path) as db:
        db.execute("UPDATE auth_user SET email = ? WHERE username = ?", (email, username))


def test_first_sign_in_binds_the_identity_to_the_imported_person(sso, live_server):
    person = imported_person("lead", "hwhitfield")
    users_before = get_user_model().objects.count()

    session, answer = sign_in(live_server.url, "hwhitfield")

    assert answer.status_code == 200
    assert signed_in_user_id(session) == (str(person.pk), True)
    identity = SignInIdentity.objects.get()
    assert identity.user == person
    assert identity.issuer == sso.issuer
    assert identity.tid == TENANT_ID
    assert identity.oid and identity.subject
    assert get_user_model().objects.count() == users_before
    bind = AuditEvent.objects.get(action="sso.identity_bind")
    assert bind.actor == person
    assert bind.after["issuer"] == sso.issuer and bind.after["tid"] == TENANT_ID
    # No personal data in the chain: the subject and object id only as hashes.
    assert bind.after["subject_sha256"] == hashlib.sha256(identity.subject.encode()).hexdigest()
    assert "subject" not in bind.after and identity.oid not in str(bind.after)
    assert PEOPLE["hwhitfield"][0] not in str(bind.after)


def test_a_second_sign_in_uses_the_binding_even_after_the_email_changed(sso, live_server):
    person = imported_person("lead", "hwhitfield")
    sign_in(live_server.url, "hwhitfield")
    first_seen = SignInIdentity.objects.get().last_seen_at
    set_provider_email(sso, "hwhitfield", "hannah.married-name@york.example.org")
    try:
        session, answer = sign_in(live_server.url, "hwhitfield")
    finally:
        set_provider_email(sso, "hwhitfield", PEOPLE["hwhitfield"][0])

    assert answer.status_code == 200
    assert signed_in_user_id(session) == (str(person.pk), True)
    identity = SignInIdentity.objects.get()
    assert identity.last_seen_at > first_seen
    assert AuditEvent.objects.filter(action="sso.identity_bind").count() == 1


def _assert_refused(session, answer, words: str) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == 403
    assert "You cannot sign in" in answer.text
    assert words in answer.text
    assert signed_in_user_id(session) == (None, False)
    assert not SignInIdentity.objects.exists()


def test_an_unverified_email_is_refused(sso, live_server):
    imported_person("sam", "unverified")
    session, answer = sign_in(live_server.url, "unverified")
    _assert_refused(session, answer, "has not confirmed your email address")


def test_a_person_the_import_does_not_know_is_refused_and_nobody_is_created(sso, live_server):
    imported_person("lead", "hwhitfield")
    users_before = get_user_model().objects.count()
    session, answer = sign_in(live_server.url, "stranger")
    _assert_refused(session, answer,
                    "Your council account is not set up in plangov; ask your plan coordinator.")
    assert get_user_model().objects.count() == users_before


def test_a_closed_account_is_refused(sso, live_server):
    imported_person("chris", "closed", is_active=False)
    session, answer = sign_in(live_server.url, "closed")
    _assert_refused(session, answer, "Your plangov account has been closed.")


def test_a_closed_account_is_refused_even_once_bound(sso, live_server):
    person = imported_person("lead", "hwhitfield")
    sign_in(live_server.url, "hwhitfield")
    get_user_model().objects.filter(pk=person.pk).update(is_active=False)
    session, answer = sign_in(live_server.url, "hwhitfield")
    assert answer.status_code == 403 and "has been closed" in answer.text
    assert signed_in_user_id(session) == (None, False)


def test_a_token_from_another_issuer_is_refused(sso, live_server, settings):
    imported_person("lead", "hwhitfield")
    settings.OIDC_OP_ISSUER = "https://login.microsoftonline.com/another-tenant/v2.0"
    session, answer = sign_in(live_server.url, "hwhitfield")
    _assert_refused(session, answer, "did not send what plangov needs")


def test_an_unreachable_provider_is_said_plainly(sso, live_server, settings):
    imported_person("lead", "hwhitfield")
    # The token endpoint on a loopback port nobody listens on.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{port}/openid/token"
    session, answer = sign_in(live_server.url, "hwhitfield")
    assert answer.status_code == 503
    assert "could not be reached" in answer.text
    assert signed_in_user_id(session) == (None, False)
