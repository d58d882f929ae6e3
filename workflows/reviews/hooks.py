"""What follows a review's approval, called from ONE place.

``on_review_approved(review)`` runs inside the transaction of whichever service moved the
review to the approved stage (a six-month review approved by the board, an annual review
approved by the executive with no call-in, a call-in ending in no further action, or the
call-in period running out: workflows.reviews.decisions and workflows.reviews.callin), with
the plan and the review locked (lock_review), after the lifecycle moved and the review was
saved.

It asks for the approved review's signed PDF (documents.publishing.review.publish_review, the
same publishing path as the plan's), rendered by the worker once the approval commits. When
it is signed, the review is published (workflows.reviews.publication fires the lifecycle's
``publish``, approved → published, in the signing's transaction).
"""

from __future__ import annotations

from documents.models import Review
from documents.publishing.review import publish_review


def on_review_approved(review: Review) -> None:
    """The review has just been approved: publish it (see the module docstring)."""
    publish_review(review)
