"""Four small viewflow nodes plangov needs.

- BodySplit: one task per body. Open-source viewflow ignores Split(data_source=...), so this
  gateway creates the next node's task once per body, each on its own split token; the stock
  Join then waits for all of them.
- DecisionTask: a human task that belongs to one body (its seed), offered to that body's
  secretaries and deputies, with a due date, and a ``requeue`` transition for deferrals.
- RedraftTask: the lead officer's task after a referral back, carrying the body's comments.
- Switch: viewflow's exclusive gateway without a savepoint of its own (its conditions only
  read the plan the step locked: there is nothing for a savepoint to undo).
- Join: viewflow's Join, reading its incoming tasks once a step rather than once for each
  of its checks, and keeping the process it was reached from.
"""

from __future__ import annotations

from typing import Any

from django.utils.timezone import now
from viewflow import this
from viewflow.utils import is_owner
from viewflow.workflow import nodes
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Node
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes import mixins
from viewflow.workflow.nodes.join import JoinActivation
from viewflow.workflow.nodes.switch import SwitchActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import task_finished
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from governance import policy

from . import routing
from .models import TaskKind


class BodySplitActivation(Activation):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.bodies: list[Any] = []
        super().__init__(*args, **kwargs)

    @Activation.status.super()
    def activate(self) -> None:
        self.bodies = list(self.flow_task._bodies(self))
        if not self.bodies:
            raise FlowRuntimeError("No body is left to decide on this plan.")

    @Activation.status.super()
    def create_next(self) -> Any:
        tokens = Token.split_token_source(self.task.token, self.task.pk)
        for body in self.bodies:
            yield self.flow_task._next._create(self, next(tokens), seed=body)


class BodySplit(mixins.NextNodeMixin, Node):
    task_type = "PARALLEL_GATEWAY"
    activation_class = BodySplitActivation
    bpmn_element = "parallelGateway"
    shape = nodes.Split.shape

    def __init__(self, bodies: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bodies = bodies

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._bodies = this.resolve(instance, self._bodies)


class RequeueActivation(ViewActivation):
    """A body's decision task, which a deferral re-queues (a plan's DecisionTask, a review's
    board and executive tasks)."""

    @Activation.status.transition(source=STATUS.ASSIGNED, target=STATUS.DONE)
    def requeue(self, due_on: Any) -> Any:
        """A deferral: this task is done, and a new one for the same body, on the same token
        (so the Join keeps waiting), is due at the body's next meeting."""
        self.task.finished = now()
        self.task.save()
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
        return self.flow_task._create(
            self, self.task.token, data={"due_on": due_on.isoformat()}, seed=self.task.seed
        )


class DecisionActivation(RequeueActivation):
    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None,
               seed: Any = None) -> Any:
        if seed is None and flow_task._body is not None:
            seed = flow_task._body(prev_activation)
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        routing.task_info_create(
            task=activation.task,
            kind=flow_task.kind,
            body=seed,
            due_on=(data or {}).get("due_on"),
        )
        return activation


class DecisionTask(nodes.View):
    activation_class = DecisionActivation

    def __init__(self, kind: str, body: Any = None, **kwargs: Any) -> None:
        super().__init__(view=None, **kwargs)
        self.kind = kind
        self._body = body

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._body = this.resolve(instance, self._body)

    def can_assign(self, user: Any, task: Any) -> bool:
        return (
            task.owner_id is None
            and task.seed is not None
            and bool(policy.can_record_for(task.seed, user))
        )

    def can_execute(self, user: Any, task: Any) -> bool:
        return is_owner(task.owner, user)


class RedraftActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None,
               seed: Any = None) -> Any:
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        routing.task_info_create(task=activation.task, kind=TaskKind.REDRAFT, body=None)
        return activation


class RedraftTask(nodes.View):
    activation_class = RedraftActivation

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(view=None, **kwargs)

    def can_assign(self, user: Any, task: Any) -> bool:
        return task.owner_id is None and bool(policy.can_lead(task.info.plan, user))

    def can_execute(self, user: Any, task: Any) -> bool:
        return bool(policy.can_lead(task.info.plan, user))


class StepSwitchActivation(SwitchActivation):
    @Activation.status.super()
    def activate(self) -> None:
        """viewflow's Switch activation, without its savepoint: inside a service, an error
        here rolls the whole step back anyway, and the conditions write nothing."""
        with self.exception_guard():
            for node, cond in self.flow_task._branches:
                if cond is None or cond(self):
                    self.next_task = node
                    break
            if not self.next_task:
                raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class Switch(nodes.Switch):
    activation_class = StepSwitchActivation


class StepJoinActivation(JoinActivation):
    """viewflow's JoinActivation asks the database for the join's incoming tokens and its
    still-active tasks on each of its checks: whether it may complete (twice, the second as
    the transition's condition) and then in completing. Within one activation nothing else
    moves those tasks, so each is read once and kept; the still-active tasks are read as rows,
    so ``exists()`` and a cancellation use them. A join task found open is given the process
    the step already holds, rather than reading it again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._prefixes: set[Any] | None = None
        self._active: dict[Any, Any] = {}
        super().__init__(*args, **kwargs)

    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None,
               seed: Any = None) -> Any:
        process = prev_activation.process
        task_class = flow_task.flow_class.task_class
        open_joins = list(task_class._default_manager.filter(
            flow_task=flow_task, process=process, status__in=[STATUS.NEW, STATUS.STARTED])[:2])
        if len(open_joins) > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        if open_joins:
            task = open_joins[0]
            task.process = process
        else:
            task = task_class(process=process, flow_task=flow_task,
                              token=token.get_base_split_token() if token.is_split_token()
                              else token)
            task.data = data if data is not None else {}
            task.seed = seed
            task.save()
        task.previous.add(prev_activation.task)
        return cls(task)

    def _join_token_prefixes(self) -> Any:
        if self._prefixes is None:
            self._prefixes = super()._join_token_prefixes()
        return self._prefixes

    def _active_join_tasks(self, join_token_prefix: Any) -> Any:
        if join_token_prefix not in self._active:
            tasks = super()._active_join_tasks(join_token_prefix)
            len(tasks)  # read now, once: exists() and cancel_active_tasks use these rows
            self._active[join_token_prefix] = tasks
        return self._active[join_token_prefix]


class Join(nodes.Join):
    activation_class = StepJoinActivation
