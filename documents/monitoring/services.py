"""Services for indicator readings and a plan's RAG thresholds.

``reading_record`` records one reading of one indicator of the adopted version for one period,
or a correction: a new reading that supersedes the current one (``corrects``, with a reason).
Readings sit beside the adopted version and never change its content. Who may record them:
``governance.policy.can_report_progress``.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from documents.models import IndicatorReading, Plan, RagThresholds
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from plangov import clock, text
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.txn import service

from .scorecard import NotAdopted, adopted_version

__all__ = ["indicator_of", "parse_value", "rag_thresholds_set", "reading_record"]


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def parse_value(value: Any) -> float:
    """A reading's value as a finite number; ValueError with the reason otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError("Enter the value as a number, like 42 or 12.5.")
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        cleaned = value.strip().replace(",", "")
        if cleaned.endswith("%"):
            cleaned = cleaned[:-1].strip()
        try:
            number = float(Decimal(cleaned))
        except (InvalidOperation, ValueError):
            raise ValueError("Enter the value as a number, like 42 or 12.5.") from None
    else:
        raise ValueError("Enter the value as a number, like 42 or 12.5.")
    if not math.isfinite(number):
        raise ValueError("Enter the value as a finite number.")
    return number


def _date(errors: dict[str, list[str]], field: str, value: Any,
          what: str) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[field] = [f"Enter {what} as a real date, like 2026-03-31."]
    return None


_text = text.collect_field


def indicator_of(content: dict[str, Any], key: str) -> dict[str, Any] | None:
    for indicator in content.get("indicators", []):
        if indicator.get("key") == key:
            return indicator
    return None


def _may_report(plan: Plan, actor: Any) -> None:
    verdict = policy.can_report_progress(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)


def _check_period(errors: dict[str, list[str]], plan: Plan, start: datetime.date | None,
                  end: datetime.date | None, measured_on: datetime.date | None) -> None:
    if start and end and end < start:
        errors["period_end"] = [f"The period ends on or after it starts ({_day(start)})."]
    plan_period = f"{_day(plan.period_start)} to {_day(plan.period_end)}"
    if start and not plan.period_start <= start <= plan.period_end:
        errors["period_start"] = [f"The period starts outside the plan's period ({plan_period})."]
    if end and not plan.period_start <= end <= plan.period_end and "period_end" not in errors:
        errors["period_end"] = [f"The period ends outside the plan's period ({plan_period})."]
    if measured_on:
        today = clock.today()
        if measured_on > today:
            errors["measured_on"] = [f"The date measured cannot be in the future (today is "
                                     f"{_day(today)})."]
        elif start and measured_on < start:
            errors["measured_on"] = [f"The date measured cannot be before the period starts "
                                     f"({_day(start)})."]


