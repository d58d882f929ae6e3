"""What the consultation services share: the council's days and times, hashes for audit
events, locks and the lead officer's permission, and the text policy for each field."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.utils import timezone

from governance import policy
from plangov import text
from plangov.errors import Forbidden

from .models import ConsultationRound


def fmt_time(moment: datetime.datetime) -> str:
    """10:00 on 2 June 2008, in the council's time zone."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def day_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def start_of(day: datetime.date) -> datetime.datetime:
    """A round opening on ``day`` opens at the start of it."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of(day: datetime.date) -> datetime.datetime:
    """A round closing on ``day`` closes at 23:59 that day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def sha256_of(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lock_plan(plan: Any) -> Any:
    """The plan under a row lock (read with its relations once the lock is held)."""
    plans = type(plan).objects.filter(pk=plan.pk)
    plans.select_for_update().values_list("pk", flat=True).get()
    return plans.select_related("partnership").get()


def lock_round(round: ConsultationRound) -> ConsultationRound:
    lock_plan(round.plan)
    return ConsultationRound.objects.select_related("plan", "version").get(pk=round.pk)


def may_lead(plan: Any, actor: Any) -> None:
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)


# One text field through the text policy, its error (if any) put in ``errors``.
clean_field = text.collect_field
