"""The approved review as a signed PDF: the same publishing path as the plan (a SignedDocument
rendered and signed by the worker, build_html dispatching on its kind), with the review's own
sign-off page.

Publication: when the review's document is signed (services._finish), ``review_signed`` is
sent inside that transaction. documents never imports workflows (the layer rule), so the
review's lifecycle, which alone moves a review's stage, listens to it
(workflows.reviews.publication) and fires ``publish`` (approved → published) in the same
transaction: the document is DONE if and only if the review is PUBLISHED, and the single
"document.sign" audit event records both (the receiver's answer is merged into it)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.dispatch import Signal

from documents.models import (
    DocumentKind,
    FeedbackPoint,
    PlanVersion,
    Review,
    ReviewStage,
    SignedDocument,
)
from documents.monitoring.trends import RAG_LABELS, TREND_LABELS
from governance.models import CallInRequest, Decision, DecisionOutcome, latest_per_body

# Sent by services._finish, inside its transaction, when a REVIEW document is signed:
# ``document`` is the SignedDocument. Receivers answer a dict merged into the audit event.
review_signed = Signal()


def review_key(review: Review) -> str:
    return f"review/{review.pk}"


def review_title(review: Review) -> str:
    """The review's title, naming its plan (once: titles like "Annual review 2017 of the
    Children and Young People's Plan" already do)."""
    if review.plan.title.lower() in review.title.lower():
        return review.title
    return f"{review.title}: {review.plan.title}"


def review_content(review: Review) -> dict[str, Any]:
    """What the review says, as plain data: what its content hash covers."""
    points = FeedbackPoint.objects.filter(feedback__review=review).order_by(
        "feedback__meeting_on", "feedback_id", "number")
    submission = getattr(review, "external_submission", None)
    return {
        "review": review.pk,
        "kind": review.kind,
        "year": review.year,
        "title": review.title,
        "plan": review.plan_id,
        "version": review.version.number,
        "covers": [review.covers_from.isoformat(), review.covers_to.isoformat()],
        "strengths": review.strengths,
        "areas_for_development": review.areas_for_development,
        "next_year_priorities": review.next_year_priorities,
        "consultation_heard": review.consultation_heard,
        "trends": review.trends,
        "progress_reports": [
            [r.outcome_key, r.priority_key, r.text]
            for r in review.progress_reports.order_by("outcome_key", "priority_key")
        ],
        "feedback": [[p.number, p.text, p.response] for p in points],
        "feedback_incorporated_note": review.feedback_incorporated_note,
        "external_submission": None if submission is None else [
            submission.recipient, submission.deadline.isoformat(),
            submission.submitted_on.isoformat() if submission.submitted_on else None,
            submission.what_was_sent,
        ],
    }


