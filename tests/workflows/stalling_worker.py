"""A real Celery worker (prefork, one child) whose child stalls once per notification, so a
test can kill it mid-send. Run by tests/workflows/test_deadline_worker.py as a subprocess:

    STALL_DIR=/tmp/x STALL_AT=after_claim QUEUE=q python -m tests.workflows.stalling_worker

(STALL_AT is before_claim or after_claim.)

The stall is patched in here, before the pool forks, so plangov's own code carries no test
hook. On stalling, the child writes its pid to STALL_DIR/<notification id> and sleeps; the
file's presence means a redelivered message runs straight through."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plangov.settings.base")
django.setup()

from plangov.celery import app  # noqa: E402
from workflows import deadlines  # noqa: E402

STALL_DIR = Path(os.environ["STALL_DIR"])
STALL_AT = os.environ["STALL_AT"]
original_claim = deadlines._claim


def stall(notification_id: int) -> None:
    marker = STALL_DIR / str(notification_id)
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(300)  # killed long before this ends


def claim(notification_id: int) -> Any:
    if STALL_AT == "before_claim":
        stall(notification_id)
    claimed = original_claim(notification_id)
    if STALL_AT == "after_claim" and claimed is not None:
        stall(notification_id)
    return claimed


deadlines._claim = claim

if __name__ == "__main__":
    app.worker_main([
        "worker", "--pool=prefork", "--concurrency=1", "-Q", os.environ["QUEUE"],
        "--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip",
    ])
