"""A council's own closure days: staff add, move and remove them here (the admin calls these
services), one audit event each. plangov.calendar counts them as non-working days for the
partnership's periods and deadlines from then on; periods already computed keep their end."""

from __future__ import annotations

import datetime
from typing import Any

from plangov.errors import Forbidden, InvalidInput
from plangov.txn import service

from . import policy
from .audit import audit_record
from .models import ClosureDay, Partnership


def _snapshot(closure: ClosureDay) -> dict[str, Any]:
    return {"partnership": closure.partnership.slug, "date": closure.date.isoformat(),
            "reason": closure.reason}


def _check(user: Any, operation: str, partnership_id: int) -> None:
    verdict = policy.can_change_closures(user, operation, partnership_id)
    if not verdict:
        raise Forbidden(verdict.reason)


def _validate(partnership: Partnership, date: Any, reason: str,
              closure_id: int | None = None) -> str:
    errors: dict[str, list[str]] = {}
    if not isinstance(date, datetime.date):
        errors["date"] = ["Give the date the council is closed, e.g. 2026-12-29."]
    elif ClosureDay.objects.filter(partnership=partnership, date=date).exclude(
        pk=closure_id
    ).exists():
        errors["date"] = [f"{partnership.name} is already closed on {date:%d %B %Y}."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the council is closed that day."]
    elif len(reason) > 200:
        errors["reason"] = ["Keep the reason to 200 characters."]
    if errors:
        raise InvalidInput(errors)
    return reason


def _forget(partnership: Partnership) -> None:
    partnership.__dict__.pop("_closure_dates", None)


@service
def closure_day_add(
    *, partnership: Partnership, date: datetime.date, reason: str, actor: Any
) -> ClosureDay:
    _check(actor, "add", partnership.pk)
    reason = _validate(partnership, date, reason)
    closure = ClosureDay.objects.create(partnership=partnership, date=date, reason=reason)
    audit_record(actor=actor, action="closure_day.add", obj=closure, before={},
                 after=_snapshot(closure))
    _forget(partnership)
    return closure


@service
def closure_day_change(
    *, closure_id: int, date: datetime.date, reason: str, actor: Any
) -> ClosureDay:
    closure = ClosureDay.objects.select_for_update().select_related("partnership").get(
        pk=closure_id)
    _check(actor, "change", closure.partnership_id)
    reason = _validate(closure.partnership, date, reason, closure_id=closure.pk)
    before = _snapshot(closure)
    closure.date, closure.reason = date, reason
    if _snapshot(closure) == before:
        return closure
    closure.save(update_fields=["date", "reason"])
    audit_record(actor=actor, action="closure_day.change", obj=closure, before=before,
                 after=_snapshot(closure))
    return closure


@service
def closure_day_remove(*, closure_id: int, actor: Any) -> None:
    closure = ClosureDay.objects.select_for_update().select_related("partnership").get(
        pk=closure_id)
    _check(actor, "delete", closure.partnership_id)
    before = _snapshot(closure)
    audit_record(actor=actor, action="closure_day.remove", obj=closure, before=before,
                 after={})
    closure.delete()
