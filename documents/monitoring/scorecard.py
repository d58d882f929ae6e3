"""A plan's scorecard: every indicator of its adopted version with its latest reading, trend,
RAG and series, and the summary sentence. Built in a constant number of queries whatever
the number of indicators or readings: the adopted version, the thresholds, and the plan's
current readings in one ordered query.

The summary counts the trend against the previous reading of the rows shown (after the
filters): an indicator with fewer than two readings, or whose last two periods differ in
length, has no trend that can be identified.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from documents.models import IndicatorReading, Plan, PlanVersion, RagThresholds
from plangov.errors import GuardFailed, InvalidInput

from .trends import (
    DEFAULT_THRESHOLDS,
    Point,
    Rag,
    Summary,
    Thresholds,
    Trend,
    rag,
    summarise,
    trend,
    trend_against_baseline,
)


class NotAdopted(GuardFailed):
    """The plan has no adopted version, so nothing is measured yet (409)."""

    def __init__(self, plan: Plan):
        super().__init__(
            f"'{plan.title}' has not been adopted yet: indicators are measured against the "
            "adopted version's content, so there is no scorecard and no reading before "
            "adoption."
        )


@dataclass(frozen=True)
class Reading:
    """A current reading as the scorecard shows it."""

    id: int
    value: float
    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    measured_on: datetime.date

    @property
    def point(self) -> Point:
        return Point(self.value, self.period_start, self.period_end)

    def as_data(self) -> dict[str, Any]:
        return {
            "id": self.id, "value": self.value, "period_label": self.period_label,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "measured_on": self.measured_on.isoformat(),
        }


@dataclass(frozen=True)
class SeriesPoint:
    period_label: str
    period_end: datetime.date
    value: float


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    outcome_key: str
    outcome_title: str
    unit: str
    baseline: float | None
    baseline_period: str
    target: float | None
    direction_of_good: str
    latest: Reading | None
    previous: Reading | None
    trend: Trend
    trend_vs_baseline: Trend
    rag: Rag
    series: tuple[SeriesPoint, ...] = field(default_factory=tuple)

    def as_data(self, *, series: bool = True) -> dict[str, Any]:
        data = {
            "key": self.key, "title": self.title,
            "outcome": {"key": self.outcome_key, "title": self.outcome_title},
            "unit": self.unit, "baseline": self.baseline,
            "baseline_period": self.baseline_period, "target": self.target,
            "direction_of_good": self.direction_of_good,
            "latest": self.latest.as_data() if self.latest else None,
            "previous": self.previous.as_data() if self.previous else None,
            "trend": str(self.trend), "trend_vs_baseline": str(self.trend_vs_baseline),
            "rag": str(self.rag),
        }
        if series:
            data["series"] = [
                {"period_label": p.period_label, "period_end": p.period_end.isoformat(),
                 "value": p.value}
                for p in self.series
            ]
        return data


@dataclass(frozen=True)
class Scorecard:
    plan_id: int
    version_id: int
    version_number: int
    thresholds: Thresholds
    rows: tuple[Row, ...]
    summary: Summary
    outcome: str | None = None
    rag: str | None = None
    outcomes: tuple[tuple[str, str], ...] = ()  # (key, title) of every outcome, for filters
    with_series: bool = True


def _thresholds(plan: Plan) -> Thresholds:
    row = (RagThresholds.objects.filter(plan_id=plan.pk)
           .values_list("green_within_percent", "amber_within_percent").first())
    return Thresholds.of(*row) if row else DEFAULT_THRESHOLDS


def current_readings(plan: Plan, *, last: int | None = None) -> dict[str, list[Reading]]:
    """The plan's current (not superseded) readings by indicator key, oldest first, in one
    query; with ``last``, only each indicator's ``last`` latest ones (a window query)."""
    readings = IndicatorReading.objects.filter(plan_id=plan.pk, superseded_by__isnull=True)
    if last is not None:
        readings = readings.annotate(recency=Window(
            RowNumber(), partition_by=[F("indicator_key")],
            order_by=[F("period_end").desc(), F("period_start").desc(), F("id").desc()],
        )).filter(recency__lte=last)
    rows = (
        readings.order_by("indicator_key", "period_end", "period_start", "id")
        .values_list("indicator_key", "id", "value", "period_label", "period_start",
                     "period_end", "measured_on")
    )
    by_key: dict[str, list[Reading]] = {}
    for key, *rest in rows:
        by_key.setdefault(key, []).append(Reading(*rest))
    return by_key


