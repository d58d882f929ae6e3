#!/usr/bin/env python
"""Lifecycle throughput: how many lifecycle actions per second plangov's services sustain.

Usage (from the repository root, with the dev install, e.g. .venv/bin/python):

    python bench/lifecycle_throughput.py                  # SQLite file in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/lifecycle_throughput.py

    options: --lifecycles N   full lifecycles per run (default 40)
             --threads T      threads for the concurrent run (default 4)
             --db-name NAME   PostgreSQL database to create and drop (default bench_plangov)

Each lifecycle walks a new plan through the services, ten audited actions: create, write a
version, start and close a consultation, publish its summary, submit, two board approvals,
executive approval, and adoption once the call-in period is over (plangov.clock.source is
replaced by a per-thread clock that jumps past the period). The runs are single-threaded, then
T threads on T different plans at once. It reports actions per second and the mean latency
of each kind of action.

The database is a throwaway: with no DATABASE_URL, a SQLite file (WAL, IMMEDIATE, busy
timeout: the production options) under a fresh temporary directory; with a PostgreSQL
DATABASE_URL, the script connects to that server's ``postgres`` maintenance database, creates
``--db-name`` (dropping a leftover one first), migrates it, and drops it at the end. The
database named in DATABASE_URL is never touched. Settings are plangov.settings.test.
This is a benchmark, not a test: nothing in the test suite times anything.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from common import START, ThreadClock, demo_signing, setup_django, throwaway_database

ACTIONS = (
    "create", "version", "start_consultation", "close_consultation", "publish_summary", "submit",
    "board_approval", "safeguarding_approval", "executive_approval", "adopt",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lifecycles", type=int, default=40)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--db-name", default="bench_plangov")
    args = parser.parse_args()
    if args.lifecycles < 1 or args.threads < 1:
        parser.error("--lifecycles and --threads must be at least 1")
    return args


# The lifecycle.


@dataclass
class Timings:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    retries: int = 0

    def merge(self, other: Timings) -> None:
        for action, values in other.latencies.items():
            self.latencies[action].extend(values)
        self.retries += other.retries

    @property
    def actions(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def timed(timings: Timings, action: str, call: Callable[[], Any]) -> Any:
    """Run one service call, timing it. A Conflict (a concurrent writer tripped a unique
    constraint, e.g. two plans' decisions creating the same board meeting) is retried, as a
    client would, and counted; the latency includes the retries."""
    from plangov.errors import Conflict

    started = time.perf_counter()
    for attempt in range(5):
        try:
            result = call()
            break
        except Conflict:
            if attempt == 4:
                raise
            timings.retries += 1
    timings.latencies[action].append(time.perf_counter() - started)
    return result


def lifecycle(world: Any, clock: ThreadClock, timings: Timings) -> None:
    from documents.models import Stage
    from documents.services import version_create
    from governance.models import DecisionOutcome
    from tests.conftest import decide, make_plan, publish_summary
    from tests.factories import valid_content
    from workflows.services import (
        plan_adopt,
        plan_close_consultation,
        plan_start_consultation,
        plan_submit,
    )

    clock.set(START)
    lead = world.lead
    plan = timed(timings, "create", lambda: make_plan(world))
    timed(timings, "version",
          lambda: version_create(plan=plan, actor=lead, content=valid_content()))
    timed(timings, "start_consultation", lambda: plan_start_consultation(plan=plan, actor=lead))
    timed(timings, "close_consultation", lambda: plan_close_consultation(plan=plan, actor=lead))
    timed(timings, "publish_summary", lambda: publish_summary(plan, lead))
    timed(timings, "submit", lambda: plan_submit(plan=plan, actor=lead))
    approved = DecisionOutcome.APPROVED
    timed(timings, "board_approval", lambda: decide(world, plan, world.board, approved))
    timed(timings, "safeguarding_approval",
          lambda: decide(world, plan, world.safeguarding, approved))
    timed(timings, "executive_approval", lambda: decide(world, plan, world.executive, approved))
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN, plan.stage
    clock.set(START.replace(day=1) + datetime.timedelta(days=60))  # well past call-in
    adopted = timed(timings, "adopt", lambda: plan_adopt(plan=plan, actor=None))
    assert adopted.stage == Stage.ADOPTED, adopted.stage


@dataclass
class Run:
    label: str
    threads: int
    lifecycles: int
    seconds: float
    timings: Timings

    @property
    def per_second(self) -> float:
        return self.timings.actions / self.seconds

    def _values(self, action: str | None = None) -> list[float]:
        if action:
            return self.timings.latencies[action]
        return [v for values in self.timings.latencies.values() for v in values]

    def mean_ms(self, action: str | None = None) -> float:
        return statistics.fmean(self._values(action)) * 1000

    def p95_ms(self) -> float:
        return statistics.quantiles(self._values(), n=20)[-1] * 1000

    def max_ms(self) -> float:
        return max(self._values()) * 1000


def run(world: Any, clock: ThreadClock, lifecycles: int, threads: int) -> Run:
    from django.db import connection

    shares = [lifecycles // threads + (i < lifecycles % threads) for i in range(threads)]
    results: list[Timings] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker(count: int) -> None:
        timings = Timings()
        try:
            connection.ensure_connection()
            barrier.wait()
            for _ in range(count):
                lifecycle(world, clock, timings)
        except BaseException as exc:  # reported below
            with lock:
                failures.append(exc)
            raise
        finally:
            connection.close()
            with lock:
                results.append(timings)

    workers = [threading.Thread(target=worker, args=(n,)) for n in shares]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} thread(s) failed: {failures[0]!r}")
    total = Timings()
    for timings in results:
        total.merge(timings)
    label = "1 thread" if threads == 1 else f"{threads} threads"
    return Run(label, threads, lifecycles, seconds, total)


def report(database: str, runs: list[Run], events: int) -> None:
    print(f"\nplangov lifecycle throughput — {database}")
    print(f"{len(ACTIONS)} audited actions per lifecycle; {events} audit events, chain verified\n")
    header = f"{'run':<11}{'lifecycles':>11}{'actions':>9}{'seconds':>9}{'actions/s':>11}"
    header += f"{'mean ms':>9}{'p95 ms':>9}{'max ms':>9}{'retries':>9}"
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r.label:<11}{r.lifecycles:>11}{r.timings.actions:>9}{r.seconds:>9.2f}"
            f"{r.per_second:>11.1f}{r.mean_ms():>9.2f}{r.p95_ms():>9.2f}{r.max_ms():>9.1f}"
            f"{r.timings.retries:>9}"
        )
    print("\nmean latency per action (ms)")
    header = f"{'action':<23}" + "".join(f"{r.label:>12}" for r in runs)
    print(header)
    print("-" * len(header))
    for action in ACTIONS:
        print(f"{action:<23}" + "".join(f"{r.mean_ms(action):>12.2f}" for r in runs))


def main() -> None:
    args = parse_args()
    with throwaway_database(args) as database:
        setup_django()
        from django.db import connections

        from documents.publishing import services as publishing
        from governance.audit import verify_chain
        from governance.models import AuditEvent
        from plangov import clock as plangov_clock
        from tests.conftest import build_world

        demo_signing()  # adoption is refused without a signing certificate
        # Adoption asks a worker to render and sign the plan; that is not a lifecycle action.
        publishing._enqueue = lambda document_id: None
        clock = ThreadClock()
        plangov_clock.source = clock
        try:
            world = build_world()
            lifecycle(world, clock, Timings())  # warm up: imports, caches, first meeting rows
            runs = [
                run(world, clock, args.lifecycles, 1),
                run(world, clock, args.lifecycles, args.threads),
            ]
            chain = verify_chain()
            if not chain.ok:
                raise SystemExit(f"The audit chain is broken: {chain.problem}")
            report(database, runs, AuditEvent.objects.count())
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
