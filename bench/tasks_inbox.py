#!/usr/bin/env python
"""Tasks and inboxes under load: task completions per second, and how long a board secretary's
inbox takes to answer, with 10,000 open tasks in the database.

Usage (from the repository root, with the dev install, e.g. .venv/bin/python):

    python bench/tasks_inbox.py                  # SQLite file in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/tasks_inbox.py

    options: --open-tasks N    open tasks in the database while measuring (default 10000)
             --plans P         real plans whose board tasks are completed (default 40)
             --requests R      inbox requests timed per page (default 30)
             --db-name NAME    PostgreSQL database to create and drop (default bench_plangov)

Set-up: P plans are walked through the services to submission, so the approval process gives
each two real board tasks. Copies of one real task are then bulk-written (tests/bulk.py), each
on its own plan and process, until N tasks are open, spread over both boards and over due
dates from 30 days overdue to 30 days ahead.

Measured:
- **completions**: the board secretaries claim and complete the 2 × P real board tasks with
  approvals through the task services (``task_claim`` then ``task_complete``: a decision
  recorded, audited, and the process moved on; the second approval of each plan also creates
  the executive's task), one after another.
- **inbox**: R requests each for the board secretary's queue and "assigned to me" pages and
  the tasks API (first page of 50, and the overdue filter), through Django's test client with
  a signed-in session. Each request's query count is printed beside it.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import statistics
import time
from typing import Any

from common import START, ThreadClock, analyze, setup_django, throwaway_database


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open-tasks", type=int, default=10_000)
    parser.add_argument("--plans", type=int, default=40)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--db-name", default="bench_plangov")
    args = parser.parse_args()
    if min(args.open_tasks, args.plans, args.requests) < 1:
        parser.error("--open-tasks, --plans and --requests must be at least 1")
    return args


def build(world: Any, plans: int, open_tasks: int) -> list[int]:
    """Submit ``plans`` plans; copy tasks until ``open_tasks`` are open. Returns the real
    board tasks' ids."""
    from tests.bulk import open_task_copies
    from tests.conftest import submitted_plan
    from workflows.inbox import OPEN
    from workflows.models import TaskInfo

    real: list[int] = []
    for _ in range(plans):
        plan = submitted_plan(world)
        real.extend(
            TaskInfo.objects.filter(plan=plan, task__status__in=OPEN)
            .order_by("pk").values_list("pk", flat=True)
        )
    from viewflow.workflow.models import Task

    copies = max(0, open_tasks - len(real))
    due = [START.date() + datetime.timedelta(days=d) for d in range(-30, 31)]
    open_task_copies(Task.objects.get(pk=real[0]), copies,
                     bodies=[world.board, world.safeguarding], due_on=due)
    return real


def complete_all(world: Any, task_ids: list[int]) -> list[float]:
    from plangov import clock
    from workflows.models import TaskInfo
    from workflows.routing import task_claim, task_complete

    secretaries = {world.board.pk: world.board_secretary,
                   world.safeguarding.pk: world.safeguarding_secretary}
    bodies = dict(TaskInfo.objects.filter(pk__in=task_ids).values_list("pk", "body_id"))
    latencies = []
    for task_id in task_ids:
        actor = secretaries[bodies[task_id]]
        started = time.perf_counter()
        task_claim(task_id=task_id, actor=actor)
        task_complete(
            task_id=task_id, actor=actor, outcome="approved", decided_on=clock.today(),
            attendance=8, votes_for=7, minute_reference=f"bench/{task_id}",
        )
        latencies.append(time.perf_counter() - started)
    return latencies


def time_pages(world: Any, requests: int) -> list[tuple[str, int, list[float], int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(world.board_secretary)
    pages = [
        "/tasks/?view=queue",
        "/tasks/?view=mine",
        "/api/v1/tasks/?view=queue",
        "/api/v1/tasks/?overdue=true",
    ]
    results = []
    for url in pages:
        client.get(url)  # warm up
        timings, status, queries = [], 0, 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            status, queries = response.status_code, len(captured)
        results.append((url, status, timings, queries))
    return results


def report(database: str, open_count: int, completions: list[float],
           pages: list[tuple[str, int, list[float], int]], queue_size: int) -> None:
    print(f"\nplangov tasks and inboxes — {database}")
    print(f"{open_count} open tasks while measuring; the board secretary's queue holds "
          f"{queue_size}\n")
    seconds = sum(completions)
    print(f"task completions (claim + complete, one thread): {len(completions)} in "
          f"{seconds:.2f} s = {len(completions) / seconds:.1f}/s; mean "
          f"{statistics.fmean(completions) * 1000:.1f} ms, p95 "
          f"{statistics.quantiles(completions, n=20)[-1] * 1000:.1f} ms\n")
    header = f"{'page (board secretary)':<32}{'status':>7}{'median ms':>11}{'p95 ms':>9}"
    header += f"{'queries':>9}"
    print(header)
    print("-" * len(header))
    for url, status, timings, queries in pages:
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
        print(f"{url:<32}{status:>7}{statistics.median(timings) * 1000:>11.1f}"
              f"{p95 * 1000:>9.1f}{queries:>9}")


def main() -> None:
    args = parse_args()
    with throwaway_database(args) as database:
        setup_django()
        from django.conf import settings
        from django.db import connections

        from plangov import clock as plangov_clock
        from tests.conftest import build_world
        from workflows.inbox import View, inbox

        settings.ALLOWED_HOSTS = ["*"]
        clock = ThreadClock()
        plangov_clock.source = clock
        try:
            world = build_world()
            real = build(world, args.plans, args.open_tasks)
            analyze()  # the bulk load's statistics, as autovacuum would gather them
            # What is alive now stays alive, as a web worker's loaded application does:
            # frozen out of the garbage collector's sight, as deploy/gunicorn.conf.py does.
            gc.collect()
            gc.freeze()
            open_count = inbox(world.auditor, view=View.ALL).filter(
                status__in=("NEW", "ASSIGNED")).count()
            queue_size = inbox(world.board_secretary, view=View.QUEUE).count()
            pages = time_pages(world, args.requests)
            completions = complete_all(world, real)
            report(database, open_count, completions, pages, queue_size)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
