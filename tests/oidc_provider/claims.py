"""The claims the test provider sends: email with its verification, and Entra ID's tenant
and object ids (``tid``, ``oid``) so the binding of both is exercised."""

import uuid

from django.conf import settings

from tests.oidc_provider.people import PEOPLE


def userinfo(claims, user):
    _, verified = PEOPLE.get(user.username, ("", False))
    claims["email"] = user.email
    claims["email_verified"] = verified
    claims["preferred_username"] = user.email
    claims["name"] = user.get_full_name() or user.username
    return claims


def entra_ids(id_token, user, **_):
    id_token["tid"] = settings.OIDC_TEST_TENANT_ID
    id_token["oid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"oid:{user.pk}"))
    return id_token
