"""What follows a review's approval, called from ONE place.

``on_review_approved(review)`` runs inside the transaction of whichever service moved the
review to the approved stage (a six-month review approved by the board, an annual review
approved by the executive with no call-in, a call-in ending in no further action, or the
call-in period running out: workflows.reviews.decisions and workflows.reviews.callin), with
the plan and the review locked (lock_review), after the lifecycle moved and the review was
saved.

It is where the approved review gets published as a signed PDF (``documents.publishing``'s
``publish_review(review)``, the same publishing path as the plan's), which then fires the
review's ``publish`` transition. Until that lands it does nothing.
"""

from __future__ import annotations

from documents.models import Review


def on_review_approved(review: Review) -> None:
    """The review has just been approved: publish it (see the module docstring)."""
    return None
