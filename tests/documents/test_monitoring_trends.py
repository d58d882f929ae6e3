"""Trend, RAG and the summary sentence: pure functions, no database."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.monitoring.trends import (
    Point,
    Rag,
    Thresholds,
    Trend,
    percent_of,
    rag,
    shortfall_percent,
    summarise,
    trend,
    trend_against_baseline,
)

D = datetime.date


def quarter(value: float, year: int = 2010, month: int = 4) -> Point:
    start = D(year, month, 1)
    end = {4: D(year, 6, 30), 7: D(year, 9, 30), 10: D(year, 12, 31), 1: D(year, 3, 31)}[month]
    return Point(value, start, end)


def year(value: float, first: int = 2010) -> Point:
    return Point(value, D(first, 4, 1), D(first + 1, 3, 31))


@pytest.mark.parametrize(("before", "after", "direction", "expected"), [
    (10, 12, "higher", Trend.IMPROVED),
    (10, 8, "higher", Trend.WORSE),
    (10, 8, "lower", Trend.IMPROVED),
    (10, 12, "lower", Trend.WORSE),
    (10, 10, "higher", Trend.NO_CHANGE),
    (0.1 + 0.2, 0.3, "lower", Trend.NO_CHANGE),  # float noise is no change
])
def test_trend_between_readings(before: float, after: float, direction: str,
                                expected: Trend) -> None:
    assert trend(quarter(before), quarter(after, month=7), direction) == expected


def test_trend_not_comparable_when_a_reading_is_missing() -> None:
    assert trend(None, quarter(1), "higher") == Trend.NOT_COMPARABLE
    assert trend(quarter(1), None, "higher") == Trend.NOT_COMPARABLE
    assert trend(None, None, "lower") == Trend.NOT_COMPARABLE


def test_a_quarter_and_a_year_are_not_comparable() -> None:
    assert trend(quarter(10), year(20, 2011), "higher") == Trend.NOT_COMPARABLE
    assert trend(year(10, 2009), year(20, 2010), "higher") == Trend.IMPROVED  # 365 vs 366 days


def test_months_of_different_lengths_are_comparable() -> None:
    feb = Point(5, D(2010, 2, 1), D(2010, 2, 28))
    jan = Point(4, D(2010, 1, 1), D(2010, 1, 31))
    assert trend(jan, feb, "higher") == Trend.IMPROVED


def test_trend_against_baseline() -> None:
    assert trend_against_baseline(9.8, quarter(8.9), "lower") == Trend.IMPROVED
    assert trend_against_baseline(9.8, 10.5, "lower") == Trend.WORSE
    assert trend_against_baseline(None, quarter(8.9), "lower") == Trend.NOT_COMPARABLE
    assert trend_against_baseline(9.8, None, "lower") == Trend.NOT_COMPARABLE
    assert trend_against_baseline(0.0, 0.0, "higher") == Trend.NO_CHANGE


@pytest.mark.parametrize(("value", "target", "direction", "expected"), [
    (100, 100, "higher", Rag.GREEN),      # met exactly
    (120, 100, "higher", Rag.GREEN),      # beaten
    (96, 100, "higher", Rag.GREEN),       # within 5%
    (95, 100, "higher", Rag.GREEN),       # exactly 5%: green
    (94, 100, "higher", Rag.AMBER),
    (85, 100, "higher", Rag.AMBER),       # exactly 15%: amber
    (84.9, 100, "higher", Rag.RED),
    (8, 8, "lower", Rag.GREEN),
    (7, 8, "lower", Rag.GREEN),
    (8.4, 8, "lower", Rag.GREEN),         # 5% above a lower-is-better target
    (9, 8, "lower", Rag.AMBER),           # 12.5%
    (10, 8, "lower", Rag.RED),            # 25%
    (-1, 0, "lower", Rag.GREEN),
    (0.5, 0, "lower", Rag.RED),           # any miss of a zero target is red
    (5, None, "higher", Rag.NO_TARGET),
    (None, 5, "higher", Rag.NO_DATA),
    (None, None, "higher", Rag.NO_TARGET),
])
def test_rag(value: float | None, target: float | None, direction: str,
             expected: Rag) -> None:
    assert rag(value, target, direction, Thresholds(5, 15)) == expected


def test_rag_default_thresholds_are_met_or_within_ten_percent() -> None:
    assert rag(100, 100, "higher") == Rag.GREEN
    assert rag(99.9, 100, "higher") == Rag.AMBER
    assert rag(90, 100, "higher") == Rag.AMBER
    assert rag(89, 100, "higher") == Rag.RED


def test_shortfall_is_relative_to_a_negative_target_too() -> None:
    assert shortfall_percent(-12, -10, "higher") == pytest.approx(20)
    assert math.isinf(shortfall_percent(1, 0, "lower"))


def test_summary_sentence_of_the_papers() -> None:
    s = summarise([Trend.IMPROVED] * 14 + [Trend.WORSE] * 2 + [Trend.NO_CHANGE]
                  + [Trend.NOT_COMPARABLE] * 3)
    assert (s.total, s.comparable, s.improved, s.no_change, s.worse, s.not_comparable) == (
        20, 17, 14, 1, 2, 3)
    assert s.percent == 82
    assert s.sentence == ("Of 17 indicators where a trend can be identified, 14 have improved "
                          "(82%).")


@pytest.mark.parametrize(("trends", "sentence", "percent"), [
    ([], "The plan has no indicators.", None),
    (["not_comparable"], "A trend cannot be identified yet for the plan's one indicator.",
     None),
    (["not_comparable"] * 3,
     "A trend cannot be identified yet for any of the plan's 3 indicators.", None),
    (["improved"], "Of 1 indicator where a trend can be identified, 1 has improved (100%).",
     100),
    (["worse"], "Of 1 indicator where a trend can be identified, none has improved (0%).", 0),
    (["worse", "no_change", "not_comparable"],
     "Of 2 indicators where a trend can be identified, none have improved (0%).", 0),
    (["improved", "worse", "worse"],
     "Of 3 indicators where a trend can be identified, 1 has improved (33%).", 33),
    (["improved", "improved", "worse"],
     "Of 3 indicators where a trend can be identified, 2 have improved (67%).", 67),
])
def test_summary_wording(trends: list[str], sentence: str, percent: int | None) -> None:
    s = summarise(trends)
    assert s.sentence == sentence
    assert s.percent == percent


def test_percent_rounds_halves_up() -> None:
    assert percent_of(1, 8) == 13  # 12.5
    assert percent_of(1, 200) == 1  # 0.5
    assert percent_of(0, 0) is None


@given(st.lists(st.sampled_from(list(Trend)), max_size=300))
def test_summary_counts_always_add_up(trends: list[Trend]) -> None:
    s = summarise(trends)
    assert s.improved + s.no_change + s.worse == s.comparable
    assert s.comparable + s.not_comparable == s.total == len(trends)
    assert s.improved == trends.count(Trend.IMPROVED)
    if s.comparable:
        assert s.percent is not None and 0 <= s.percent <= 100
        assert abs(s.percent - 100 * s.improved / s.comparable) <= 0.5
        assert f"({s.percent}%)" in s.sentence
        assert f"Of {s.comparable} indicator" in s.sentence
    else:
        assert s.percent is None
        assert "%" not in s.sentence


@given(
    st.floats(-1e6, 1e6), st.floats(-1e6, 1e6).filter(lambda t: abs(t) > 1e-6),
    st.sampled_from(["higher", "lower"]),
    st.floats(0, 100), st.floats(0, 100),
)
def test_rag_is_monotonic_in_the_thresholds(value: float, target: float, direction: str,
                                            a: float, b: float) -> None:
    green, amber = min(a, b), max(a, b)
    got = rag(value, target, direction, Thresholds(green, amber))
    wider = rag(value, target, direction, Thresholds(amber, amber))
    order = [Rag.GREEN, Rag.AMBER, Rag.RED]
    assert order.index(wider) <= order.index(got)
    met = value >= target if direction == "higher" else value <= target
    if met:
        assert got == Rag.GREEN


@pytest.mark.parametrize(("value", "text"), [
    (9.1, "9.1"), (82.0, "82"), (12345.5, "12,345.5"), (0.1 + 0.2, "0.3"), (None, "—"),
    (-0.00001, "0"), (-2.5, "-2.5"), (1 / 3, "0.3333"),
])
def test_figure(value: float | None, text: str) -> None:
    from documents.monitoring.trends import figure

    assert figure(value) == text


@given(st.lists(
    st.tuples(st.sampled_from(["higher", "lower"]),
              st.lists(st.floats(-1e6, 1e6), max_size=5),
              st.booleans()),  # the last period a year instead of a quarter
    max_size=40))
def test_a_scorecards_summary_adds_up_and_follows_its_rows(indicators: list[Any]) -> None:
    from documents.monitoring.scorecard import Reading, build_row

    rows = []
    for n, (direction, values, last_is_a_year) in enumerate(indicators):
        readings = []
        for j, value in enumerate(values):
            start = D(2009 + j, 4, 1)
            end = D(2010 + j, 3, 31) if last_is_a_year and j == len(values) - 1 else D(
                2009 + j, 6, 30)
            readings.append(Reading(j, value, f"P{j}", start, end, end))
        rows.append(build_row({"key": f"k{n}", "title": "T", "outcome": "o",
                               "direction_of_good": direction, "target": 1.0,
                               "baseline": 0.0}, "O", readings, Thresholds()))
    s = summarise(r.trend for r in rows)
    assert s.improved + s.no_change + s.worse == s.comparable
    assert s.comparable + s.not_comparable == s.total == len(indicators)
    for row, (direction, values, last_is_a_year) in zip(rows, indicators, strict=True):
        if len(values) < 2 or last_is_a_year:
            assert row.trend == Trend.NOT_COMPARABLE
        else:
            before, after = values[-2], values[-1]
            if math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-9):
                assert row.trend == Trend.NO_CHANGE
            elif (after > before) == (direction == "higher"):
                assert row.trend == Trend.IMPROVED
            else:
                assert row.trend == Trend.WORSE
        assert [p.value for p in row.series] == values
        assert row.rag == (Rag.NO_DATA if not values else rag(values[-1], 1.0, direction))
