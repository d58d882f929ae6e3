"""Celery tasks for signed documents: thin, ids in, a service call, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .publishing import services


@shared_task(
    name="documents.tasks.render_document",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    # The soft limit stops a render that runs away (a vast plan) and marks it failed; the
    # hard limit kills the child if even that does not happen. The lease is longer than
    # both, so a live render is never handed to a second worker.
    soft_time_limit=settings.PLANGOV_RENDER_SOFT_SECONDS,
    time_limit=settings.PLANGOV_RENDER_HARD_SECONDS,
)
def render_document(document_id: int) -> str:
    # A render past the soft limit is marked failed by the service, with the reason.
    return services.document_render(document_id=document_id)


@shared_task(name="documents.tasks.scan_documents")
def scan_documents() -> int:
    """Beat: queue documents waiting for a worker, and renders whose worker died."""
    due = services.documents_due()
    for document_id in due:
        render_document.delay(document_id)
    return len(due)
