"""Who may do what. Deny by default: every answer is False unless a rule below says yes.

Answers are ``Verdict`` objects: truthy or falsy, with the reason a person is refused, so a
403 can say why. viewflow.fsm permissions call these; the services enforce them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from plangov import clock
from plangov.prepared import Prepared

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
    return _ACTING.exists(shape=frozenset(roles), body=body.pk, user=user.pk,
                          day=clock.today())


# Who acts in a role on a body today (asked on every task a person works): prepared, one
# compiled statement per set of roles (plangov.prepared).
_ACTING = Prepared(lambda roles, body, user, day: (
    Membership.objects.current(day).filter(body_id=body, role__in=sorted(roles))
    .filter(Q(user_id=user) | Q(deputy_id=user)).order_by().values_list("pk", flat=True)[:1]),
    body=int, user=int, day=datetime.date)


# Auditors read and never write. An AUDITOR membership lets its holder read the plans,
# history and documents of that body's partnership; an EXTERNAL_AUDITOR membership, every
# partnership's. Every refusal below tells an auditor why in the same words.
AUDIT_ROLES = frozenset({Role.AUDITOR, Role.EXTERNAL_AUDITOR})
READS_ONLY = ("Auditors read plans, their history and documents; they change and ask for "
              "nothing.")


def sees_every_partnership(user: Any) -> bool:
    """Superusers and external auditors read every partnership's plans."""
    if not _is_person(user):
        return False
    return user.is_superuser or Membership.objects.current().filter(
        user=user, role=Role.EXTERNAL_AUDITOR
    ).exists()


def member_partnership_ids(user: Any) -> Any:
    """The partnerships ``user`` holds (or deputises for) a current role in, as a subquery."""
    return Membership.objects.current().filter(Q(user=user) | Q(deputy=user)).values(
        "body__partnership_id"
    )


def audits(user: Any, partnership_id: int | None) -> bool:
    """True if ``user`` reads ``partnership_id``'s record as an auditor (or external auditor)."""
    if not _is_person(user):
        return False
    return Membership.objects.current().filter(
        Q(role=Role.EXTERNAL_AUDITOR)
        | Q(role=Role.AUDITOR, body__partnership_id=partnership_id),
        Q(user=user) | Q(deputy=user),
    ).exists()


def refuse(user: Any, reason: str, partnership_id: int | None) -> Verdict:
    """A refusal; an auditor is also told that auditors change nothing."""
    if audits(user, partnership_id):
        return Verdict(False, f"{READS_ONLY} {reason}")
    return Verdict(False, reason)


def can_view_plan(plan: Plan, user: Any) -> Verdict:
    if not _is_person(user):
        return Verdict(False, "Sign in to see plans.")
    if user.is_superuser or plan.lead_officer_id == user.pk:
        return ALLOW
    member = Membership.objects.current().filter(
        Q(user=user) | Q(deputy=user), body__partnership_id=plan.partnership_id
    )
    if member.exists() or sees_every_partnership(user):
        return ALLOW
    return Verdict(False, "You hold no role in this plan's partnership.")


def can_request_document(plan: Plan, user: Any) -> Verdict:
    """Asking for a signed document renders and records it: the plan's lead officer, or
    anyone acting in a role of its partnership other than auditing."""
    if not _is_person(user):
        return Verdict(False, "Sign in to ask for documents.")
    if user.is_superuser or plan.lead_officer_id == user.pk:
        return ALLOW
    acting = Membership.objects.current().filter(
        Q(user=user) | Q(deputy=user), body__partnership_id=plan.partnership_id
    ).exclude(role__in=AUDIT_ROLES)
    if acting.exists():
        return ALLOW
    return refuse(user, "Only people who act in this plan's partnership can ask for its "
                        "documents.", plan.partnership_id)


