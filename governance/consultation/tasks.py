"""Celery tasks for consultation: thin, ids in, a service call, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .imports import services as imports


@shared_task(
    name="governance.consultation.tasks.import_responses",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def import_responses(import_id: int) -> str:
    """Validate and import one file; a redelivered message after a dead worker's lease has
    run out resumes it (see imports.services)."""
    return imports.import_run(import_id=import_id)


@shared_task(name="governance.consultation.tasks.scan_imports")
def scan_imports() -> int:
    """Beat: queue imports waiting for a worker, and imports whose worker died."""
    due = imports.imports_due()
    for import_id in due:
        import_responses.delay(import_id)
    imports.discard_stale_files()
    return len(due)
