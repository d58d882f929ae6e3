"""What follows from a review's decisions, called by workflows.reviews' decision services
inside their transaction, with the plan and the review locked."""

from __future__ import annotations

from documents.models import Review
from documents.publishing.review import publish_review


def on_review_approved(review: Review) -> None:
    """The review is approved (by the board for a six-month review; by the executive, after
    any call-in, for an annual one): its signed PDF is asked for, rendered by the worker once
    the approval commits. When it is signed the review is published
    (workflows.reviews.publication)."""
    publish_review(review)
