"""Indicator charts as inline SVG, for the plan PDF.

Each chart is a figure with a <title> (WeasyPrint turns it into the figure's alternative text
in the PDF's structure tree) and is followed in the document by the same figures as a table,
so nothing is only in the picture. Every value is escaped by format_html.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW = 34  # height of one indicator's band, in SVG units
LABEL_WIDTH = 230
BAR_WIDTH = 200
VALUE_SPACE = 100  # room right of the longest bar for its value
COLOURS = {"baseline": "#b1b4b6", "latest": "#1d70b8", "target": "#00703c"}


def fmt(value: float | None, unit: str, *, blank: str = "not recorded") -> str:
    """12.0 and "%" → "12%"; 24.0 and "pupils" → "24 pupils"."""
    if value is None:
        return blank
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()


def describe(indicator: dict[str, Any]) -> str:
    unit = indicator.get("unit", "")
    better = "lower" if indicator["direction_of_good"] == "lower" else "higher"
    return (
        f"{indicator['title']}: baseline {fmt(indicator.get('baseline'), unit)}"
        f"{' (' + indicator['baseline_period'] + ')' if indicator.get('baseline_period') else ''}, "
        f"latest {fmt(indicator.get('latest'), unit)}"
        f"{' (' + indicator['latest_period'] + ')' if indicator.get('latest_period') else ''}, "
        f"target {fmt(indicator.get('target'), unit)}; {better} is better."
    )


def indicator_chart(title: str, indicators: list[dict[str, Any]]) -> SafeString:
    """One horizontal bar trio (baseline, latest, target) per indicator, each scaled to its
    own largest value: indicators have different units, so one shared axis would mislead."""
    height = ROW * len(indicators) + 24
    rows = []
    for index, ind in enumerate(indicators):
        top = index * ROW
        values = [ind.get(k) for k in ("baseline", "latest", "target")]
        peak = max((abs(v) for v in values if v is not None), default=0) or 1
        bars = []
        for offset, (name, value) in enumerate(zip(COLOURS, values, strict=True)):
            width = 0 if value is None else max(1.0, BAR_WIDTH * abs(value) / peak)
            y = top + 4 + offset * 9
            bars.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="8" fill="{}"/>'
                '<text x="{}" y="{}" font-size="7">{}</text>',
                LABEL_WIDTH, y, f"{width:.1f}", COLOURS[name],
                f"{LABEL_WIDTH + width + 3:.1f}", y + 7, fmt(value, ind.get("unit", "")),
            ))
        label = ind["title"] if len(ind["title"]) <= 48 else ind["title"][:46] + "…"
        rows.append(format_html(
            '<text x="0" y="{}" font-size="7.5">{}</text>{}',
            top + 16, label, format_html_join("", "{}", ((b,) for b in bars)),
        ))
    legend_y = height - 8
    legend = format_html_join("", (
        '<rect x="{}" y="{}" width="8" height="8" fill="{}"/>'
        '<text x="{}" y="{}" font-size="7">{}</text>'
    ), (
        (LABEL_WIDTH + i * 75, legend_y - 7, colour, LABEL_WIDTH + i * 75 + 11, legend_y, name)
        for i, (name, colour) in enumerate(COLOURS.items())
    ))
    alt = f"Chart of {title}. " + " ".join(describe(ind) for ind in indicators)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        'viewBox="0 0 {} {}" font-family="DejaVu Sans"><title>{}</title>{}{}</svg>',
        LABEL_WIDTH + BAR_WIDTH + VALUE_SPACE, height, alt,
        format_html_join("", "{}", ((r,) for r in rows)), legend,
    )
