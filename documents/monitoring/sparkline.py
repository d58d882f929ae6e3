"""One indicator's readings over time as a small inline SVG line chart, for the scorecard page
and its signed PDF.

A pure function of the figures: the same readings always give the same markup (the PDF's
bytes depend on it). The chart is an ``<svg role="img">`` labelled by its own ``<title>`` (the
indicator) and ``<desc>`` (the figures in words), drawn with presentation attributes only (no
``style``: CSP), and every page that shows one also shows the same figures as a table. The
target, when the plan gives one, is a dashed line. Values are escaped by format_html.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from documents.publishing.charts import fmt

WIDTH = 240
HEIGHT = 64
LEFT = 36  # room for the value labels
RIGHT = 6
TOP = 6
BOTTOM = 14  # room for the first and last period labels
LINE = "#1d70b8"
TARGET = "#00703c"
AXIS = "#505a5f"


@dataclass(frozen=True)
class Point:
    label: str
    value: float


def _points(series: Sequence[object]) -> list[Point]:
    """Accepts (label, period_end, value) tuples, (label, value) pairs or Points."""
    points = []
    for item in series:
        if isinstance(item, Point):
            points.append(item)
        elif isinstance(item, tuple | list) and len(item) == 3:
            points.append(Point(str(item[0]), float(item[2])))  # type: ignore[arg-type]
        elif isinstance(item, tuple | list) and len(item) == 2:
            points.append(Point(str(item[0]), float(item[1])))  # type: ignore[arg-type]
        else:
            label = getattr(item, "period_label", "")
            points.append(Point(str(label), float(getattr(item, "value"))))  # noqa: B009
    return points


def describe_series(title: str, series: Sequence[object], *, unit: str = "",
                    target: float | None = None) -> str:
    """The chart in words: how many readings, first, latest, lowest and highest, target."""
    points = _points(series)
    if not points:
        return f"{title}: no readings yet."
    low = min(points, key=lambda p: p.value)
    high = max(points, key=lambda p: p.value)
    words = (
        f"{title}: {len(points)} reading{'s' if len(points) != 1 else ''} from "
        f"{points[0].label} ({fmt(points[0].value, unit)}) to {points[-1].label} "
        f"({fmt(points[-1].value, unit)}); lowest {fmt(low.value, unit)} ({low.label}), "
        f"highest {fmt(high.value, unit)} ({high.label})"
    )
    if target is not None:
        words += f"; target {fmt(target, unit)}"
    return words + "."


def _axis(value: float, unit: str) -> str:
    """An axis label: the number, with the unit only when it is a percentage (the figures
    table names the unit)."""
    return fmt(value, "%" if unit == "%" else "")


def _number(value: float) -> str:
    return f"{value:.1f}"


def sparkline(title: str, series: Sequence[object], *, unit: str = "",
              target: float | None = None, chart_id: str = "chart") -> SafeString:
    """A line over the readings in the order given (oldest first), scaled to the readings and
    the target together, with the lowest and highest values labelled on the left and the
    first and last periods below. ``chart_id`` makes the title and desc ids unique on a page
    (e.g. the indicator's key)."""
    points = _points(series)
    values = [p.value for p in points] + ([target] if target is not None else [])
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    # Plain f-strings (the page draws 200 of these): numbers are formatted here, and every
    # text is escaped.
    parts: list[str] = [
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'stroke="{AXIS}" stroke-width="0.5"/>',
        f'<text x="{LEFT - 3}" y="{TOP + 6}" font-size="8" text-anchor="end" fill="{AXIS}">'
        f'{escape(_axis(high, unit))}</text>',
        f'<text x="{LEFT - 3}" y="{TOP + plot_h}" font-size="8" text-anchor="end" '
        f'fill="{AXIS}">{escape(_axis(low, unit))}</text>',
    ]
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" y1="{_number(y(target))}" x2="{WIDTH - RIGHT}" '
            f'y2="{_number(y(target))}" stroke="{TARGET}" stroke-width="1" '
            'stroke-dasharray="3 2"/>')
    if points:
        coordinates = " ".join(f"{_number(x(i))},{_number(y(p.value))}"
                               for i, p in enumerate(points))
        parts.append(f'<polyline points="{coordinates}" fill="none" stroke="{LINE}" '
                     'stroke-width="1.5" stroke-linejoin="round"/>')
        parts.append(f'<circle cx="{_number(x(len(points) - 1))}" '
                     f'cy="{_number(y(points[-1].value))}" r="2.5" fill="{LINE}"/>')
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 2}" font-size="8" fill="{AXIS}">'
                     f'{escape(points[0].label)}</text>')
        if len(points) > 1:
            parts.append(
                f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 2}" font-size="8" text-anchor="end" '
                f'fill="{AXIS}">{escape(points[-1].label)}</text>')
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" font-family="Arial, DejaVu Sans, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id, w=WIDTH, h=HEIGHT, title=f"Chart of {title} over time",
        desc=describe_series(title, points, unit=unit, target=target),
        body=mark_safe("".join(parts)),  # noqa: S308 - every text escaped above
    )