@service
def reading_record(
    *,
    plan: Plan,
    indicator_key: str,
    value: Any,
    period_label: str,
    period_start: datetime.date | str,
    period_end: datetime.date | str,
    measured_on: datetime.date | str,
    source: str = "",
    commentary: str = "",
    actor: Any,
    corrects: int | None = None,
    reason: str = "",
) -> IndicatorReading:
    """Record a reading of ``indicator_key`` for one period (or, with ``corrects``, a
    correction superseding that current reading, with ``reason``). 403 for someone who may
    not report the plan's progress, 409 before adoption, 400 naming each wrong field with
    nothing saved. Exactly one audit event, ``reading.record``."""
    plan = lock_plan(plan.pk)
    _may_report(plan, actor)
    if plan.adopted_version_id is None:
        raise NotAdopted(plan)
    content = adopted_version(plan).content or {}
    errors: dict[str, list[str]] = {}
    if not isinstance(indicator_key, str) or indicator_of(content, indicator_key) is None:
        known = ", ".join(i["key"] for i in content.get("indicators", [])) or "none"
        errors["indicator"] = [f"The adopted plan has no indicator with the key "
                               f"{indicator_key!r}; its indicators: {known}."]
    number: float | None = None
    try:
        number = parse_value(value)
    except ValueError as exc:
        errors["value"] = [str(exc)]
    label = _text(errors, "period_label", period_label, max_length=40, required=True,
                  what="The period's name")
    if "\n" in label:
        errors["period_label"] = ["The period's name is one line."]
    start = _date(errors, "period_start", period_start, "the date the period starts")
    end = _date(errors, "period_end", period_end, "the date the period ends")
    measured = _date(errors, "measured_on", measured_on, "the date it was measured")
    source_text = _text(errors, "source", source, max_length=200)
    commentary_text = _text(errors, "commentary", commentary, max_length=20_000)
    reason_text = _text(errors, "reason", reason, max_length=5_000)
    _check_period(errors, plan, start, end, measured)

    old: IndicatorReading | None = None
    if corrects is not None:
        if isinstance(corrects, bool) or not isinstance(corrects, int):
            errors["corrects"] = ["Give the id of the reading this corrects."]
        else:
            old = (IndicatorReading.objects.filter(pk=corrects, plan=plan,
                                                   indicator_key=indicator_key).first())
            if old is None:
                errors["corrects"] = [f"No reading {corrects} of this indicator on this plan."]
            elif old.superseded_by_id is not None:
                raise Conflict(f"Reading {corrects} has already been corrected by reading "
                               f"{old.superseded_by_id}; correct that one instead.")
            if not reason_text and "reason" not in errors:
                errors["reason"] = ["Say why this reading corrects the one it replaces."]
    elif reason_text:
        errors["reason"] = ["A reason is only given with a correction (`corrects`)."]

    if not errors and start and end:
        current = IndicatorReading.objects.filter(
            plan=plan, indicator_key=indicator_key, superseded_by__isnull=True
        )
        if old is not None:
            current = current.exclude(pk=old.pk)
        same = (current.filter(period_start=start, period_end=end).first()
                or current.filter(period_label=label).first())
        if same is not None:
            errors["period_label"] = [
                f"There is already a reading for {same.period_label} ({_day(same.period_start)}"
                f" to {_day(same.period_end)}): reading {same.pk}. A correction is a new "
                f"reading that supersedes the old: give `corrects` ({same.pk}) and a reason."]
    if errors:
        raise InvalidInput(errors)

    now = clock.now()
    if old is not None:
        # Out of the "one current reading per period" constraint until its correction
        # exists: for that moment it points at a reading nothing else points at (superseded_by
        # is one-to-one), such as the first of its own chain of corrections.
        free = (IndicatorReading.objects.filter(plan=plan, indicator_key=indicator_key,
                                                supersedes__isnull=True)
                .order_by("pk").values_list("pk", flat=True).first())
        IndicatorReading.objects.filter(pk=old.pk).update(superseded_by_id=free)
    reading = IndicatorReading.objects.create(
        plan=plan, indicator_key=indicator_key, value=number, period_label=label,
        period_start=start, period_end=end, measured_on=measured, source=source_text,
        commentary=commentary_text, entered_by=actor, entered_at=now,
        correction_reason=reason_text,
    )
    before: dict[str, Any] = {}
    if old is not None:
        IndicatorReading.objects.filter(pk=old.pk).update(superseded_by=reading)
        old.superseded_by = reading
        before = {"reading": old.pk, "value": old.value, "period_label": old.period_label,
                  "period_start": old.period_start, "period_end": old.period_end}
    audit_record(
        actor=actor, action="reading.record", obj=reading, plan_id=plan.pk, before=before,
        after={
            "indicator_key": indicator_key, "value": number, "period_label": label,
            "period_start": start, "period_end": end, "measured_on": measured,
            "source_sha256": _sha256(source_text),
            "commentary_sha256": _sha256(commentary_text),
            "corrects": old.pk if old is not None else None,
            "reason_sha256": _sha256(reason_text),
        },
    )
    return reading


def _percent(errors: dict[str, list[str]], field: str, value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors[field] = ["Enter a percentage between 0 and 100."]
        return None
    if not Decimal(0) <= number <= Decimal(100):
        errors[field] = ["Enter a percentage between 0 and 100."]
        return None
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        errors[field] = ["At most two decimal places."]
        return None
    return number


@service
def rag_thresholds_set(*, plan: Plan, green_within_percent: Any, amber_within_percent: Any,
                       actor: Any) -> RagThresholds:
    """Set how far from its target an indicator may be and still be green, or amber
    (percentages of the target, 0..100, amber not below green). The lead officer only."""
    plan = lock_plan(plan.pk)
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    errors: dict[str, list[str]] = {}
    green = _percent(errors, "green_within_percent", green_within_percent)
    amber = _percent(errors, "amber_within_percent", amber_within_percent)
    if green is not None and amber is not None and amber < green:
        errors["amber_within_percent"] = [f"Amber reaches at least as far as green "
                                          f"({green}%)."]
    if errors:
        raise InvalidInput(errors)
    row = RagThresholds.objects.filter(plan=plan).first()
    before: dict[str, Any] = {}
    if row is None:
        row = RagThresholds(plan=plan)
    else:
        before = {"green_within_percent": str(row.green_within_percent),
                  "amber_within_percent": str(row.amber_within_percent)}
    row.green_within_percent = green
    row.amber_within_percent = amber
    row.updated_by = actor
    row.updated_at = clock.now()
    row.save()
    audit_record(actor=actor, action="rag_thresholds.set", obj=row, plan_id=plan.pk,
                 before=before, after={"green_within_percent": str(green),
                                       "amber_within_percent": str(amber)})
    return row
