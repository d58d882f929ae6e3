"""Many open tasks, fast: copies of one real task, each on its own plan and process, written
with bulk_create. Query-count tests and the inbox benchmark need thousands of tasks; walking
thousands of plans through the services would take minutes and prove nothing more about a
list's queries.

Each copy is a real row of every table the inbox reads (plan, viewflow process and task,
TaskInfo), copied from a task the flow created, so its flow_task and flow_class strings are
the flow's own."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from documents.models import Plan
from workflows.models import TaskInfo


def open_task_copies(
    template: Task,
    count: int,
    *,
    bodies: Sequence[Any] | None = None,
    due_on: Sequence[datetime.date] | None = None,
    batch_size: int = 500,
) -> list[int]:
    """Write ``count`` unclaimed copies of ``template``; the i-th is for ``bodies[i % n]``
    (default: the template's body) and due on ``due_on[i % n]`` (default: the template's due
    date). Returns the new tasks' ids."""
    info = TaskInfo.objects.select_related("plan").get(pk=template.pk)
    process = Process.objects.get(pk=template.process_id)
    bodies = list(bodies or [info.body])
    due_dates = list(due_on or [info.due_on])
    ids: list[int] = []
    for offset in range(0, count, batch_size):
        size = min(batch_size, count - offset)
        plans = Plan.objects.bulk_create(
            [_copy(info.plan, title=f"{info.plan.title} (copy {offset + i + 1})")
             for i in range(size)]
        )
        batch_bodies = [bodies[(offset + i) % len(bodies)] for i in range(size)]
        processes = Process.objects.bulk_create(
            [_copy(process, artifact_object_id=plan.pk) for plan in plans]
        )
        tasks = Task.objects.bulk_create(
            [
                # The seed is the body whose decision the task waits for (DecisionTask).
                _copy(template, process_id=proc.pk, status=STATUS.NEW, owner_id=None,
                      assigned=None, started=None, finished=None,
                      seed_object_id=body.pk if template.seed_object_id else None)
                for proc, body in zip(processes, batch_bodies, strict=True)
            ]
        )
        TaskInfo.objects.bulk_create(
            [
                TaskInfo(
                    task_id=task.pk,
                    plan_id=plan.pk,
                    body=batch_bodies[i],
                    kind=info.kind,
                    due_on=due_dates[(offset + i) % len(due_dates)],
                )
                for i, (task, plan) in enumerate(zip(tasks, plans, strict=True))
            ]
        )
        ids.extend(task.pk for task in tasks)
    return ids


def _copy(instance: Any, **changes: Any) -> Any:
    """An unsaved copy of a model instance: every concrete field but the primary key."""
    model = type(instance)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return model(**values)
