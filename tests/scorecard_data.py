"""An adopted plan with many indicators and years of monthly readings, fast: the version is
written through the service, the adoption is set on the row (walking boards and call-in
proves nothing more about a scorecard), and the readings are bulk-created. Shared by the
scorecard tests and bench/scorecard.py."""

from __future__ import annotations

import datetime
import math
from typing import Any

from documents.models import Plan, PlanKind, Stage
from documents.monitoring.models import IndicatorReading
from documents.services import plan_create, version_create
from plangov import clock
from tests.factories import valid_content

OUTCOMES = [
    ("healthy", "Being healthy"),
    ("safe", "Staying safe"),
    ("achieve", "Enjoying and achieving"),
    ("contribution", "Making a positive contribution"),
    ("wellbeing", "Achieving economic wellbeing"),
]


def indicator_content(count: int) -> dict[str, Any]:
    """Valid content with ``count`` indicators spread over five outcomes, alternating the
    direction of good, some with no target."""
    indicators = []
    for n in range(count):
        outcome = OUTCOMES[n % len(OUTCOMES)][0]
        lower = n % 2 == 0
        indicators.append({
            "key": f"ind-{n:03d}",
            "title": f"Indicator {n:03d}: {'rate of' if lower else 'share of'} "
                     f"{outcome} measure",
            "outcome": outcome,
            "unit": "%" if n % 3 else "pupils",
            "baseline": 50.0,
            "baseline_period": "2009",
            "target": None if n % 7 == 6 else (40.0 if lower else 60.0),
            "direction_of_good": "lower" if lower else "higher",
        })
    return valid_content(
        outcomes=[{"key": k, "title": t, "priorities": []} for k, t in OUTCOMES],
        indicators=indicators,
        actions=[],
    )


def month_periods(start: datetime.date, months: int) -> list[tuple[str, datetime.date,
                                                                  datetime.date]]:
    periods = []
    year, month = start.year, start.month
    for _ in range(months):
        first = datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        last = datetime.date(year, month, 1) - datetime.timedelta(days=1)
        periods.append((f"{first:%b %Y}", first, last))
    return periods


def adopted_plan(world: Any, *, indicators: int, months: int = 0,
                 start: datetime.date = datetime.date(2020, 4, 1)) -> Plan:
    """An adopted plan (period ``start`` plus ``months``, at least a year) with
    ``indicators`` indicators, each with ``months`` monthly readings."""
    end_months = max(months, 12)
    last = month_periods(start, end_months)[-1][2]
    plan = plan_create(
        actor=world.lead, partnership=world.partnership,
        title="Children and Young People's Plan", kind=PlanKind.CYPP,
        period_start=start, period_end=last, owning_body=world.board,
        lead_officer=world.lead, approving_bodies=[world.board], executive_body=world.executive,
        subject_to_call_in=True,
    )
    version = version_create(plan=plan, actor=world.lead, content=indicator_content(indicators))
    Plan.objects.filter(pk=plan.pk).update(
        stage=Stage.ADOPTED, adopted_version=version, adopted_on=start,
        adopted_at=clock.now(),
    )
    plan.refresh_from_db()
    if months:
        add_readings(plan, world.lead, indicators=indicators, months=months, start=start)
    return plan


def add_readings(plan: Plan, user: Any, *, indicators: int, months: int,
                 start: datetime.date) -> int:
    """Bulk-create ``months`` monthly readings for each of the first ``indicators``
    indicators: a drifting wave around the baseline, so trends go both ways."""
    now = clock.now()
    periods = month_periods(start, months)
    rows = [
        IndicatorReading(
            plan=plan, indicator_key=f"ind-{n:03d}",
            value=round(50 + 8 * math.sin((m + n) / 5) + (n % 5 - 2) * m / 12, 1),
            period_label=label, period_start=first, period_end=last,
            measured_on=min(last + datetime.timedelta(days=20), now.date()),
            source="Bench data", entered_by=user, entered_at=now,
        )
        for n in range(indicators)
        for m, (label, first, last) in enumerate(periods)
    ]
    IndicatorReading.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
