"""The timetable's month-by-month timeline: the geometry of the SVG, drawn by
templates/workflows/timetable/_timeline.svg (which escapes every text). One row per
milestone; a column per month; planned dates as hollow diamonds, actual dates as filled
circles (red when late or overdue), a line from plan to actual, and a dashed line for today.
The CSS classes (pg-timeline-*) are in plangov's stylesheet."""

from __future__ import annotations

import calendar as month_calendar
import datetime
from dataclasses import dataclass

from .record import Status, Timetable, fmt
from .templates import add_months

LABEL_WIDTH = 230
MONTH_WIDTH = 48
ROW_HEIGHT = 30
HEADER = 46
MARKER = 7
MAX_LABEL = 30
# Today is drawn when it is within this many months of the timetable's dates.
TODAY_REACH = 6


@dataclass(frozen=True)
class Month:
    x: float
    label: str  # "Jan"
    year: str  # "2009" on January and the first column, else ""
    name: str  # "January 2009"


@dataclass(frozen=True)
class ChartRow:
    y: float
    label: str  # shortened to fit
    title: str  # in full
    planned_x: float
    planned_path: str
    planned_text: str
    actual_x: float | None
    actual_text: str
    late: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    months: list[Month]
    rows: list[ChartRow]
    today_x: float | None
    today_text: str
    first: str
    last: str

    @property
    def bottom(self) -> int:
        return self.height - 4


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _diamond(x: float, y: float) -> str:
    return (f"M{x:.1f},{y - MARKER:.1f} L{x + MARKER:.1f},{y:.1f} "
            f"L{x:.1f},{y + MARKER:.1f} L{x - MARKER:.1f},{y:.1f} Z")


def build(timetable: Timetable) -> Chart | None:
    """The chart of ``timetable``, or None when it has no milestones."""
    if not timetable.rows:
        return None
    dates = [r.milestone.target_on for r in timetable.rows]
    dates += [r.actual_on for r in timetable.rows if r.actual_on is not None]
    today = timetable.today
    start, end = _month_start(min(dates)), _month_start(max(dates))
    show_today = add_months(start, -TODAY_REACH) <= today <= add_months(end, TODAY_REACH + 1)
    if show_today:
        start, end = min(start, _month_start(today)), max(end, _month_start(today))
    months: list[datetime.date] = []
    month = start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    index = {m: i for i, m in enumerate(months)}

    def x_of(day: datetime.date) -> float:
        days = month_calendar.monthrange(day.year, day.month)[1]
        return LABEL_WIDTH + MONTH_WIDTH * (index[_month_start(day)] + (day.day - 0.5) / days)

    rows = []
    for row in timetable.rows:
        m = row.milestone
        y = HEADER + ROW_HEIGHT * row.index + ROW_HEIGHT / 2
        title = f"{row.index + 1}. {m.title}"
        label = title if len(title) <= MAX_LABEL else title[:MAX_LABEL - 1].rstrip() + "…"
        px = x_of(m.target_on)
        rows.append(ChartRow(
            y=y, label=label, title=title, planned_x=px, planned_path=_diamond(px, y),
            planned_text=f"{title}: planned for {fmt(m.target_on)} ({row.status_label.lower()})",
            actual_x=x_of(row.actual_on) if row.actual_on else None,
            actual_text=f"{title}: happened on {fmt(row.actual_on)}" if row.actual_on else "",
            late=row.status in (Status.LATE, Status.OVERDUE),
        ))
    return Chart(
        width=LABEL_WIDTH + MONTH_WIDTH * len(months) + 8,
        height=HEADER + ROW_HEIGHT * len(rows) + 8,
        months=[Month(x=LABEL_WIDTH + MONTH_WIDTH * i, label=f"{m:%b}",
                      year=str(m.year) if m.month == 1 or i == 0 else "",
                      name=f"{m:%B %Y}") for i, m in enumerate(months)],
        rows=rows,
        today_x=x_of(today) if show_today else None,
        today_text=f"Today, {fmt(today)}",
        first=f"{months[0]:%B %Y}", last=f"{months[-1]:%B %Y}",
    )
