"""The scorecard table's rows, rendered once per state of a plan's readings and cached.

Building a scorecard of 200 indicators with five years of monthly readings reads 12,000
readings and draws 200 charts with 12,000 figures; doing that on every view would cost several
hundred milliseconds. Readings change rarely (a reading is added, or a correction supersedes
one: both add a row), so the rendered rows are kept in the cache under a key naming
everything they are drawn from:

- the adopted version (its content never changes),
- the count, the highest id and the sum of the values of the plan's readings (any new
  reading or correction changes the first two; an edit in place, in the admin, the third),
- the RAG thresholds,
- ``LAYOUT``, bumped whenever the row markup changes.

Two small queries find the key, whatever the number of indicators; a miss builds the
scorecard (three queries) and renders the rows. Entries expire after ``TIMEOUT`` seconds, a
bound on anything the key cannot see (a label edited in the admin).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from documents.models import IndicatorReading, Plan, RagThresholds

from .scorecard import scorecard_build
from .scorecard_display import shown_rows
from .trends import Summary, Trend, summarise

LAYOUT = 1
TIMEOUT = 600


@dataclass(frozen=True)
class CachedRow:
    key: str
    outcome_key: str
    rag: str
    trend: str
    html: bytes  # UTF-8


@dataclass(frozen=True)
class ScorecardView:
    version_number: int
    outcomes: tuple[tuple[str, str], ...]
    rows: tuple[CachedRow, ...]

    def pick(self, *, outcome: str = "", rag: str = "") -> list[CachedRow]:
        return [r for r in self.rows
                if (not outcome or r.outcome_key == outcome) and (not rag or r.rag == rag)]

    @property
    def summary(self) -> Summary:
        return summarise(Trend(r.trend) for r in self.rows)

    @staticmethod
    def html(rows: list[CachedRow]) -> bytes:
        return b"".join(r.html for r in rows)


# Where the rows go in the rendered page. The rows (2.5 MB of markup for 200 indicators with
# five years of monthly readings) are put in the page's bytes once, after the template has
# rendered, rather than passed through every level of the template and encoded again.
ROWS_MARKER = mark_safe("<!-- plangov:scorecard-rows -->")  # noqa: S308 - a constant


def put_rows(content: bytes, rows: bytes) -> bytes:
    return content.replace(ROWS_MARKER.encode(), rows, 1)


def state_key(plan: Plan) -> str:
    readings = IndicatorReading.objects.filter(plan_id=plan.pk).aggregate(
        n=Count("id"), last=Max("id"), total=Sum("value"))
    thresholds = list(RagThresholds.objects.filter(plan_id=plan.pk).values_list(
        "green_within_percent", "amber_within_percent"))
    state = repr((LAYOUT, plan.adopted_version_id, readings["n"], readings["last"],
                  readings["total"], thresholds))
    return f"scorecard:{plan.pk}:{hashlib.sha256(state.encode()).hexdigest()[:32]}"


def render_view(plan: Plan) -> ScorecardView:
    scorecard = scorecard_build(plan)
    template = get_template("documents/_scorecard_row.html")
    return ScorecardView(
        version_number=scorecard.version_number,
        outcomes=scorecard.outcomes,
        rows=tuple(
            CachedRow(key=r.key, outcome_key=r.outcome_key, rag=str(r.rag),
                      trend=str(r.trend), html=template.render({"r": r}).encode())
            for r in shown_rows(scorecard.rows)
        ),
    )


def scorecard_view(plan: Plan) -> ScorecardView:
    """The plan's scorecard rows, from the cache when the readings are as they were."""
    key = state_key(plan)
    packed = cache.get(key)
    if packed is not None:
        return pickle.loads(packed)  # noqa: S301 - our own cache entry
    view = render_view(plan)
    cache.set(key, pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL), TIMEOUT)
    return view
