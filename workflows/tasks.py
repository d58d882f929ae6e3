"""Celery tasks: thin, ids in, a service call, idempotent. Beat scans the database."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from documents.models import Plan, Stage
from plangov.errors import Conflict

from .services import plan_adopt, plans_due_for_adoption

log = logging.getLogger(__name__)


@shared_task(name="workflows.tasks.scan_call_in_periods")
def scan_call_in_periods() -> int:
    """Queue adoption of every plan whose call-in period has ended without a call-in."""
    due = plans_due_for_adoption()
    for plan_id in due:
        adopt_after_call_in.delay(plan_id)
    return len(due)


@shared_task(
    name="workflows.tasks.adopt_after_call_in",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def adopt_after_call_in(plan_id: int) -> str:
    plan = Plan.objects.filter(pk=plan_id, stage=Stage.CALL_IN).first()
    if plan is None:
        return "nothing to do"  # adopted already, or called in: a redelivery is harmless
    try:
        plan_adopt(plan=plan, actor=None, reason="The call-in period ended without a call-in.")
    except Conflict as exc:
        log.info("Plan %s not adopted: %s", plan_id, exc.detail)
        return "not adopted"
    return "adopted"
