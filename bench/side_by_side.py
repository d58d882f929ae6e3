#!/usr/bin/env python
"""Side by side: plangov's hot paths against the least the same stack can do, in one run.

Usage (from the repository root, with the dev install, e.g. .venv/bin/python):

    python bench/side_by_side.py                 # SQLite, then PostgreSQL (see below)
    python bench/side_by_side.py --only sqlite   # or --only postgres
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/side_by_side.py

Two pairs, measured in the same process, interleaved round by round (--rounds, default 5;
the figures are the medians of the rounds; ops/s by the wall clock, ops/CPU-s by this
process's CPU time, which on a busy machine leaves out the waits for a core, and on
PostgreSQL also the server's work), after an untimed warm-up round that also counts
each operation's SQL statements (connection.execute_wrapper; BEGIN/COMMIT on SQLite are
issued by the driver and not counted, SAVEPOINTs are):

1. **Task: claim + complete.** plangov: ``task_claim`` then ``task_complete`` (an approval)
   of a board task of a submitted plan, as the inbox does; timed separately for the first
   board's completion and for the second one, where the Join fires and the executive's task
   is made. Against it, a bare viewflow flow (bench/bareflow: StartHandle, one View task, End;
   no plangov code) claimed and completed with viewflow's own activation calls:
   ``with task.activation() as a: a.assign(user)``, then ``a.start(None); a.execute()``, each
   in the transaction the activation's process lock opens.
2. **Lifecycle action.** plangov: ``plan_withdraw`` of a drafting plan (lock, lifecycle
   guard and transition, save, one audit event). Against it, plain ORM doing the same row lock
   (``SELECT ... FOR UPDATE`` of the plan row), read, stage update and hash-chained audit
   insert (lock the ledger's head row, insert the event, move the head).

The database is a throwaway, as for the other benchmarks (bench/common.py): a SQLite file
with the production options (WAL, IMMEDIATE transactions) in a temporary directory, and a
database ``--db-name`` created on DATABASE_URL's PostgreSQL server (default
postgres://postgres@127.0.0.1:5432/postgres when DATABASE_URL is unset and that server
answers), ANALYZEd after the set-up, dropped at the end. Each database runs in a child
process (Django is set up once per process). Settings: bench.bareflow.settings
(plangov.settings.test plus the bare flow's app). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from common import ROOT, START, ThreadClock, analyze, setup_django, throwaway_database

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
OPS = ("plangov_first", "plangov_join", "bare_task", "plangov_action", "orm_action")
LABELS = {
    "plangov_first": "plangov claim+complete, first board",
    "plangov_join": "plangov claim+complete, Join fires",
    "bare_task": "bare viewflow claim+complete",
    "plangov_action": "plangov lifecycle action (withdraw)",
    "orm_action": "plain ORM lock+save+audit",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=20,
                        help="operations of each kind timed in a round (default 20)")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--db-name", default="bench_side_by_side")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.rounds < 1 or args.per_round < 1:
        parser.error("--rounds and --per-round must be at least 1")
    return args


# Counting statements.


@contextmanager
def counting() -> Iterator[list[int]]:
    from django.db import connection

    count = [0]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


# Set-up of each round (untimed).


def plangov_round(world: Any, n: int) -> list[tuple[int, int, Any, Any]]:
    """``n`` submitted plans: (first board task, second board task, their secretaries)."""
    from tests.conftest import submitted_plan
    from workflows.inbox import OPEN
    from workflows.models import TaskInfo

    secretaries = {world.board.pk: world.board_secretary,
                   world.safeguarding.pk: world.safeguarding_secretary}
    out = []
    for _ in range(n):
        plan = submitted_plan(world)
        infos = list(TaskInfo.objects.filter(plan=plan, task__status__in=OPEN)
                     .order_by("pk").values_list("pk", "body_id"))
        assert len(infos) == 2, infos
        (first, first_body), (second, second_body) = infos
        out.append((first, second, secretaries[first_body], secretaries[second_body]))
    return out


def bare_round(n: int) -> list[int]:
    from bench.bareflow.flows import BareFlow

    tasks = []
    for _ in range(n):
        process = BareFlow.start.run()
        tasks.append(process.task_set.get(flow_task=BareFlow.approve).pk)
    return tasks


def drafting_plans(world: Any, n: int) -> list[int]:
    from tests.conftest import make_plan

    return [make_plan(world).pk for _ in range(n)]


# The operations.


def plangov_claim_complete(task_id: int, actor: Any) -> None:
    from plangov import clock
    from workflows.routing import task_claim, task_complete

    task_claim(task_id=task_id, actor=actor)
    task_complete(task_id=task_id, actor=actor, outcome="approved", decided_on=clock.today(),
                  attendance=8, votes_for=7, minute_reference=f"bench/{task_id}")


def bare_claim_complete(task_id: int, actor: Any) -> None:
    from viewflow.workflow.models import Task

    # task.activation() takes the process lock in its own transaction (transaction.atomic).
    task = Task.objects.get(pk=task_id)
    with task.activation() as activation:
        activation.assign(actor)
    task = Task.objects.get(pk=task_id)
    with task.activation() as activation:
        activation.start(None)
        activation.execute()


def plangov_action(plan_id: int, actor: Any) -> None:
    from documents.models import Plan
    from workflows.services import plan_withdraw

    plan_withdraw(plan=Plan(pk=plan_id), actor=actor, reason="Benchmark")


def orm_action(plan_id: int, actor: Any) -> None:
    """Lock the row, read it, change its stage, append one hash-chained audit event."""
    from django.db import transaction

    from documents.models import Plan, Stage
    from governance.audit import event_hash
    from governance.models import AuditEvent, AuditHead
    from plangov import clock

    with transaction.atomic():
        plans = Plan.objects.filter(pk=plan_id)
        plans.select_for_update().values_list("pk", flat=True).get()
        plan = plans.get()
        before = {"stage": plan.stage}
        plan.stage = Stage.WITHDRAWN
        plan.save(update_fields=["stage"])
        head = AuditHead.objects.select_for_update().get(pk=1)
        created_at = clock.now()
        fields = dict(seq=head.last_seq + 1, created_at=created_at, actor_id=actor.pk,
                      actor_label=actor.get_username(), action="plan.withdraw",
                      object_type="documents.plan", object_id=str(plan.pk), plan_id=plan.pk,
                      before=before, after={"stage": plan.stage}, reason="",
                      prev_hash=head.last_hash)
        digest = event_hash(**{**fields, "created_at": created_at.isoformat()})
        AuditEvent.objects.create(**fields, hash=digest)
        AuditHead.objects.filter(pk=1).update(last_seq=fields["seq"], last_hash=digest)


# One database.


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from governance.audit import verify_chain
    from plangov import clock as plangov_clock
    from tests.conftest import build_world

    clock = ThreadClock()
    clock.set(START)
    plangov_clock.source = clock
    world = build_world()
    n = args.per_round
    rates: dict[str, list[float]] = {op: [] for op in OPS}
    cpu_rates: dict[str, list[float]] = {op: [] for op in OPS}
    statements: dict[str, float] = {}

    for round_no in range(args.rounds + 1):  # round 0: warm-up and statement counts
        warm = round_no == 0
        count = 3 if warm else n
        tasks = plangov_round(world, count)
        bare = bare_round(count)
        plans_a = drafting_plans(world, count)
        plans_b = drafting_plans(world, count)
        analyze()

        def run(op: str, items: list[Any], call: Callable[[Any], None],
                warm: bool = warm) -> None:
            if warm:
                call(items[0])  # imports, caches
                with counting() as counted:
                    for item in items[1:]:
                        call(item)
                statements[op] = counted[0] / (len(items) - 1)
                return
            started, cpu = time.perf_counter(), time.process_time()
            for item in items:
                call(item)
            rates[op].append(len(items) / (time.perf_counter() - started))
            cpu_rates[op].append(len(items) / (time.process_time() - cpu))

        # Interleaved: each kind runs once per round, the pairs side by side, and the order
        # of the pair alternates from round to round.
        pairs = [
            [("plangov_first", tasks, lambda t: plangov_claim_complete(t[0], t[2])),
             ("bare_task", bare, lambda t: bare_claim_complete(t, world.board_secretary))],
            [("plangov_action", plans_a, lambda p: plangov_action(p, world.lead)),
             ("orm_action", plans_b, lambda p: orm_action(p, world.lead))],
        ]
        for pair in pairs:
            for op, items, call in (pair if round_no % 2 else pair[::-1]):
                run(op, items, call)
        run("plangov_join", tasks, lambda t: plangov_claim_complete(t[1], t[3]))

    chain = verify_chain()
    if not chain.ok:
        raise SystemExit(f"The audit chain is broken: {chain.problem}")
    return {
        "vendor": connection.vendor,
        "rates": {op: statistics.median(values) for op, values in rates.items()},
        "cpu_rates": {op: statistics.median(values) for op, values in cpu_rates.items()},
        "spread": {op: [min(values), max(values)] for op, values in rates.items()},
        "statements": statements,
    }


def child(args: argparse.Namespace) -> None:
    with throwaway_database(args) as database:
        setup_django("bench.bareflow.settings")
        from django.db import connections

        try:
            result = measure(args)
        finally:
            connections.close_all()
    result["database"] = database
    print("RESULT " + json.dumps(result))


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    rates, statements, spread = result["rates"], result["statements"], result["spread"]
    cpu = result["cpu_rates"]
    print(f"\n{result['database']}: {args.rounds} interleaved rounds of {args.per_round} "
          f"operations each, medians")
    header = f"{'operation':<38}{'ops/s':>8}{'range':>12}{'ops/CPU-s':>11}{'statements':>12}"
    print(header)
    print("-" * len(header))
    for op in OPS:
        low, high = spread[op]
        print(f"{LABELS[op]:<38}{rates[op]:>8.1f}{f'{low:.0f}-{high:.0f}':>12}"
              f"{cpu[op]:>11.1f}{statements[op]:>12.1f}")
    print(f"{'ratios (wall; client CPU)':<38}")
    for label, op, base, target in (
        ("claim+complete, first board / bare", "plangov_first", "bare_task", 0.5),
        ("claim+complete, Join fires / bare", "plangov_join", "bare_task", 0.5),
        ("lifecycle action / plain ORM", "plangov_action", "orm_action", 0.7),
    ):
        print(f"  {label:<36}{rates[op] / rates[base]:>6.2f}x;{cpu[op] / cpu[base]:>6.2f}x"
              f"   (target {target}x)")


def postgres_reachable(url: str) -> bool:
    try:
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres", query="")),
                             connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means: skip PostgreSQL, say so
        return False


def main() -> None:
    args = parse_args()
    if args.json:
        child(args)
        return
    url = os.environ.get("DATABASE_URL", "").strip()
    runs: list[tuple[str, dict[str, str]]] = []
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if args.only != "postgres":
        runs.append(("SQLite", env))
    if args.only != "sqlite":
        pg = url or DEFAULT_PG
        if postgres_reachable(pg):
            runs.append(("PostgreSQL", {**env, "DATABASE_URL": pg}))
        else:
            print(f"PostgreSQL at {pg} does not answer: skipped (set DATABASE_URL).")
    command = [sys.executable, str(ROOT / "bench" / "side_by_side.py"), "--json",
               "--rounds", str(args.rounds), "--per-round", str(args.per_round),
               "--db-name", args.db_name]
    for name, child_env in runs:
        print(f"\nmeasuring on {name} ...", flush=True)
        done = subprocess.run(command, env=child_env, capture_output=True, text=True,
                              check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            print(done.stdout[-2000:], done.stderr[-4000:], sep="\n")
            raise SystemExit(f"the {name} run failed")
        report(json.loads(lines[-1].removeprefix("RESULT ")), args)


if __name__ == "__main__":
    main()
