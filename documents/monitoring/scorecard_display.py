"""A scorecard laid out for reading: what the scorecard page, the public page, the CSV
exports and the signed PDF show of each row. Pure functions of a ``Scorecard``; no queries.

Every indicator shows its trend as an arrow (▲ improved, ▼ worse, ► no change, – not
comparable) with the word beside it for screen readers, its RAG status as a tag with the word,
and a small chart with the same figures as a table. The figures tables are built here with
``html.escape`` rather than in the template: a scorecard of 200 indicators with five years of
monthly readings has 12,000 of them, and a template loop would cost more than the page's
time budget.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from documents.publishing.charts import fmt
from governance.consultation.exports import write_csv

from .scorecard import Reading, Row, Scorecard
from .sparkline import sparkline
from .trends import Rag, Trend

TREND_GLYPHS = {
    Trend.IMPROVED: "▲",
    Trend.WORSE: "▼",
    Trend.NO_CHANGE: "►",
    Trend.NOT_COMPARABLE: "–",
}
TREND_WORDS = {
    Trend.IMPROVED: "improved",
    Trend.WORSE: "worse",
    Trend.NO_CHANGE: "no change",
    Trend.NOT_COMPARABLE: "not comparable",
}
RAG_TAGS = {
    Rag.GREEN: "govuk-tag--green",
    Rag.AMBER: "govuk-tag--orange",
    Rag.RED: "govuk-tag--red",
    Rag.NO_TARGET: "govuk-tag--grey",
    Rag.NO_DATA: "govuk-tag--grey",
}
# For the PDF (no GOV.UK stylesheet there): the tag's colours, text on fill.
RAG_COLOURS = {
    Rag.GREEN: ("#005a30", "#cce2d8"),
    Rag.AMBER: ("#6e3619", "#fcd6c3"),
    Rag.RED: ("#2a0b06", "#f4cdc6"),
    Rag.NO_TARGET: ("#282d30", "#e5e6e7"),
    Rag.NO_DATA: ("#282d30", "#e5e6e7"),
}


@dataclass(frozen=True)
class ShownRow:
    row: Row
    latest_text: str
    latest_period: str
    previous_text: str
    previous_period: str
    baseline_text: str
    target_text: str
    better: str
    trend_glyph: str
    trend_word: str
    baseline_glyph: str
    baseline_word: str
    rag_label: str
    rag_class: str
    rag_text_colour: str
    rag_fill: str
    chart: SafeString
    figures: SafeString

    def __getattr__(self, name: str) -> Any:  # the row's own fields: key, title, unit...
        return getattr(self.__dict__["row"], name)


def _value(reading: Reading | None, unit: str) -> str:
    return fmt(reading.value, unit, blank="No reading") if reading else "No reading"


def figures_table(row: Row, *, caption: str = "") -> SafeString:
    """The chart's figures as a table: one row per reading, oldest first."""
    unit = escape(row.unit)
    title = escape(caption or f"Readings of {row.title}")
    head = (
        f'<table class="govuk-table govuk-!-font-size-16"><caption class="govuk-table__caption '
        f'govuk-table__caption--s">{title}</caption><thead class="govuk-table__head"><tr '
        'class="govuk-table__row"><th scope="col" class="govuk-table__header">Period</th>'
        f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">Value'
        f'{(" (" + unit + ")") if unit else ""}</th></tr></thead><tbody class="govuk-table__body">'
    )
    body = "".join(
        f'<tr><th scope="row" class="govuk-table__header">'
        f'{escape(p.period_label)}</th><td class="govuk-table__cell '
        f'govuk-table__cell--numeric">{escape(fmt(p.value, ""))}</td></tr>'
        for p in row.series
    ) or ('<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="2">'
          'No readings yet.</td></tr>')
    target = (
        f'<tr><th scope="row" class="govuk-table__header">Target</th>'
        f'<td class="govuk-table__cell govuk-table__cell--numeric">'
        f'{escape(fmt(row.target, ""))}</td></tr>' if row.target is not None else ""
    )
    return mark_safe(head + body + target + "</tbody></table>")  # noqa: S308 - all escaped


def shown(row: Row, *, chart_prefix: str = "chart") -> ShownRow:
    rag_value = Rag(row.rag)
    text_colour, fill = RAG_COLOURS[rag_value]
    return ShownRow(
        row=row,
        latest_text=_value(row.latest, row.unit),
        latest_period=row.latest.period_label if row.latest else "",
        previous_text=_value(row.previous, row.unit),
        previous_period=row.previous.period_label if row.previous else "",
        baseline_text=fmt(row.baseline, row.unit, blank="–"),
        target_text=fmt(row.target, row.unit, blank="No target"),
        better="Lower is better" if row.direction_of_good == "lower" else "Higher is better",
        trend_glyph=TREND_GLYPHS[Trend(row.trend)],
        trend_word=TREND_WORDS[Trend(row.trend)],
        baseline_glyph=TREND_GLYPHS[Trend(row.trend_vs_baseline)],
        baseline_word=TREND_WORDS[Trend(row.trend_vs_baseline)],
        rag_label=rag_value.label,
        rag_class=RAG_TAGS[rag_value],
        rag_text_colour=text_colour,
        rag_fill=fill,
        chart=sparkline(row.title, row.series, unit=row.unit, target=row.target,
                        chart_id=f"{chart_prefix}-{row.key}"),
        figures=figures_table(row),
    )


def shown_rows(rows: tuple[Row, ...] | list[Row], *, chart_prefix: str = "chart"
               ) -> list[ShownRow]:
    return [shown(row, chart_prefix=chart_prefix) for row in rows]


def filter_rows(scorecard: Scorecard, *, outcome: str = "", rag: str = "") -> list[Row]:
    """The rows of an unfiltered scorecard that match (the filters' values already checked)."""
    return [r for r in scorecard.rows
            if (not outcome or r.outcome_key == outcome) and (not rag or r.rag == rag)]


# CSV.

INDICATOR_HEADER = [
    "Indicator key", "Indicator", "Outcome", "Unit", "Direction of good", "Baseline",
    "Baseline period", "Target", "Latest period", "Latest period end", "Latest value",
    "Previous period", "Previous value", "Trend since previous reading",
    "Trend against baseline", "RAG",
]


def indicator_csv(rows: list[Row]) -> str:
    """One line per indicator: its latest reading, trend and RAG. Every cell through
    safe_cell (titles and labels come from people)."""
    out = io.StringIO()
    write_csv(out, INDICATOR_HEADER, (
        [
            r.key, r.title, r.outcome_title, r.unit, r.direction_of_good, r.baseline,
            r.baseline_period, r.target,
            r.latest.period_label if r.latest else None,
            r.latest.period_end if r.latest else None,
            r.latest.value if r.latest else None,
            r.previous.period_label if r.previous else None,
            r.previous.value if r.previous else None,
            Trend(r.trend).label, Trend(r.trend_vs_baseline).label, Rag(r.rag).label,
        ]
        for r in rows
    ))
    return out.getvalue()


READINGS_HEADER = [
    "Indicator key", "Indicator", "Outcome", "Unit", "Period", "Period start", "Period end",
    "Value", "Measured on",
]


def readings_csv(rows: list[Row], readings: dict[str, list[Reading]]) -> str:
    """One line per current reading of each indicator, oldest first."""
    out = io.StringIO()
    write_csv(out, READINGS_HEADER, (
        [r.key, r.title, r.outcome_title, r.unit, reading.period_label, reading.period_start,
         reading.period_end, reading.value, reading.measured_on]
        for r in rows for reading in readings.get(r.key, [])
    ))
    return out.getvalue()
