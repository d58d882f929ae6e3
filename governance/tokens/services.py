"""Making, revoking and checking API tokens. One audit event per act, holding no token
material and no free text: the token's id, its expiry, a count."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import Http404

from governance.audit import audit_record
from plangov import clock, text
from plangov.errors import InvalidInput
from plangov.txn import service

from .models import ApiToken

TOKEN_PREFIX = "pg_"
PREFIX_SHOWN = 8
NAME_MAX = 100
# A token's last use is written at most this often (not a write per request).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_name(name: Any) -> str:
    if not isinstance(name, str):
        raise InvalidInput({"name": ["Give the token a name."]})
    if (message := text.text_error(name)) is not None:
        raise InvalidInput({"name": [message]})
    name = " ".join(name.split())
    if not name:
        raise InvalidInput({"name": ["Give the token a name, for example the program using it."]})
    if len(name) > NAME_MAX:
        raise InvalidInput({"name": [f"Use {NAME_MAX} characters or fewer."]})
    return name


@service
def token_create(*, user: Any, name: Any, actor: Any) -> tuple[ApiToken, str]:
    """A new token for ``user`` (its owner is the actor), lasting PLANGOV_TOKEN_DAYS. Returns
    the token and its secret, which is never stored and never shown again."""
    name = _clean_name(name)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:PREFIX_SHOWN], digest=digest_of(raw),
        created_at=now, expires_at=now + datetime.timedelta(days=settings.PLANGOV_TOKEN_DAYS),
    )
    audit_record(actor=actor, action="api_token_create", obj=token, before={},
                 after={"user": user.pk, "expires_at": token.expires_at.isoformat()})
    return token, raw


@service
def token_revoke(*, token_id: int, actor: Any) -> ApiToken:
    """The actor revokes one of their own live tokens (anyone else's is NotFound)."""
    token = (ApiToken.objects.select_for_update()
             .filter(pk=token_id, user=actor, revoked_at__isnull=True).first())
    if token is None:
        raise Http404("No such token of yours, or it is already revoked.")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token_revoke", obj=token,
                 before={"revoked": False}, after={"revoked": True})
    return token


def tokens_revoke_all(*, user: Any, actor: Any, reason: str) -> int:
    """Revoke every live token of ``user`` (password changed, account left): one audit
    event for the act, on the user, with the count; nothing when there was none. Runs in
    the caller's transaction (or its own)."""
    from django.db import transaction

    with transaction.atomic():
        now = clock.now()
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=now)
        if count:
            audit_record(actor=actor, action="api_tokens_revoke_all", obj=user,
                         before={"live_tokens": count}, after={"live_tokens": 0},
                         reason=reason)
        return count


def token_user(raw: str) -> tuple[Any, ApiToken] | None:
    """The (active) user and token for a raw token, or None; marks its last use."""
    token = (ApiToken.objects.select_related("user")
             .filter(digest=digest_of(raw)).first())
    if token is None:
        return None
    now = clock.now()
    if not token.is_live(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="tokens_die_with_password")
def _revoke_on_password_change(sender: Any, instance: Any, raw: bool = False,
                               update_fields: Any = None, **kwargs: Any) -> None:
    """Any change of a user's password hash (the password change and reset pages, the admin,
    ``changepassword``, ``set_password`` anywhere) revokes their tokens. A rehash on sign-in
    (Django upgrading the hasher) keeps the same password and is told apart by
    ``_password`` being unset."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if getattr(instance, "_password", None) is None:
        return  # set_password was not called: the hash changed only by a rehash, or not
    if "password" in instance.get_deferred_fields():
        return
    old = type(instance)._default_manager.filter(pk=instance.pk).values_list(
        "password", flat=True).first()
    if old is None or old == instance.password:
        return
    tokens_revoke_all(user=instance, actor=instance, reason="password changed")
