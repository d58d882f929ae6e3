"""Who a verified ID token is: the rules of single sign-on, apart from the protocol.

A token's identity (``iss`` + ``sub``; Entra ID's ``tid`` and ``oid`` when present) is bound
to one plangov account the first time it signs in. That first time, the account is found
through a claim the council's provider vouches for, matched to a person the governance
import recorded: ``email`` only with ``email_verified`` true, or another configured claim
(Entra ID's ``preferred_username``, the user principal name, which only the tenant's
administrators set). Nobody is created and no role is granted from a token: a person the
import does not know is refused. Every sign-in also needs an active account holding a
current role.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from plangov import clock
from plangov.errors import Forbidden
from plangov.txn import service

from ..audit import audit_record
from ..models import Membership
from .models import SignInIdentity

ASK = "Ask your plan coordinator."
REFUSALS = {
    "unknown": "Your council account is not set up in plangov; ask your plan coordinator.",
    "unverified": "Your council's sign-in service has not confirmed your email address, so "
                  f"plangov cannot tell which account is yours. {ASK}",
    "disabled": f"Your plangov account has been closed. {ASK}",
    "no_membership": f"You hold no current role in plangov. {ASK}",
    "ambiguous": f"More than one plangov account matches your council account. {ASK}",
    "bound_elsewhere": "Your plangov account is already linked to a different council "
                       f"sign-in. {ASK}",
    "claims": "Your council's sign-in service did not send what plangov needs to know who "
              f"you are. {ASK}",
    "unavailable": "Your council's sign-in service could not be reached. Try again in a few "
                   "minutes.",
}
MATCH_FIELDS = ("email", "username")


class SignInRefused(Forbidden):
    """Single sign-on refused; ``code`` is a key of REFUSALS, the message says what to do."""

    title = "You cannot sign in"

    def __init__(self, code: str):
        self.code = code
        super().__init__(REFUSALS[code])


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _claim(claims: Mapping[str, Any], name: str, *, limit: int = 255) -> str:
    value = claims.get(name, "")
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise SignInRefused("claims")
    return value.strip()


def _verified(claims: Mapping[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _imported_person(claims: Mapping[str, Any]) -> AbstractBaseUser:
    """The person the governance import recorded with the configured claim's value."""
    claim_name = settings.PLANGOV_OIDC_MATCH_CLAIM
    field = settings.PLANGOV_OIDC_MATCH_FIELD
    value = _claim(claims, claim_name)
    if not value:
        raise SignInRefused("claims")
    if claim_name == "email" and not _verified(claims):
        raise SignInRefused("unverified")
    people = list(
        get_user_model().objects.filter(
            **{f"{field}__iexact": value}, memberships__isnull=False
        ).distinct()[:2]
    )
    if not people:
        raise SignInRefused("unknown")
    if len(people) > 1:
        raise SignInRefused("ambiguous")
    return people[0]


def _may_sign_in(user: AbstractBaseUser) -> None:
    if not user.is_active:
        raise SignInRefused("disabled")
    if not Membership.objects.current().filter(user=user).exists():
        raise SignInRefused("no_membership")


@service
def sign_in_identity_resolve(*, claims: Mapping[str, Any]) -> AbstractBaseUser:
    """The account for a verified ID token's claims, binding the identity on first sign-in.

    Raises SignInRefused (nothing written) when the token names nobody plangov knows, names
    them by an unverified email, or names a closed account or one with no current role.
    The first binding is audited; later sign-ins only note when the identity was last seen.
    """
    issuer = _claim(claims, "iss")
    subject = _claim(claims, "sub")
    if not issuer or not subject:
        raise SignInRefused("claims")
    tid = _claim(claims, "tid", limit=64)
    oid = _claim(claims, "oid", limit=64)
    now = clock.now()

    identity = (
        SignInIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        if (identity.tid and tid and identity.tid != tid) or (
            identity.oid and oid and identity.oid != oid
        ):
            raise SignInRefused("claims")
        _may_sign_in(identity.user)
        identity.last_seen_at = now
        identity.save(update_fields=["last_seen_at"])
        return identity.user

    user = _imported_person(claims)
    _may_sign_in(user)
    if SignInIdentity.objects.filter(user=user, issuer=issuer).exists():
        raise SignInRefused("bound_elsewhere")
    identity = SignInIdentity.objects.create(
        user=user, issuer=issuer, subject=subject, tid=tid, oid=oid,
        created_at=now, last_seen_at=now,
    )
    audit_record(
        actor=user, action="sso.identity_bind", obj=identity, before={},
        after={
            "issuer": issuer,
            "subject_sha256": _digest(subject),
            "tid": tid,
            "oid_sha256": _digest(oid) if oid else "",
            "matched_on": settings.PLANGOV_OIDC_MATCH_CLAIM,
        },
    )
    return user
