"""PlanApprovalFlow: who must act on a submitted plan, and when. A map of the process; the
rules live in the services (workflows.routing, workflows.decisions) and the lifecycle.

Built on viewflow.workflow's bare nodes only (no HTML views): plangov serves its own inboxes.
Routing reads the plan's stage after each decision, so the process can never disagree with
the lifecycle: decision_record moves the stage, and the gateways below follow it.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, transaction
from viewflow import this
from viewflow.workflow import nodes
from viewflow.workflow.base import Flow
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.lock import SelectForUpdateLock

from documents.models import Plan, Stage
from documents.services import step_plan
from plangov.prepared import Prepared

from . import routing
from .models import PlanApprovalProcess, TaskKind
from .nodes import BodySplit, DecisionTask, Join, RedraftTask, Switch


def _plan(activation: Any) -> Plan:
    # Never activation.process.artifact: it is cached and a decision just moved the stage.
    # The plan the step's service locked, moved and saved (documents.services.step_plan).
    return step_plan(int(activation.process.artifact_object_id))


# The process row's lock, one compiled statement per process class (plangov.prepared).
_PROCESS_LOCK = Prepared(lambda shape, process: shape[0]._default_manager.filter(
    pk=process).select_for_update(nowait=shape[1]).order_by().values_list("pk", flat=True)[:1],
    process=int)


class StepLock(SelectForUpdateLock):
    """viewflow's blocking row lock on the process, taken inside the service's transaction
    without a savepoint of its own. Every door to a process is a service (plangov.txn), and an
    error under this lock marks that whole transaction for rollback, so nothing done under
    the lock can be kept without the rest. Outside a transaction it is viewflow's lock."""

    @contextlib.contextmanager
    def __call__(self, flow_class: Any, process_pk: Any) -> Iterator[None]:
        if not transaction.get_connection().in_atomic_block:
            with super().__call__(flow_class, process_pk):
                yield
            return
        with transaction.atomic(savepoint=False):
            try:
                _PROCESS_LOCK.exists(shape=(flow_class.process_class, self.nowait),
                                     process=int(process_pk))
            except DatabaseError as exc:
                raise FlowLockFailed(f"Lock failed for {flow_class}") from exc
            yield


class PlanApprovalFlow(Flow):
    process_class = PlanApprovalProcess
    process_title = "Plan approval"
    # Blocking row lock on the process (PostgreSQL); services take the plan's lock first, so
    # the order is always plan, then process, then the audit head. SQLite ignores FOR UPDATE
    # and serialises writers with its IMMEDIATE transactions.
    lock_impl = StepLock(nowait=False, attempts=1)

    start = nodes.StartHandle(this.start_process).Next(this.split)

    split = BodySplit(this.bodies_to_ask).Next(this.board_decision)

    board_decision = (
        DecisionTask(TaskKind.BOARD_DECISION)
        .Annotation(title="Record the board's decision")
        .Next(this.join)
    )

    join = Join(continue_on_condition=this.sent_back).Next(this.after_boards)

    after_boards = (
        Switch()
        .Case(this.redraft, this.is_drafting)
        .Case(this.split, this.awaits_boards)
        .Case(this.executive_decision, this.awaits_executive)
        .Default(this.end)
    )

    redraft = (
        RedraftTask()
        .Annotation(title="Redraft the plan")
        .Assign(this.lead_officer)
        .Next(this.split)
    )

    executive_decision = (
        DecisionTask(TaskKind.EXECUTIVE_DECISION, body=this.executive_body)
        .Annotation(title="Record the executive's decision")
        .Next(this.after_executive)
    )

    after_executive = (
        Switch()
        .Case(this.redraft, this.is_drafting)
        .Case(this.call_in, this.in_call_in)
        .Case(this.full_council_decision, this.awaits_full_council)
        .Default(this.end)
    )

    # The call-in period: scrutiny's secretary records members' request, if any.
    call_in = (
        DecisionTask(TaskKind.CALL_IN, body=this.scrutiny_body)
        .Annotation(title="Record a call-in request, if any")
        .Next(this.call_in_outcome)
    )

    call_in_over = nodes.TimerBoundary(this.call_in, delay=this.call_in_deadline).Next(this.adopt)

    adopt = nodes.Function(this.adopt_plan).Next(this.end)

    call_in_outcome = (
        DecisionTask(TaskKind.CALL_IN_OUTCOME, body=this.scrutiny_body)
        .Annotation(title="Record the scrutiny committee's outcome")
        .Next(this.after_call_in)
    )

    after_call_in = (
        Switch()
        .Case(this.executive_decision, this.awaits_executive)
        .Case(this.full_council_decision, this.awaits_full_council)
        .Default(this.end)
    )

    full_council_decision = (
        DecisionTask(TaskKind.FULL_COUNCIL_DECISION, body=this.full_council_body)
        .Annotation(title="Record full council's decision")
        .Next(this.after_full_council)
    )

    after_full_council = (
        Switch()
        .Case(this.redraft, this.is_drafting)
        .Default(this.end)
    )

    end = nodes.End()

    # Node callbacks: one line each, the work is in workflows.routing.

    def start_process(self, activation: Any, plan: Plan) -> Any:
        activation.process.artifact = plan
        return activation.process

    def bodies_to_ask(self, activation: Any) -> list[Any]:
        return routing.bodies_to_ask(_plan(activation))

    def sent_back(self, activation: Any, active_tasks: Any) -> bool:
        return _plan(activation).stage == Stage.DRAFTING

    def is_drafting(self, activation: Any) -> bool:
        return _plan(activation).stage == Stage.DRAFTING

    def awaits_boards(self, activation: Any) -> bool:
        return _plan(activation).stage == Stage.PARTNERSHIP_APPROVAL

    def awaits_executive(self, activation: Any) -> bool:
        return _plan(activation).stage == Stage.EXECUTIVE_APPROVAL

    def in_call_in(self, activation: Any) -> bool:
        return _plan(activation).stage == Stage.CALL_IN

    def awaits_full_council(self, activation: Any) -> bool:
        return _plan(activation).stage == Stage.FULL_COUNCIL

    def lead_officer(self, activation: Any) -> Any:
        return _plan(activation).lead_officer

    def executive_body(self, activation: Any) -> Any:
        return _plan(activation).executive_body

    def scrutiny_body(self, activation: Any) -> Any:
        return routing.scrutiny_body(_plan(activation))

    def full_council_body(self, activation: Any) -> Any:
        return routing.full_council_body(_plan(activation))

    def call_in_deadline(self, activation: Any) -> datetime.datetime:
        return routing.call_in_deadline(_plan(activation))

    def adopt_plan(self, activation: Any) -> None:
        routing.adopt_from_flow(_plan(activation))
