"""Trend, RAG and the summary sentence: pure functions of figures, no database.

- ``trend(previous, latest, direction)``: improved / no change / worse between two readings,
  or not comparable when either is missing or their periods differ in length by more than
  ``PERIOD_TOLERANCE_DAYS`` (a quarter against a year says nothing).
- ``trend_against_baseline(baseline, latest, direction)``: the same against the content's
  baseline (a label only, so only the values are compared).
- ``rag(value, target, direction, thresholds)``: green when the target is met or missed by no
  more than ``green_within_percent`` of it, amber within ``amber_within_percent``, else red;
  ``no_target`` when the content has none, ``no_data`` when there is no reading.
- ``summarise(trends)``: the counts and the sentence the papers use, "Of 17 indicators where a
  trend can be identified, 14 have improved (82%).", computed from the counts, never typed.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

HIGHER = "higher"
LOWER = "lower"

# Periods whose lengths differ by more than this are not compared (months differ by up to
# 3 days, quarters by 2, years by 1; a quarter against a year by 270).
PERIOD_TOLERANCE_DAYS = 5


class Trend(StrEnum):
    IMPROVED = "improved"
    NO_CHANGE = "no_change"
    WORSE = "worse"
    NOT_COMPARABLE = "not_comparable"

    @property
    def label(self) -> str:
        return TREND_LABELS[self]


TREND_LABELS = {
    Trend.IMPROVED: "Improved",
    Trend.NO_CHANGE: "No change",
    Trend.WORSE: "Worse",
    Trend.NOT_COMPARABLE: "Not comparable",
}

TREND_CHOICES = [(t.value, TREND_LABELS[t]) for t in Trend]


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return RAG_LABELS[self]


RAG_LABELS = {
    Rag.GREEN: "Green",
    Rag.AMBER: "Amber",
    Rag.RED: "Red",
    Rag.NO_TARGET: "No target",
    Rag.NO_DATA: "No reading",
}
RAG_CHOICES = [(r.value, RAG_LABELS[r]) for r in Rag]


@dataclass(frozen=True)
class Point:
    """A reading's figure and the period it covers."""

    value: float
    period_start: datetime.date
    period_end: datetime.date

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


@dataclass(frozen=True)
class Thresholds:
    """Percentages of the target (0..100, amber ≥ green); defaults as ``RagThresholds``."""

    green_within_percent: float = 0.0
    amber_within_percent: float = 10.0

    @classmethod
    def of(cls, green: float | Decimal, amber: float | Decimal) -> Thresholds:
        return cls(float(green), float(amber))


DEFAULT_THRESHOLDS = Thresholds()


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _compare(before: float, after: float, direction: str) -> Trend:
    if _same(before, after):
        return Trend.NO_CHANGE
    better = after > before if direction == HIGHER else after < before
    return Trend.IMPROVED if better else Trend.WORSE


def comparable_periods(a: Point, b: Point) -> bool:
    return abs(a.days - b.days) <= PERIOD_TOLERANCE_DAYS


def trend(previous: Point | None, latest: Point | None, direction: str) -> Trend:
    """The trend from ``previous`` to ``latest`` for an indicator whose ``direction`` of good
    is 'higher' or 'lower'."""
    if previous is None or latest is None or not comparable_periods(previous, latest):
        return Trend.NOT_COMPARABLE
    return _compare(previous.value, latest.value, direction)


def trend_against_baseline(baseline: float | None, latest: Point | float | None,
                           direction: str) -> Trend:
    """The trend from the content's baseline to the latest reading."""
    if baseline is None or latest is None:
        return Trend.NOT_COMPARABLE
    value = latest.value if isinstance(latest, Point) else float(latest)
    return _compare(float(baseline), value, direction)


def shortfall_percent(value: float, target: float, direction: str) -> float:
    """How far ``value`` misses ``target``, as a percentage of the target: 0 when met.
    Missing a target of zero is infinitely far."""
    met = value >= target if direction == HIGHER else value <= target
    if met or _same(value, target):
        return 0.0
    if target == 0:
        return math.inf
    return abs(value - target) / abs(target) * 100


def rag(value: float | None, target: float | None, direction: str,
        thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Rag:
    if target is None:
        return Rag.NO_TARGET
    if value is None:
        return Rag.NO_DATA
    missed_by = shortfall_percent(value, target, direction)
    if missed_by <= thresholds.green_within_percent + 1e-9:
        return Rag.GREEN
    if missed_by <= thresholds.amber_within_percent + 1e-9:
        return Rag.AMBER
    return Rag.RED


@dataclass(frozen=True)
class Summary:
    total: int
    comparable: int
    improved: int
    no_change: int
    worse: int
    not_comparable: int
    percent: int | None  # improved as a whole percentage of comparable; None when none are
    sentence: str

    def as_data(self) -> dict[str, object]:
        return {
            "total": self.total, "comparable": self.comparable, "improved": self.improved,
            "no_change": self.no_change, "worse": self.worse,
            "not_comparable": self.not_comparable, "percent": self.percent,
            "sentence": self.sentence,
        }


def percent_of(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, halves rounded up; None for no whole."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def _indicators(n: int) -> str:
    return f"{n} indicator" if n == 1 else f"{n} indicators"


def summary_sentence(*, total: int, comparable: int, improved: int) -> str:
    """The sentence of the papers, from the counts."""
    if total == 0:
        return "The plan has no indicators."
    if comparable == 0:
        if total == 1:
            return "A trend cannot be identified yet for the plan's one indicator."
        return f"A trend cannot be identified yet for any of the plan's {total} indicators."
    if improved == 0:
        have = "none has improved" if comparable == 1 else "none have improved"
    elif improved == 1:
        have = "1 has improved"
    else:
        have = f"{improved} have improved"
    where = "where a trend can be identified"
    return (f"Of {_indicators(comparable)} {where}, {have} "
            f"({percent_of(improved, comparable)}%).")


def summarise(trends: Iterable[Trend | str]) -> Summary:
    """Counts of ``trends`` (one per indicator) and the sentence."""
    counts = Counter(Trend(t) for t in trends)
    improved = counts[Trend.IMPROVED]
    no_change = counts[Trend.NO_CHANGE]
    worse = counts[Trend.WORSE]
    not_comparable = counts[Trend.NOT_COMPARABLE]
    comparable = improved + no_change + worse
    total = comparable + not_comparable
    return Summary(
        total=total, comparable=comparable, improved=improved, no_change=no_change,
        worse=worse, not_comparable=not_comparable,
        percent=percent_of(improved, comparable),
        sentence=summary_sentence(total=total, comparable=comparable, improved=improved),
    )


def figure(value: float | None) -> str:
    """A reading's value as people write it: up to four decimals, no trailing zeros, thousands
    separated (9.1, 12,345.5, 82); an em dash for none."""
    if value is None:
        return "—"
    text = f"{round(float(value), 4):,.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
