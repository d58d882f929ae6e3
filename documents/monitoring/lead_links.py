"""The links from the leads a plan's content names (an action's ``lead`` text) to people in
governance, kept by the plan's lead officer. A linked person gets that lead's tasks
(``leads.priority_leads``) and may report progress on the actions naming the lead."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from documents.models import LeadLink, Plan, PlanVersion
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from plangov import clock, text
from plangov.errors import Forbidden, InvalidInput
from plangov.ids import to_int
from plangov.txn import service

from .actions import actions_of, sha256_of


def lead_names(plan: Plan) -> list[str]:
    """Every lead the adopted and the current version name, in the order they first appear."""
    ids = [i for i in (plan.adopted_version_id, plan.current_version_id) if i]
    versions = {v.pk: v for v in PlanVersion.objects.filter(pk__in=ids)}
    names: dict[str, None] = {}
    for pk in ids:
        for action in actions_of(versions.get(pk)):
            name = str(action.get("lead") or "").strip()
            if name:
                names.setdefault(name, None)
    return list(names)


def partnership_people(plan: Plan) -> Any:
    """The people who may be linked as a lead: active users with a current role in the
    plan's partnership, by name."""
    from governance.models import Membership

    members = Membership.objects.current().filter(
        body__partnership_id=plan.partnership_id).values("user_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by(
        "last_name", "first_name", "username")


def _may_lead(plan: Plan, actor: Any) -> None:
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)


def _lead_name(plan: Plan, name: Any) -> str:
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput({"name": ["Say which lead (as the plan names it)."]})
    if (refused := text.text_error(name)) is not None:
        raise InvalidInput({"name": [refused]})
    name = name.strip()
    if name not in lead_names(plan):
        errors["name"] = [f"'{name[:100]}' is not a lead named in this plan's actions."]
        raise InvalidInput(errors)
    return name


@service
def lead_link_set(*, plan: Plan, name: str, person: Any, actor: Any) -> LeadLink:
    """Link the lead ``name`` (as the content names it) to ``person`` (a user, or their
    id), replacing any earlier link of that name. Linking the same person again changes
    nothing and records nothing."""
    plan = lock_plan(plan.pk)
    _may_lead(plan, actor)
    name = _lead_name(plan, name)
    user_model = get_user_model()
    person_id = to_int(getattr(person, "pk", person), minimum=1)
    chosen = user_model.objects.filter(pk=person_id).first() if person_id else None
    if chosen is None:
        raise InvalidInput({"person": ["Choose a person to link this lead to."]})
    if not chosen.is_active or not policy.is_partnership_person(chosen, plan.partnership_id):
        raise InvalidInput({"person": [
            f"{chosen.get_full_name() or chosen.get_username()} holds no current role in "
            "this plan's partnership; only its people can lead its actions."]})
    link = LeadLink.objects.filter(plan=plan, name=name).first()
    before = {"person": link.person_id if link else None}
    if link is not None and link.person_id == chosen.pk:
        return link
    now = clock.now()
    if link is None:
        link = LeadLink.objects.create(plan=plan, name=name, person=chosen, linked_by=actor,
                                       linked_at=now)
    else:
        link.person, link.linked_by, link.linked_at = chosen, actor, now
        link.save(update_fields=["person", "linked_by", "linked_at"])
    audit_record(actor=actor, action="lead_link.set", obj=link, plan_id=plan.pk,
                 before=before, after={"person": chosen.pk, "name_sha256": sha256_of(name)})
    return link


@service
def lead_link_remove(*, plan: Plan, name: str, actor: Any) -> None:
    """Unlink the lead ``name``: its tasks go to the lead officer again."""
    plan = lock_plan(plan.pk)
    _may_lead(plan, actor)
    if not isinstance(name, str) or (refused := text.text_error(name)) is not None:
        raise InvalidInput({"name": [refused or "Say which lead."]})
    link = LeadLink.objects.filter(plan=plan, name=name.strip()).first()
    if link is None:
        raise InvalidInput({"name": [f"No person is linked to '{name.strip()[:100]}'."]})
    audit_record(actor=actor, action="lead_link.remove", obj=link, plan_id=plan.pk,
                 before={"person": link.person_id, "name_sha256": sha256_of(link.name)},
                 after={"person": None})
    link.delete()
