"""A review is published when its signed PDF is done.

documents.publishing signs the PDF and, inside the same transaction, sends
``documents.publishing.review.review_signed``; documents may not import workflows, so the
review's lifecycle listens here (connected in WorkflowsConfig.ready) and fires ``publish``
(approved → published). The lifecycle stays the only writer of a review's stage, the
document is done if and only if the review is published, and what this answers is merged
into the one "document.sign" audit event."""

from __future__ import annotations

from typing import Any

from documents.models import ReviewStage, SignedDocument

from .lifecycle import ReviewLifecycle
from .routing import lock_review


def on_review_signed(sender: Any, *, document: SignedDocument, **_: Any) -> dict[str, Any]:
    if document.review_id is None:
        return {}
    review = lock_review(document.review_id)
    if review.stage != ReviewStage.APPROVED:
        # Already published (a second signing cannot happen: one document per review), or
        # no longer approved: the stage is left as it is, and the event says so.
        return {"review": review.pk, "review_stage": review.stage}
    ReviewLifecycle(review).fire("publish", None, enforce_permission=False)
    review.save(update_fields=["stage", "stage_changed_at", "published_at", "updated_at"])
    return {"review": review.pk, "review_stage": review.stage,
            "review_published_at": review.published_at}


def connect() -> None:
    from documents.publishing.review import review_signed

    review_signed.connect(on_review_signed, dispatch_uid="workflows.reviews.publication")