def can_create_plan(partnership_id: int, user: Any) -> Verdict:
    if not _is_person(user):
        return Verdict(False, "Sign in to create plans.")
    if Membership.objects.current().filter(
        user=user, role=Role.LEAD_OFFICER, body__partnership_id=partnership_id
    ).exists():
        return ALLOW
    return refuse(user, "Only a lead officer of the partnership can create a plan.",
                  partnership_id)


def may_create_plans(user: Any) -> Verdict:
    """Leads a plan somewhere: asked before reading a new plan's input."""
    if _is_person(user) and Membership.objects.current().filter(
        user=user, role=Role.LEAD_OFFICER
    ).exists():
        return ALLOW
    reason = "Only a lead officer of the partnership can create a plan."
    if _is_person(user) and Membership.objects.current().filter(
        Q(user=user) | Q(deputy=user), role__in=AUDIT_ROLES
    ).exists():
        return Verdict(False, f"{READS_ONLY} {reason}")
    return Verdict(False, reason)


def leads_anywhere(user: Any) -> bool:
    return bool(may_create_plans(user))


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
    return refuse(user, "Only the plan's lead officer or their deputy can do this.",
                  plan.partnership_id)


def can_report_progress(plan: Plan, user: Any) -> Verdict:
    """Readings of indicators and progress on actions are reported by the plan's lead
    officer (or their deputy), a lead named in its content and linked to that person
    (``LeadLink``) who still holds a role in the plan's partnership, or staff. A lead who
    left reports no more, though their link stays until the lead officer changes it."""
    if not _is_person(user):
        return Verdict(False, "Sign in to report progress.")
    if user.is_staff or user.is_superuser or can_lead(plan, user):
        return ALLOW
    if plan.lead_links.filter(person=user).exists():
        if not is_partnership_person(user, plan.partnership_id):
            return Verdict(False, "You no longer hold a role in this plan's partnership, so "
                                  "you report no more progress on it.")
        return ALLOW
    return refuse(user, "Only the plan's lead officer, their deputy or a lead linked to "
                        "this plan can report its progress.", plan.partnership_id)


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
    return refuse(user, f"Only {who} can record decisions of {body.name}.", body.partnership_id)


def can_change_closures(user: Any, operation: str, partnership_id: int) -> Verdict:
    """A council's closure days are kept by staff who hold the model permission
    (``governance.add_closureday``, ``change_``, ``delete_``) and by superusers."""
    if not _is_person(user):
        return Verdict(False, "Sign in to change closure days.")
    if user.is_superuser or (user.is_staff and user.has_perm(f"governance.{operation}_closureday")):
        return ALLOW
    return refuse(user, "Only staff allowed to keep the council's closure days can change them.",
                  partnership_id)


# Consultation analysis. Responses are personal data: the analysts are the plan's lead
# officer and whoever deputises for them; auditors read the analysis (and a redacted quote's
# original) and change nothing. Everyone else who may see the plan reads only the published
# summary.
def can_analyse(plan: Plan, user: Any) -> Verdict:
    """Tag themes, write notes, redact quotes, edit "you said, we did", publish the summary."""
    verdict = can_lead(plan, user)
    if verdict:
        return ALLOW
    return refuse(user, "Only the plan's lead officer or their deputy analyse its "
                        "consultation responses.", plan.partnership_id)


def can_read_analysis(plan: Plan, user: Any) -> Verdict:
    """Read the responses, the analysis and redacted quotes' originals: the analysts and the
    partnership's auditors (and external auditors)."""
    if can_lead(plan, user) or audits(user, plan.partnership_id):
        return ALLOW
    return Verdict(False, "Only the plan's lead officer, their deputy and auditors read the "
                          "consultation responses.")


# Monitoring: progress on an adopted plan's actions.
def is_staff(user: Any) -> bool:
    return _is_person(user) and (user.is_superuser or user.is_staff)


def is_partnership_person(user: Any, partnership_id: int | None) -> bool:
    """Holds a current role (a membership) in the partnership: an active governance person."""
    return _is_person(user) and Membership.objects.current().filter(
        user=user, body__partnership_id=partnership_id).exists()
