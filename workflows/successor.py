"""The end of a plan's period, and what an adoption does beyond the plan itself.

- ``PLANGOV_SUCCESSOR_PROMPT_MONTHS`` before a plan's period ends, the beat scan prompts its
  lead officer to start the successor: a task (``SuccessorPromptFlow``) and an email, once
  per plan (``Plan.successor_prompted_at``, set by compare-and-set under the plan's lock).
- ``plan_start_successor`` makes the successor: the same partnership, bodies, kind and lead
  officer, the next period of the same length, the adopted content in its draft, and
  ``predecessor`` pointing back; it completes the prompt task.
- Adopting a plan (``on_adopting``, from the lifecycle's ``_fix_adopted_version``): a
  revision's adoption moves the review date a year on; a successor's adoption supersedes its
  predecessor, whose ``superseded_by`` then points to it.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from viewflow.workflow.models import Process

from documents.models import ApprovalStep, Plan, PlanDraft, Stage
from documents.services import lock_plan, plan_create, plan_snapshot
from governance import policy
from governance.audit import audit_record
from governance.consultation.responses import add_months
from plangov import clock, text
from plangov.errors import Conflict, Forbidden, InvalidInput, WrongStage
from plangov.txn import service

from .models import Notification, NotificationKind, TaskKind

log = logging.getLogger(__name__)

# Plans no longer in force: no successor prompt, no successor.
ENDED = (Stage.SUPERSEDED, Stage.WITHDRAWN)


def prompt_months() -> int:
    return int(settings.PLANGOV_SUCCESSOR_PROMPT_MONTHS)


def prompt_due_on(plan: Plan) -> datetime.date:
    """The day the lead officer is prompted to start the successor."""
    return add_months(plan.period_end, -prompt_months())


def next_period(plan: Plan) -> tuple[datetime.date, datetime.date]:
    """The period after the plan's, of the same length: whole months when the plan's period is
    whole months (1 April 2016 to 31 March 2019: 1 April 2019 to 31 March 2022), else days."""
    start = plan.period_end + datetime.timedelta(days=1)
    months = (start.year - plan.period_start.year) * 12 + start.month - plan.period_start.month
    if start.day == plan.period_start.day and months > 0:
        return start, add_months(start, months) - datetime.timedelta(days=1)
    return start, start + (plan.period_end - plan.period_start)


def _live_successors() -> Any:
    return Plan.objects.filter(predecessor=OuterRef("pk")).exclude(stage=Stage.WITHDRAWN)


def live_successor(plan: Plan) -> Plan | None:
    return plan.successors.exclude(stage=Stage.WITHDRAWN).order_by("-pk").first()


def may_have_successor(plan: Plan) -> bool:
    """An adopted plan (revised or not) that is still in force."""
    return plan.adopted_version_id is not None and plan.stage not in ENDED


def page_context(plan: Plan, *, leads: bool) -> dict[str, Any]:
    """What the plan page says of the plan's place among its predecessor and successor, and of
    a revision in progress (the adopted version stays in force meanwhile)."""
    successor = live_successor(plan)
    return {
        "successor": successor,
        "may_start_successor": leads and successor is None and may_have_successor(plan),
        "in_revision": plan.adopted_version_id is not None
        and plan.stage not in (Stage.ADOPTED, *ENDED),
    }


# The prompt.


def plans_due_successor_prompt(today: datetime.date | None = None) -> list[int]:
    """Adopted plans in force, not yet prompted and without a successor, whose period ends
    within the prompt's months (by plangov's clock)."""
    today = today or clock.today()
    # Months are uneven (six months before 31 March is 30 September, six months after 30
    # September is 30 March): the query takes a few days more, prompt_due_on decides.
    horizon = add_months(today, prompt_months()) + datetime.timedelta(days=4)
    candidates = (
        Plan.objects.filter(adopted_version__isnull=False, successor_prompted_at__isnull=True,
                            period_end__lte=horizon)
        .exclude(stage__in=ENDED)
        .exclude(Exists(_live_successors()))
        .order_by("period_end", "pk").only("pk", "period_end")
    )
    return [plan.pk for plan in candidates if prompt_due_on(plan) <= today]


def _prompt_message(plan: Plan, task_id: int, due_on: datetime.date) -> tuple[str, str]:
    ends = f"{plan.period_end.day} {plan.period_end:%B %Y}"
    subject = f"Start the successor to {plan.title}: its period ends on {ends}"
    body = "\n".join([
        f"The period of {plan.title} ends on {ends}. Its successor needs drafting, "
        "consulting on and approving before then.",
        "",
        "Start the successor plan from the task: it is made with the same partnership, bodies "
        "and lead officer, for the next period, and its draft holds this plan's adopted "
        "content.",
        "",
        f"Task: {TaskKind.START_SUCCESSOR.label}",
        f"Plan: {plan.title}",
        f"Due: {due_on:%A} {due_on.day} {due_on:%B %Y}",
        "",
        f"Open the task: {settings.PLANGOV_SITE_URL}/tasks/{task_id}/",
        "",
        "You receive this because you lead the plan (or deputise for its lead officer).",
    ])
    return subject, body


@service
def successor_prompt_if_due(*, plan_id: int) -> bool:
    """Prompt the lead officer once: under the plan's lock, compare and set
    ``successor_prompted_at``; start the prompt flow (the task) and write the email, sent
    once the transaction commits (and by the deadline scan, should that message be lost).
    False when there was nothing to do."""
    from .deadlines import _people, _Roles
    from .successor_flow import SuccessorPromptFlow

    plan = lock_plan(plan_id)
    if (plan.successor_prompted_at is not None or not may_have_successor(plan)
            or prompt_due_on(plan) > clock.today() or live_successor(plan) is not None):
        return False
    now = clock.now()
    plan.successor_prompted_at = now
    plan.save(update_fields=["successor_prompted_at", "updated_at"])
    due_on = min(plan.period_end, add_months(clock.today(), 1))
    process = SuccessorPromptFlow.start.run(plan=plan, due_on=due_on)
    task = process.task_set.filter(info__kind=TaskKind.START_SUCCESSOR).get()
    subject, body = _prompt_message(plan, task.pk, due_on)
    roles = _Roles({plan.owning_body_id}, clock.today())
    notification = Notification.objects.create(
        task=task, kind=NotificationKind.PROMPT, due_on=due_on,
        recipients=_people(roles.lead_and_deputy(plan)), subject=subject, body=body,
        created_at=now,
    )
    audit_record(
        actor=None, action="plan.successor_prompt", obj=plan, plan_id=plan.pk,
        before={"successor_prompted_at": None},
        after={"successor_prompted_at": now, "task": task.pk, "due_on": due_on,
               "period_end": plan.period_end,
               "recipients": [r["username"] for r in notification.recipients]},
    )
    from plangov.queue import enqueue_on_commit

    from .tasks import send_notification

    enqueue_on_commit(send_notification, notification.pk)
    return True


# The successor.


@service
def plan_start_successor(
    *, plan: Plan, actor: AbstractBaseUser, title: str | None = None
) -> Plan:
    """Start the plan that succeeds ``plan`` (see the module's note); returns it."""
    plan = lock_plan(plan.pk)
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if not may_have_successor(plan):
        raise WrongStage(
            action="start_successor", stage=plan.stage, stage_label=plan.get_stage_display(),
            possible=[],
            detail="Only an adopted plan that is still in force has a successor; this plan is "
                   f"{plan.get_stage_display().lower()}.",
        )
    existing = live_successor(plan)
    if existing is not None:
        raise Conflict(f"The successor plan has already been started: {existing.title} "
                       f"({existing.period_start:%Y}–{existing.period_end:%Y}).")
    if title is not None:
        if (refused := text.text_error(title)) is not None:
            raise InvalidInput({"title": [refused]})
        if not title.strip():
            raise InvalidInput({"title": ["Give the successor a title, or leave it out to "
                                          "keep this plan's."]})
    start, end = next_period(plan)
    steps = ApprovalStep.objects.filter(plan=plan).select_related("body").order_by(
        "position", "pk")
    bodies = [step.body for step in steps] or list(plan.approving_bodies.order_by("pk"))
    successor = plan_create(
        actor=actor, partnership=plan.partnership, title=title or plan.title, kind=plan.kind,
        period_start=start, period_end=end, owning_body=plan.owning_body,
        lead_officer=plan.lead_officer, approving_bodies=bodies,
        executive_body=plan.executive_body, subject_to_call_in=plan.subject_to_call_in,
        approval_route=plan.approval_route,
    )
    successor.predecessor = plan
    successor.save(update_fields=["predecessor", "updated_at"])
    adopted = plan.adopted_version
    PlanDraft.objects.create(plan=successor, content=dict(adopted.content), revision=1,
                             updated_by=actor, updated_at=clock.now())
    before = plan_snapshot(plan)
    audit_record(
        actor=actor, action="plan.start_successor", obj=plan, plan_id=plan.pk, before=before,
        after={**plan_snapshot(plan), "successor": successor.pk,
               "period": [start.isoformat(), end.isoformat()],
               "content_from_version": adopted.number},
    )
    from . import routing

    task = routing.open_task_of_kind(plan, TaskKind.START_SUCCESSOR)
    if task is not None:
        routing.complete_task(task, actor)
    return successor


def cancel_prompt(plan: Plan) -> None:
    """A plan superseded (by hand, or by its successor's adoption) needs no prompt any more:
    an open "Start the successor plan" task is cancelled with its process."""
    from viewflow.workflow.status import PROCESS

    from .successor_flow import SuccessorPromptFlow

    processes = Process.objects.filter(
        flow_class=SuccessorPromptFlow, status=PROCESS.NEW,
        artifact_content_type=ContentType.objects.get_for_model(Plan), artifact_object_id=plan.pk,
    )
    for process in processes:
        SuccessorPromptFlow.instance.cancel(process)


# What an adoption does beyond the plan (the lifecycle calls this inside the transition).


def on_adopting(plan: Plan, *, on: datetime.date | None, actor: Any) -> None:
    if plan.adopted_version_id and on is not None:
        # A revision replaces the adopted version: the next review is a year from now on.
        plan.review_date = add_months(on, 12)
    if plan.predecessor_id:
        _supersede_predecessor(plan, actor)


def _supersede_predecessor(plan: Plan, actor: Any) -> None:
    from .lifecycle import PlanLifecycle

    predecessor = lock_plan(plan.predecessor_id)
    if predecessor.stage != Stage.ADOPTED or predecessor.superseded_by_id:
        # Already superseded, withdrawn, or in the middle of a revision: left as it is.
        log.info("Plan %s adopted; its predecessor %s is %s and stays so.",
                 plan.pk, predecessor.pk, predecessor.stage)
        return
    before = plan_snapshot(predecessor)
    PlanLifecycle(predecessor).fire("supersede", actor, enforce_permission=False,
                                    successor=plan)
    predecessor.save()
    cancel_prompt(predecessor)
    audit_record(
        actor=actor, action="plan.supersede", obj=predecessor, plan_id=predecessor.pk,
        before=before, after={**plan_snapshot(predecessor), "superseded_by": plan.pk},
        reason="Its successor plan was adopted.",
    )
