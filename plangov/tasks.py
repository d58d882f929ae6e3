"""plangov's own Celery task: the worker heartbeat (plangov.heartbeat)."""

from __future__ import annotations

from celery import shared_task

from . import heartbeat as _heartbeat


@shared_task(name="plangov.tasks.heartbeat", ignore_result=True,
             # A heartbeat queued while no worker ran is stale news: drop it.
             expires=120)
def heartbeat() -> str:
    return _heartbeat.record().isoformat()
