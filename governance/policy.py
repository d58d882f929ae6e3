"""Who may do what. Deny by default: every answer is False unless a rule below says yes.

Answers are ``Verdict`` objects: truthy or falsy, with the reason a person is refused, so a
403 can say why. viewflow.fsm permissions call these; the services enforce them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from .models import Body, BodyKind, Membership, Role

if TYPE_CHECKING:
    from documents.models import Plan


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:  # read by viewflow.fsm like State.CONDITION
        return "" if self.allowed else self.reason


ALLOW = Verdict(True)


def _is_person(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def acting_roles(user: Any, body: Body, roles: set[str]) -> bool:
    """True if the user holds one of ``roles`` on ``body`` now, or deputises for a holder."""
    if not _is_person(user):
        return False
    return (
        Membership.objects.current()
        .filter(body=body, role__in=roles)
        .filter(Q(user=user) | Q(deputy=user))
        .exists()
    )


def is_auditor(user: Any) -> bool:
    return _is_person(user) and Membership.objects.current().filter(
        user=user, role=Role.AUDITOR
    ).exists()


def can_view_plan(plan: Plan, user: Any) -> Verdict:
    if not _is_person(user):
        return Verdict(False, "Sign in to see plans.")
    if user.is_superuser or plan.lead_officer_id == user.pk:
        return ALLOW
    member = Membership.objects.current().filter(
        Q(user=user) | Q(deputy=user), body__partnership_id=plan.partnership_id
    )
    if member.exists() or is_auditor(user):
        return ALLOW
    return Verdict(False, "You hold no role in this plan's partnership.")


def can_create_plan(partnership_id: int, user: Any) -> Verdict:
    if not _is_person(user):
        return Verdict(False, "Sign in to create plans.")
    if Membership.objects.current().filter(
        user=user, role=Role.LEAD_OFFICER, body__partnership_id=partnership_id
    ).exists():
        return ALLOW
    return Verdict(False, "Only a lead officer of the partnership can create a plan.")


def leads_anywhere(user: Any) -> bool:
    return _is_person(user) and Membership.objects.current().filter(
        user=user, role=Role.LEAD_OFFICER
    ).exists()


def can_lead(plan: Plan, user: Any) -> Verdict:
    """The plan's lead officer, or whoever deputises for them on the owning body."""
    if not _is_person(user):
        return Verdict(False, "Only the plan's lead officer can do this.")
    if plan.lead_officer_id == user.pk:
        return ALLOW
    deputising = Membership.objects.current().filter(
        body_id=plan.owning_body_id,
        role=Role.LEAD_OFFICER,
        user_id=plan.lead_officer_id,
        deputy=user,
    )
    if deputising.exists():
        return ALLOW
    return Verdict(False, "Only the plan's lead officer or their deputy can do this.")


def can_lead_or_system(plan: Plan, user: Any) -> Verdict:
    """Adoption at the end of call-in is done by the beat scan (no user) or the lead officer."""
    return ALLOW if user is None else can_lead(plan, user)


def can_record_for(body: Body, user: Any) -> Verdict:
    """A body's decisions are recorded by its secretary or their deputy; an executive's also
    by its executive members, who take those decisions themselves."""
    roles = {Role.SECRETARY}
    if body.kind == BodyKind.EXECUTIVE:
        roles.add(Role.EXECUTIVE_MEMBER)
    if acting_roles(user, body, roles):
        return ALLOW
    who = "its secretary, their deputy or an executive member" if len(roles) > 1 else (
        "its secretary or their deputy"
    )
    return Verdict(False, f"Only {who} can record decisions of {body.name}.")