def adopted_version(plan: Plan) -> PlanVersion:
    if plan.adopted_version_id is None:
        raise NotAdopted(plan)
    cached = plan._state.fields_cache.get("adopted_version")
    if cached is not None and cached.pk == plan.adopted_version_id:
        return cached  # read with the plan (documents.queries.visible_plans)
    return PlanVersion.objects.only("id", "number", "content").get(pk=plan.adopted_version_id)


def _check_filters(outcome: str | None, rag_filter: str | None,
                   outcomes: dict[str, str]) -> None:
    errors: dict[str, list[str]] = {}
    if outcome is not None and outcome not in outcomes:
        known = ", ".join(outcomes) or "none"
        errors["outcome"] = [f"No outcome of the adopted plan has the key {outcome!r}; "
                             f"its outcomes: {known}."]
    if rag_filter is not None and rag_filter not in {r.value for r in Rag}:
        errors["rag"] = ["Choose one of: " + ", ".join(r.value for r in Rag) + "."]
    if errors:
        raise InvalidInput(errors)


def build_row(indicator: dict[str, Any], outcome_title: str, readings: list[Reading],
              thresholds: Thresholds) -> Row:
    direction = indicator["direction_of_good"]
    latest = readings[-1] if readings else None
    previous = readings[-2] if len(readings) > 1 else None
    target = indicator.get("target")
    baseline = indicator.get("baseline")
    return Row(
        key=indicator["key"], title=indicator["title"], outcome_key=indicator["outcome"],
        outcome_title=outcome_title, unit=indicator.get("unit", ""),
        baseline=baseline, baseline_period=indicator.get("baseline_period", ""),
        target=target, direction_of_good=direction, latest=latest, previous=previous,
        trend=trend(previous.point if previous else None, latest.point if latest else None,
                    direction),
        trend_vs_baseline=trend_against_baseline(baseline, latest.point if latest else None,
                                                 direction),
        rag=rag(latest.value if latest else None, target, direction, thresholds),
        series=tuple(SeriesPoint(r.period_label, r.period_end, r.value) for r in readings),
    )


def scorecard_build(plan: Plan, *, outcome: str | None = None, rag: str | None = None,
                    series: bool = True) -> Scorecard:
    """The scorecard of ``plan``'s adopted version, filtered by outcome key and RAG status.
    NotAdopted (409) before adoption; InvalidInput (400) for an unknown filter value. Without
    ``series`` only the two latest readings of each indicator are read, and each row's series
    holds just those."""
    version = adopted_version(plan)
    content = version.content or {}
    outcomes = {o["key"]: o.get("title", "") for o in content.get("outcomes", [])}
    _check_filters(outcome or None, rag or None, outcomes)
    thresholds = _thresholds(plan)
    readings = current_readings(plan, last=None if series else 2)
    rows = []
    for indicator in content.get("indicators", []):
        if outcome and indicator["outcome"] != outcome:
            continue
        row = build_row(indicator, outcomes.get(indicator["outcome"], ""),
                        readings.get(indicator["key"], []), thresholds)
        if rag and row.rag != rag:
            continue
        rows.append(row)
    return Scorecard(
        plan_id=plan.pk, version_id=version.pk, version_number=version.number,
        thresholds=thresholds, rows=tuple(rows), summary=summarise(r.trend for r in rows),
        outcome=outcome or None, rag=rag or None, outcomes=tuple(outcomes.items()),
        with_series=series,
    )


def scorecard_as_data(scorecard: Scorecard) -> dict[str, Any]:
    """The scorecard as JSON-able data (what a review snapshots as its trends). A scorecard
    built without its series has none in its rows' data."""
    return {
        "plan": scorecard.plan_id,
        "version": {"id": scorecard.version_id, "number": scorecard.version_number},
        "thresholds": {
            "green_within_percent": scorecard.thresholds.green_within_percent,
            "amber_within_percent": scorecard.thresholds.amber_within_percent,
        },
        "filters": {"outcome": scorecard.outcome, "rag": scorecard.rag},
        "summary": scorecard.summary.as_data(),
        "indicators": [row.as_data(series=scorecard.with_series) for row in scorecard.rows],
    }
