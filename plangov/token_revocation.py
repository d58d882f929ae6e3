"""Revoking a person's API tokens: the one place that knows which token model is in use.

Today that is DRF's authtoken ``Token`` (one per person). If tokens move to another model
(django-rest-knox's ``AuthToken``, say), change this function alone: leaving
(``workflows.leavers.person_leave``) and anything else that revokes tokens call it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser


def revoke_tokens(user: AbstractBaseUser) -> int:
    """Delete every API token of ``user``; returns how many there were."""
    from rest_framework.authtoken.models import Token

    count, _ = Token.objects.filter(user=user).delete()
    return count


def has_tokens(user_ids: list[int]) -> set[int]:
    """Which of these people hold at least one API token (for the leavers' scan)."""
    from rest_framework.authtoken.models import Token

    return set(Token.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
