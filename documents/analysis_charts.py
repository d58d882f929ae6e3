"""Bar charts of a consultation round as inline SVG: reach by audience, answers per question.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (the
figures in words), drawn with presentation attributes only (no ``style``), and every page
that shows one also shows the same figures as a table. Values are escaped by format_html."""

from __future__ import annotations

import itertools

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

LABEL_WIDTH = 240
BAR_WIDTH = 260
VALUE_SPACE = 70
ROW = 22
FILL = "#1d70b8"
_ids = itertools.count(1)


def bar_chart(title: str, rows: list[tuple[str, int]], *, unit: str = "") -> SafeString:
    """One horizontal bar per (label, value), on one scale."""
    peak = max((v for _, v in rows), default=0) or 1
    chart_id = f"chart-{next(_ids)}"
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * ROW
        width = BAR_WIDTH * value / peak
        short = label if len(label) <= 40 else label[:38] + "…"
        bars.append(format_html(
            '<text x="0" y="{}" font-size="12">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="14" fill="{}"/>'
            '<text x="{}" y="{}" font-size="12">{}</text>',
            y + 13, short, LABEL_WIDTH, y + 2, f"{width:.1f}", FILL,
            f"{LABEL_WIDTH + width + 4:.1f}", y + 13, f"{value:,}",
        ))
    words = "; ".join(f"{label}: {value:,}{(' ' + unit) if unit else ''}"
                      for label, value in rows) or "No figures yet."
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="plangov-chart" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'font-family="Arial, sans-serif"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{bars}</svg>',
        id=chart_id, w=LABEL_WIDTH + BAR_WIDTH + VALUE_SPACE, h=max(ROW * len(rows), ROW),
        title=title, desc=words, bars=format_html_join("", "{}", ((b,) for b in bars)),
    )
