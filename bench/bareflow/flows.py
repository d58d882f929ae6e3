"""Start, one human task, End: the least a viewflow approval can do. Built, as plangov's flows
are, on viewflow.workflow's bare nodes, with the same process lock (SELECT ... FOR UPDATE on
PostgreSQL), so the comparison is of the work around viewflow, not of the lock."""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import nodes
from viewflow.workflow.base import Flow
from viewflow.workflow.lock import SelectForUpdateLock

from .models import BareProcess


class BareFlow(Flow):
    process_class = BareProcess
    process_title = "Bare approval"
    lock_impl = SelectForUpdateLock(nowait=False, attempts=1)

    start = nodes.StartHandle(this.start_process).Next(this.approve)
    approve = nodes.View(view=None).Next(this.end)
    end = nodes.End()

    def start_process(self, activation: Any) -> Any:
        return activation.process