def review_content_hash(review: Review) -> str:
    canonical = json.dumps(review_content(review), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish_review(review: Review) -> SignedDocument:
    """Ask for the approved review's signed PDF, rendered by the worker once this transaction
    commits (call it inside the approval's transaction, with the review locked). Asking again
    returns the same document; after a failure it is tried once more."""
    from .services import _get_or_create

    review = Review.objects.select_related("plan", "version").get(pk=review.pk)
    if review.stage not in (ReviewStage.APPROVED, ReviewStage.PUBLISHED):
        raise ValueError(f"Only an approved review is published; review {review.pk} is "
                         f"{review.stage}.")
    document, _ = _get_or_create(plan=review.plan, version=review.version,
                                 kind=DocumentKind.REVIEW, actor=None, review=review)
    return document


# What the PDF says.


def _paragraphs(value: str) -> list[str]:
    return [p.strip() for p in (value or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


def _label(labels: dict[Any, str], value: Any) -> str:
    text = str(value or "")
    return labels.get(text, text.replace("_", " ").capitalize()) if text else "–"


def trend_rows(trends: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The review's fixed indicator trends as table rows, and the summary sentence. The
    snapshot is the scorecard as plain data (documents.monitoring.scorecard.scorecard_as_data):
    ``indicators``, each with title, outcome (key and title), unit, latest reading, trend and
    RAG; ``summary`` holding the ``sentence``. Anything missing shows as "–"."""
    rows = []
    for item in trends.get("indicators") or []:
        if not isinstance(item, dict):
            continue
        latest = item.get("latest")
        value, period = (latest.get("value"), latest.get("period_label", "")) if isinstance(
            latest, dict) else (latest, "")
        outcome = item.get("outcome")
        rag = str(item.get("rag") or "")
        rows.append({
            "title": item.get("title") or item.get("key", ""),
            "outcome": (outcome.get("title") or outcome.get("key", "")) if isinstance(
                outcome, dict) else str(outcome or ""),
            "value": "–" if value in (None, "") else f"{value}{item.get('unit', '')}",
            "period": period or "",
            "trend": _label(TREND_LABELS, item.get("trend")),
            "rag": _label(RAG_LABELS, rag),
            "rag_class": rag,
        })
    summary = trends.get("summary") or ""
    if isinstance(summary, dict):
        summary = summary.get("sentence", "")
    return rows, str(summary)


def signoff(review: Review) -> dict[str, Any]:
    """The approving decisions on the review: the owning board's and the executive's latest,
    with every call-in of the executive's."""
    decisions = list(Decision.objects.filter(review=review)
                     .select_related("body", "meeting").order_by("pk"))
    latest = latest_per_body(decisions)
    plan = review.plan
    board = latest.get(plan.owning_body_id)
    executive = latest.get(plan.executive_body_id) if plan.executive_body_id else None
    call_ins = list(CallInRequest.objects.filter(decision__review=review)
                    .select_related("decision", "outcome").order_by("number"))
    return {
        "board_decision": board,
        "executive_decision": executive,
        "signoff_decisions": [d for d in (board, executive) if d is not None],
        "all_decisions": decisions,
        "call_ins": call_ins,
        "approving_outcomes": DecisionOutcome.approving(),
    }


def review_context(review: Review, version: PlanVersion) -> dict[str, Any]:
    review = Review.objects.select_related("plan", "plan__owning_body",
                                           "plan__executive_body").get(pk=review.pk)
    trends, summary = trend_rows(review.trends or {})
    outcome_titles = {o["key"]: o["title"] for o in version.content.get("outcomes", [])}
    feedback = list(review.feedback.select_related("body").prefetch_related("points")
                    .order_by("meeting_on", "pk"))
    reports = list(review.progress_reports.select_related("lead").order_by(
        "outcome_key", "priority_key"))
    by_outcome: list[dict[str, Any]] = []
    for report in reports:
        title = outcome_titles.get(report.outcome_key, report.outcome_key)
        if not by_outcome or by_outcome[-1]["key"] != report.outcome_key:
            by_outcome.append({"key": report.outcome_key, "title": title, "reports": []})
        by_outcome[-1]["reports"].append({"report": report,
                                          "paragraphs": _paragraphs(report.text)})
    submission = getattr(review, "external_submission", None)
    contents = [
        ("summary", "Summary"),
        ("strengths", "Strengths and achievements"),
        ("development", "Areas for development"),
        ("priorities", "Priorities for next year"),
        ("trends", "Indicator trends"),
        ("consultation", "What consultation told us"),
        ("progress", "Progress by priority"),
        *([("scrutiny", "Scrutiny feedback and our responses")] if feedback else []),
        *([("external", "External submission")] if submission else []),
        ("signoff", "Sign-off"),
    ]
    return {
        "review": review,
        "strengths": _paragraphs(review.strengths),
        "development": _paragraphs(review.areas_for_development),
        "priorities": _paragraphs(review.next_year_priorities),
        "consultation_heard": _paragraphs(review.consultation_heard),
        "trends": trends,
        "trends_summary": summary,
        "progress_groups": by_outcome,
        "feedback": feedback,
        "incorporated_note": _paragraphs(review.feedback_incorporated_note),
        "submission": submission,
        "contents": contents,
        **signoff(review),
    }
