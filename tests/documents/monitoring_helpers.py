"""Helpers for the monitoring tests: an adopted plan without walking the whole approval (the
adoption path has its own tests), indicators in bulk, and readings in bulk."""

from __future__ import annotations

import datetime
from typing import Any

from documents.models import IndicatorReading, Plan, Stage
from documents.services import version_create
from plangov import clock
from tests.conftest import World, make_plan
from tests.factories import valid_content


def indicators(n: int) -> list[dict[str, Any]]:
    """``n`` indicators over the two outcomes of ``valid_content``: even ones higher is
    better with a target of 100, odd ones lower is better with a target of 10."""
    return [
        {
            "key": f"ind-{i}", "title": f"Indicator {i}",
            "outcome": "healthy" if i % 2 == 0 else "safe", "unit": "%",
            "baseline": 50.0 if i % 2 == 0 else 20.0, "baseline_period": "2008/09",
            "target": 100.0 if i % 2 == 0 else 10.0,
            "direction_of_good": "higher" if i % 2 == 0 else "lower",
        }
        for i in range(n)
    ]


def adopted(world: World, content: dict[str, Any] | None = None) -> Plan:
    """A plan of the world whose version 1 (``content``) is its adopted version."""
    plan = make_plan(world)
    version = version_create(plan=plan, actor=world.lead,
                             content=content if content is not None else valid_content())
    Plan.objects.filter(pk=plan.pk).update(
        adopted_version=version, current_version=version, stage=Stage.ADOPTED,
        adopted_on=datetime.date(2009, 4, 1), adopted_at=clock.now(),
    )
    plan.refresh_from_db()
    return plan


def quarters(first_year: int, count: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """``count`` financial quarters from April of ``first_year``: (label, start, end)."""
    out = []
    for q in range(count):
        year = first_year + (3 + 3 * q) // 12
        month = (3 + 3 * q) % 12 + 1
        start = datetime.date(year, month, 1)
        end_month = month + 2
        end_next = datetime.date(year + (end_month // 12), end_month % 12 + 1, 1)
        fy = first_year + q // 4
        out.append((f"{fy}/{(fy + 1) % 100:02d} Q{q % 4 + 1}", start,
                    end_next - datetime.timedelta(days=1)))
    return out


def months(first: datetime.date, count: int) -> list[tuple[str, datetime.date, datetime.date]]:
    out = []
    year, month = first.year, first.month
    for _ in range(count):
        start = datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = datetime.date(year, month, 1) - datetime.timedelta(days=1)
        out.append((f"{start:%b %Y}", start, end))
    return out


def bulk_readings(plan: Plan, user: Any, keys: list[str],
                  periods: list[tuple[str, datetime.date, datetime.date]],
                  value: Any = None) -> None:
    """Current readings of every ``keys`` for every period (bulk, no service)."""
    now = clock.now()
    IndicatorReading.objects.bulk_create([
        IndicatorReading(
            plan=plan, indicator_key=key, value=value(i, j) if value else float(j),
            period_label=label, period_start=start, period_end=end, measured_on=end,
            entered_by=user, entered_at=now,
        )
        for i, key in enumerate(keys)
        for j, (label, start, end) in enumerate(periods)
    ])
