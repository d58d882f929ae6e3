"""When someone leaves: their claimed tasks go back to their queue, their API tokens die.

A person has left when their account is closed (``is_active`` false) or when every role the
governance import gave them has ended. ``person_leave`` is the one service that acts on it,
called from the beat scan (``workflows.tasks.scan_leavers``) and open to an administrator
for someone who leaves at once. One act, one audit event: the tasks released and how many
tokens were revoked. Signing in by single sign-on is refused to such a person as well
(governance.sso.identity).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents.services import lock_plan
from governance.audit import audit_record
from governance.models import Membership
from plangov import clock, text
from plangov.errors import Forbidden, InvalidInput
from plangov.token_revocation import has_tokens, revoke_tokens
from plangov.txn import service

REASON_MEMBERSHIP_ENDED = "Every role of this person has ended."
REASON_DISABLED = "This person's account has been closed."


@dataclass(frozen=True)
class Leaving:
    tasks_released: list[int]
    tokens_revoked: int


def _claimed_tasks(user: AbstractBaseUser) -> list[Task]:
    return list(
        Task.objects.filter(owner=user, status=STATUS.ASSIGNED, info__isnull=False)
        .select_related("info")
        .order_by("info__plan_id", "pk")
    )


@service
def person_leave(
    *, user: AbstractBaseUser, actor: AbstractBaseUser | None, reason: str,
    only_if_holding: bool = False,
) -> Leaving | None:
    """Put ``user``'s claimed tasks back in their queue and revoke their API tokens.

    ``actor`` is an administrator (staff), or None for the beat scan. Audited once. With
    ``only_if_holding`` (the scan's tasks) a person with no claimed task and no token is left
    alone and None returned, so a repeated or racing scan records nothing twice.
    """
    if actor is not None and not (actor.is_staff or actor.is_superuser):
        raise Forbidden("Only an administrator can record that someone has left.")
    problem = text.text_error(reason)
    if problem or not reason.strip():
        raise InvalidInput({"reason": [problem or "Say why this person is leaving."]})
    claimed = _claimed_tasks(user)
    if only_if_holding and not claimed and not has_tokens([user.pk]):
        return None
    released: list[int] = []
    for task in claimed:
        lock_plan(task.info.plan_id)
        with task.activation() as activation:
            activation.unassign()
        released.append(task.pk)
    tokens = revoke_tokens(user)
    audit_record(
        actor=actor, action="person.leave", obj=user,
        before={"claimed_tasks": released, "tokens": tokens},
        after={"claimed_tasks": [], "tokens": 0},
        reason=reason,
    )
    return Leaving(tasks_released=released, tokens_revoked=tokens)


def leavers_to_act_on() -> list[tuple[int, str]]:
    """(user id, reason) for each person who has left and still holds a claimed task or an
    API token. People with no governance role at all (administrators) count only once their
    account is closed."""
    today = clock.today()
    current = Membership.objects.current(today).filter(user=OuterRef("pk"))
    upcoming = Membership.objects.filter(user=OuterRef("pk"), starts_on__gt=today)
    any_role = Membership.objects.filter(user=OuterRef("pk"))
    claimed = Task.objects.filter(owner=OuterRef("pk"), status=STATUS.ASSIGNED)
    left = (
        get_user_model().objects.annotate(
            has_role=Exists(any_role), has_current=Exists(current),
            has_upcoming=Exists(upcoming), has_claimed=Exists(claimed),
        )
        .filter(Q(is_active=False) | Q(has_role=True, has_current=False, has_upcoming=False))
        .values_list("pk", "is_active", "has_claimed")
    )
    rows = list(left)
    holding_tokens = has_tokens([pk for pk, _, _ in rows])
    return [
        (pk, REASON_MEMBERSHIP_ENDED if active else REASON_DISABLED)
        for pk, active, claimed_any in rows
        if claimed_any or pk in holding_tokens
    ]
