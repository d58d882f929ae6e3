"""Queue a task once the transaction commits, without ever failing the request for it.

Every piece of queued work is first a row in the database (a signed document PENDING, a
notification PENDING, a response import waiting), and a beat scan re-queues the rows still
waiting (documents_due(), deadlines_scan(), imports_due()). So publishing the task is only a
nudge: when the broker (Redis) is down the request has already committed its row, and the
page must still answer. The publish error is logged, the row stays pending, and the next
scan after the broker is back queues it (issue 13: "Redis or the worker down: pages still
serve; nothing queued is lost")."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """``task.delay(*args)`` after the current transaction commits; a broker that cannot be
    reached is logged, not raised (the beat scan re-queues the pending row)."""

    def publish() -> None:
        if task.app.conf.task_always_eager:
            task.delay(*args)  # runs here (tests, `manage.py serve --eager`): errors surface
            return
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - any publish failure: the row stays for the scan
            log.exception("Could not queue %s%r: the broker is unreachable; the work stays "
                          "pending and the beat scan will queue it.", task.name, args)

    transaction.on_commit(publish)
