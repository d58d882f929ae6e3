"""The Celery app. Beat scans the database for due work; nothing relies on long ETAs."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plangov.settings.base")

app = Celery("plangov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["governance.consultation"])


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("workflows.tasks.scan_call_in_periods"),
        name="fire due workflow timers (call-in periods)",
    )
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("workflows.tasks.scan_deadlines"),
        name="send reminders and escalations of task deadlines",
    )
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("workflows.tasks.scan_successor_prompts"),
        name="prompt lead officers to start the successor of a plan whose period is ending",
    )
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("workflows.tasks.scan_consultation_rounds"),
        name="open and close consultation rounds at their times",
    )
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("workflows.tasks.scan_review_dates"),
        name="start the annual review of plans whose review date has come",
    )
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("documents.tasks.scan_documents"),
        name="render signed documents waiting for a worker",
    )
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("governance.tasks.scan_consultation_retention"),
        name="anonymise consultation responses whose retention has ended",
    )
    # The worker heartbeat that /healthz and the document page read (plangov.heartbeat).
    sender.add_periodic_task(
        float(settings.PLANGOV_HEARTBEAT_SECONDS),
        sender.signature("plangov.tasks.heartbeat"),
        name="worker heartbeat",
    )
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("governance.consultation.tasks.scan_imports"),
        name="import offline consultation responses waiting for a worker",
    )
    # Leavers (issue 13, oidc): release their claimed tasks, revoke their API tokens.
    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SCAN_SECONDS),
        sender.signature("workflows.tasks.scan_leavers"),
        name="release the tasks and revoke the tokens of people who have left",
    )


@worker_ready.connect
def _first_heartbeat(**_: object) -> None:
    """A worker that has just started is running: say so at once, not a beat period later."""
    from plangov import heartbeat

    try:
        heartbeat.record()
    except Exception:  # noqa: BLE001 - the cache down must not stop the worker starting
        heartbeat.logger.warning("Could not record the worker heartbeat.", exc_info=True)
