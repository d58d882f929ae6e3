"""Revoking a person's API tokens: the one place that knows which token model is in use.

Since issue 13 ("Doors") that is governance.tokens' ``ApiToken`` (expiring, several per
person, revoked rather than deleted). Leaving (``workflows.leavers.person_leave``) calls these;
the caller records the audit event. The model is looked up by name: plangov sits below
governance and does not import it.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser

from plangov import clock


def _live():  # type: ignore[no-untyped-def]
    return apps.get_model("governance", "ApiToken").objects.filter(revoked_at__isnull=True)


def revoke_tokens(user: AbstractBaseUser) -> int:
    """Revoke every live API token of ``user``; returns how many there were."""
    return _live().filter(user=user).update(revoked_at=clock.now())


def has_tokens(user_ids: list[int]) -> set[int]:
    """Which of these people hold at least one unrevoked API token (for the leavers' scan)."""
    return set(_live().filter(user_id__in=user_ids).values_list("user_id", flat=True))
