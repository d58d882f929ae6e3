"""SuccessorPromptFlow: the lead officer's task to start a plan's successor, started by the
beat scan (workflows.successor.successor_prompt_if_due) and completed by starting the
successor (workflows.successor.plan_start_successor). Bare viewflow nodes, as the approval
flow: plangov serves its own task pages."""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import nodes
from viewflow.workflow.base import Flow
from viewflow.workflow.lock import SelectForUpdateLock
from viewflow.workflow.nodes.view import ViewActivation

from documents.models import Plan
from governance import policy

from . import routing
from .models import PlanApprovalProcess, TaskKind


class LeadTaskActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None,
               seed: Any = None) -> Any:
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        due_on = (prev_activation.process.data or {}).get("due_on")
        routing.task_info_create(task=activation.task, kind=flow_task.kind, body=None,
                                 due_on=due_on)
        return activation


class LeadTask(nodes.View):
    """A human task of the plan's lead officer (or their deputy)."""

    activation_class = LeadTaskActivation

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(view=None, **kwargs)
        self.kind = kind

    def can_assign(self, user: Any, task: Any) -> bool:
        return task.owner_id is None and bool(policy.can_lead(task.info.plan, user))

    def can_execute(self, user: Any, task: Any) -> bool:
        return bool(policy.can_lead(task.info.plan, user))


class SuccessorPromptFlow(Flow):
    process_class = PlanApprovalProcess  # its artifact is the plan, as the approval flow's
    process_title = "Successor prompt"
    lock_impl = SelectForUpdateLock(nowait=False, attempts=1)

    start = nodes.StartHandle(this.start_process).Next(this.start_successor)

    start_successor = (
        LeadTask(TaskKind.START_SUCCESSOR)
        .Annotation(title="Start the successor plan")
        .Assign(this.lead_officer)
        .Next(this.end)
    )

    end = nodes.End()

    def start_process(self, activation: Any, plan: Plan, due_on: Any) -> Any:
        activation.process.artifact = plan
        activation.process.data = {"due_on": due_on.isoformat()}
        return activation.process

    def lead_officer(self, activation: Any) -> Any:
        return Plan.objects.get(pk=activation.process.artifact_object_id).lead_officer
