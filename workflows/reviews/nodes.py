"""The review process's human task: one node for every kind of review task.

ReviewTask is a viewflow View node with no HTML view (plangov serves its own pages). Its
seed is what the task is about: a ProgressReport (a priority lead's report) or a Body (the
body whose feedback or decision is awaited); lead officer's tasks have no seed and are
assigned to the lead officer. Each task gets a TaskInfo naming the review.
"""

from __future__ import annotations

import datetime
from typing import Any

from viewflow import this
from viewflow.utils import is_owner
from viewflow.workflow import nodes

from documents.models import ProgressReport
from governance import policy
from governance.models import Body

from ..models import TaskKind
from ..nodes import RequeueActivation
from . import routing


class ReviewTaskActivation(RequeueActivation):
    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None,
               seed: Any = None) -> Any:
        if seed is None and flow_task._body is not None:
            seed = flow_task._body(prev_activation)
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        due_on = seed.due_on if isinstance(seed, ProgressReport) else None
        if (data or {}).get("due_on"):  # a deferred decision, re-queued (RequeueActivation)
            due_on = datetime.date.fromisoformat(data["due_on"])
        routing.review_task_info_create(
            task=activation.task, kind=flow_task.kind,
            body=seed if isinstance(seed, Body) else None, due_on=due_on,
        )
        return activation


class ReviewTask(nodes.View):
    activation_class = ReviewTaskActivation

    def __init__(self, kind: str, body: Any = None, **kwargs: Any) -> None:
        super().__init__(view=None, **kwargs)
        self.kind = kind
        self._body = body

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._body = this.resolve(instance, self._body)

    def can_assign(self, user: Any, task: Any) -> bool:
        return task.owner_id is None and bool(routing.may_work(task, user))

    def can_execute(self, user: Any, task: Any) -> bool:
        return is_owner(task.owner, user) or (
            self.kind in routing.LEAD_KINDS and bool(policy.can_lead(task.info.plan, user))
        )


__all__ = ["ReviewTask", "TaskKind"]
