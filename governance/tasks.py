"""Celery tasks of governance: thin, a service call, idempotent."""

from __future__ import annotations

from celery import shared_task

from governance.consultation.responses import anonymise_due_rounds


@shared_task(name="governance.tasks.scan_consultation_retention")
def scan_consultation_retention() -> int:
    """Beat: anonymise the responses of every round whose retention period has ended
    (closed_on + retention_months, by plangov's clock). A round done already is skipped, so
    a redelivered or overlapping scan changes nothing."""
    return anonymise_due_rounds()
