"""The scorecard as a signed PDF: the summary, then every indicator of the adopted version by
outcome with its latest reading, trend, RAG and a small chart, then every reading in words.

A scorecard PDF is of the readings as they stood when it was asked for: its record key ends
in a digest of the adopted version's content hash, the RAG thresholds and every current
reading (``plan/<id>/scorecard/<digest>``), so asking again before a reading changes returns
the same document (and, once signed, the same bytes), and asking after a change makes a new
one. The worker checks the digest again before rendering; if the readings changed in
between, the render is refused with the reason, and asking again makes the new one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from documents.models import IndicatorReading, Plan, PlanVersion, RagThresholds, SignedDocument
from documents.publishing.charts import fmt

from .scorecard import Scorecard, scorecard_build
from .scorecard_display import shown_rows
from .trends import RAG_LABELS, TREND_LABELS, Rag, Trend


def readings_digest(plan_id: int, version: PlanVersion) -> str:
    """16 hex digits that change whenever anything the scorecard shows could change: the
    adopted version, the thresholds, any current reading (a correction supersedes one)."""
    digest = hashlib.sha256(f"{plan_id}:{version.pk}:{version.content_hash}".encode())
    digest.update(repr(list(
        RagThresholds.objects.filter(plan_id=plan_id)
        .values_list("green_within_percent", "amber_within_percent")
    )).encode())
    for row in (IndicatorReading.objects.filter(plan_id=plan_id, superseded_by__isnull=True)
                .order_by("id").values_list("id", "indicator_key", "value", "period_label",
                                            "period_start", "period_end", "measured_on")
                .iterator(chunk_size=2000)):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def record_key(plan_id: int, version: PlanVersion) -> str:
    return f"plan/{plan_id}/scorecard/{readings_digest(plan_id, version)}"


def _groups(scorecard: Scorecard) -> list[dict[str, Any]]:
    rows = shown_rows(scorecard.rows, chart_prefix="pdf")
    return [
        {"key": key, "title": title, "rows": [r for r in rows if r.outcome_key == key]}
        for key, title in scorecard.outcomes
        if any(r.outcome_key == key for r in rows)
    ]


def readings_in_words(scorecard: Scorecard) -> list[dict[str, str]]:
    """Every reading of every indicator as one line of text per indicator."""
    return [
        {"key": row.key, "title": row.title, "unit": row.unit,
         "readings": "; ".join(f"{p.period_label}: {fmt(p.value, '')}" for p in row.series)
         or "No readings yet."}
        for row in scorecard.rows
    ]


def scorecard_document(document: SignedDocument, refused: type[Exception]
                       ) -> tuple[dict[str, Any], str, str]:
    """The PDF's context, title and template; ``refused`` (services.RenderRefused) when the
    plan's readings or adopted version changed after the document was asked for."""
    plan: Plan = document.plan
    if plan.adopted_version_id != document.version_id:
        raise refused("The plan's adopted version changed after this scorecard was asked for; "
                      "ask for the scorecard PDF again.")
    if record_key(plan.pk, document.version) != document.key:
        raise refused("Readings changed after this scorecard was asked for; ask for the "
                      "scorecard PDF again to have one of the readings as they are now.")
    scorecard = scorecard_build(plan)
    latest_end = max((r.latest.period_end for r in scorecard.rows if r.latest), default=None)
    rag_counts = Counter(Rag(r.rag) for r in scorecard.rows)
    title = f"Scorecard: {plan.title} {plan.period_start:%Y}–{plan.period_end:%Y}"
    return {
        "scorecard": scorecard,
        "summary": scorecard.summary,
        "groups": _groups(scorecard),
        "in_words": readings_in_words(scorecard),
        "latest_end": latest_end,
        "rag_counts": [(RAG_LABELS[r], rag_counts[r]) for r in Rag],
        "trend_labels": TREND_LABELS,
        "trend_key": [(g, TREND_LABELS[t].lower()) for t, g in (
            (Trend.IMPROVED, "▲"), (Trend.WORSE, "▼"), (Trend.NO_CHANGE, "►"),
            (Trend.NOT_COMPARABLE, "–"))],
        "thresholds": scorecard.thresholds,
    }, title, "documents/scorecard_pdf.html"
