"""The rules of single sign-on apart from the protocol (sign_in_identity_resolve), and the
sign-in pages with single sign-on on and off. The journey itself: test_sso.py."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model

from governance.models import AuditEvent, Membership, SignInIdentity
from governance.sso.identity import SignInRefused, sign_in_identity_resolve
from tests.factories import MembershipFactory, UserFactory

ISSUER = "https://login.microsoftonline.com/tenant-1/v2.0"


def claims(**extra):  # type: ignore[no-untyped-def]
    return {"iss": ISSUER, "sub": "pairwise-sub-1", "tid": "tenant-1", "oid": "object-1",
            **extra}


@pytest.fixture
def person(db):  # type: ignore[no-untyped-def]
    return MembershipFactory(
        user=UserFactory(username="hwhitfield", email="Hannah.Whitfield@york.example.org")
    ).user


def refusal(**token) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SignInRefused) as caught:
        sign_in_identity_resolve(claims=token)
    return caught.value.code


def test_email_matches_only_when_verified(person):
    email = "hannah.whitfield@york.example.org"
    assert refusal(**claims(email=email)) == "unverified"
    assert refusal(**claims(email=email, email_verified=False)) == "unverified"
    assert not SignInIdentity.objects.exists()
    assert sign_in_identity_resolve(claims=claims(email=email, email_verified=True)) == person


def test_entra_id_matches_on_the_configured_claim_without_email_verified(person, settings):
    settings.PLANGOV_OIDC_MATCH_CLAIM = "preferred_username"
    user = sign_in_identity_resolve(
        claims=claims(preferred_username="hannah.whitfield@york.example.org")
    )
    assert user == person
    identity = SignInIdentity.objects.get()
    assert (identity.tid, identity.oid) == ("tenant-1", "object-1")
    # An unverified email claim never matches, whatever the configured claim.
    assert refusal(**claims(sub="other", email="hannah.whitfield@york.example.org")) == "claims"


def test_matching_the_governance_username(person, settings):
    settings.PLANGOV_OIDC_MATCH_CLAIM = "preferred_username"
    settings.PLANGOV_OIDC_MATCH_FIELD = "username"
    assert sign_in_identity_resolve(claims=claims(preferred_username="HWhitfield")) == person


def test_people_without_a_role_are_not_candidates(db):
    UserFactory(username="admin", email="admin@york.example.org", is_staff=True)
    assert refusal(**claims(email="admin@york.example.org", email_verified=True)) == "unknown"
    assert get_user_model().objects.count() == 1


def test_two_people_with_the_same_address_are_refused(person):
    MembershipFactory(user=UserFactory(username="other",
                                       email="hannah.whitfield@york.example.org"))
    assert refusal(**claims(email="hannah.whitfield@york.example.org",
                            email_verified=True)) == "ambiguous"


def test_an_ended_role_is_refused(person):
    Membership.objects.filter(user=person).update(ends_on=datetime.date(2001, 1, 1))
    assert refusal(**claims(email="hannah.whitfield@york.example.org",
                            email_verified=True)) == "no_membership"


def test_a_second_identity_at_the_same_issuer_is_refused(person):
    token = claims(email="hannah.whitfield@york.example.org", email_verified=True)
    sign_in_identity_resolve(claims=token)
    assert refusal(**{**token, "sub": "someone-else", "oid": "object-2"}) == "bound_elsewhere"
    assert SignInIdentity.objects.count() == 1
    assert AuditEvent.objects.filter(action="sso.identity_bind").count() == 1


def test_a_bound_identity_whose_object_id_changed_is_refused(person):
    token = claims(email="hannah.whitfield@york.example.org", email_verified=True)
    sign_in_identity_resolve(claims=token)
    assert refusal(**{**token, "oid": "object-2"}) == "claims"


@pytest.mark.parametrize("token", [
    {"sub": "x"},
    {"iss": ISSUER},
    {"iss": ISSUER, "sub": 7},
    {"iss": ISSUER, "sub": "a\x00b"},
    {"iss": ISSUER, "sub": "s" * 300},
])
def test_tokens_without_a_usable_identity_are_refused(db, token):
    assert refusal(**token) == "claims"


def test_the_sign_in_page_offers_council_sign_in_only_when_configured(client, db, settings):
    page = client.get("/accounts/login/?next=/plans/")
    assert "Sign in with your council account" not in page.content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404

    settings.OIDC_RP_CLIENT_ID = "plangov"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example.org/authorize"
    page = client.get("/accounts/login/?next=/plans/")
    assert page.status_code == 200
    assert 'href="/oidc/authenticate/?next=/plans/"' in page.content.decode()
    assert "Sign in with your council account" in page.content.decode()
    # Password sign-in stays (the embedded demo).
    assert 'name="password"' in page.content.decode()
    away = client.get("/oidc/authenticate/?next=/plans/")
    assert away.status_code == 302
    assert away["Location"].startswith("https://idp.example.org/authorize?")
    assert "code_challenge=" in away["Location"] and "nonce=" in away["Location"]


def test_a_callback_without_a_started_sign_in_says_so(client, db, settings):
    settings.OIDC_RP_CLIENT_ID = "plangov"
    page = client.get("/oidc/callback/?code=x&state=y")
    assert page.status_code == 400
    assert "did not finish" in page.content.decode()
