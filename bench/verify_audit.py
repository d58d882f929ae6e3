#!/usr/bin/env python
"""verify_audit over a long ledger: how long recomputing the audit hash chain takes.

Usage (from the repository root, with the dev install, e.g. .venv/bin/python):

    python bench/verify_audit.py                           # 10,000 and 100,000 events, SQLite
    python bench/verify_audit.py --events 10000 --events 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/verify_audit.py

For each size it appends events to a throwaway database in bulk (hashed with
``governance.audit.event_hash``, the function ``audit_record`` uses, so the chain is valid and
``verify_audit`` passes), ANALYZEs on PostgreSQL, then times ``manage.py verify_audit`` end to
end as a subprocess (interpreter start, Django set-up, system checks and imports included:
what an operator waits for), ``--runs`` times, and the in-process ``call_command`` (the
verification alone), printing medians. Targets (issue 14): 10,000 events under 1 s, 100,000
under 3 s. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import resource
import statistics
import subprocess
import sys
import time

from common import ROOT, START, analyze, setup_django, throwaway_database


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, action="append",
                        help="ledger sizes to measure, smallest first (default 10000, 100000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db-name", default="bench_verify_audit")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the in-process run at the largest size")
    args = parser.parse_args()
    args.events = sorted(args.events or [10_000, 100_000])
    if args.runs < 1 or args.events[0] < 1:
        parser.error("--events and --runs must be at least 1")
    return args


ACTIONS = ("plan.create", "version.create", "plan.start_consultation", "decision.record",
           "task.claim", "task.complete", "reading.record", "plan.adopt")


def extend_ledger(to: int, batch: int = 5000) -> None:
    """Append events until the ledger holds ``to``, each hashed as audit_record hashes it."""
    from governance.audit import GENESIS, _jsonable, event_hash
    from governance.models import AuditEvent, AuditHead

    head = AuditHead.objects.filter(pk=1).first()
    seq, prev = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    rows: list[AuditEvent] = []

    def flush() -> None:
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
        AuditHead.objects.update_or_create(pk=1, defaults={"last_seq": seq, "last_hash": prev})
        rows.clear()

    while seq < to:
        seq += 1
        created_at = START + datetime.timedelta(seconds=7 * seq, microseconds=seq % 997)
        action = ACTIONS[seq % len(ACTIONS)]
        before = _jsonable({"stage": "draft", "version": seq % 7, "digest": f"{seq:064x}"})
        after = _jsonable({"stage": "consultation", "version": seq % 7 + 1,
                           "due_on": (START.date() + datetime.timedelta(days=seq % 90)),
                           "bodies": [seq % 3, seq % 5]})
        fields = dict(seq=seq, created_at=created_at, actor_id=None, actor_label="system",
                      action=action, object_type="documents.plan", object_id=str(seq % 500),
                      plan_id=None, before=before, after=after, reason="", prev_hash=prev)
        digest = event_hash(**{**fields, "created_at": created_at.isoformat()})
        rows.append(AuditEvent(**fields, hash=digest))
        prev = digest
        if len(rows) >= batch:
            flush()
    if rows:
        flush()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_subprocess(runs: int) -> tuple[float, float, str]:
    """Median wall time and CPU time (user + system) of ``manage.py verify_audit``. On a
    shared machine the wall time includes waiting for a core; the CPU time does not."""
    env = dict(os.environ)
    times, cpu, out = [], [], ""
    for _ in range(runs):
        started, cpu_before = time.perf_counter(), _children_cpu()
        result = subprocess.run([sys.executable, "manage.py", "verify_audit"], cwd=ROOT,
                                env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
        if result.returncode != 0:
            raise SystemExit(f"verify_audit failed: {result.stderr.strip()[-500:]}")
        out = result.stdout.strip()
    return statistics.median(times), statistics.median(cpu), out


def time_in_process(runs: int) -> float:
    from django.core.management import call_command

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call_command("verify_audit", stdout=io.StringIO())
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def startup(runs: int) -> tuple[float, float]:
    """``manage.py check`` (set-up, imports and system checks, no work): for comparison."""
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_before = time.perf_counter(), _children_cpu()
        subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=dict(os.environ),
                       capture_output=True, check=True)
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
    return statistics.median(times), statistics.median(cpu)


def main() -> None:
    args = parse_args()
    with throwaway_database(args) as database:
        setup_django()
        from django.db import connections

        # The subprocess reads the same throwaway database with the same settings.
        os.environ["DJANGO_SETTINGS_MODULE"] = "plangov.settings.test"
        print(f"\nplangov verify_audit — {database}")
        floor, floor_cpu = startup(args.runs)
        print(f"`manage.py check` (interpreter, Django set-up, system checks): {floor:.2f} s "
              f"wall, {floor_cpu:.2f} s CPU\n")
        header = f"{'events':>10}{'build s':>9}{'command s':>11}{'command CPU s':>15}"
        header += f"{'in-process s':>14}{'events/s':>11}{'target':>8}"
        print(header)
        print("-" * len(header))
        try:
            for size in args.events:
                started = time.perf_counter()
                extend_ledger(size)
                analyze()
                built = time.perf_counter() - started
                connections.close_all()  # the subprocess must see every row
                command, command_cpu, out = time_subprocess(args.runs)
                assert out == f"Audit chain intact: {size} events.", out
                inner = time_in_process(args.runs)
                target = 1.0 if size <= 10_000 else 3.0
                verdict = "met" if command < target else "MISSED"
                print(f"{size:>10,}{built:>9.1f}{command:>11.2f}{command_cpu:>15.2f}{inner:>14.2f}"
                      f"{size / inner:>11,.0f}{verdict:>8}")
            if args.profile:
                import cProfile
                import pstats

                from django.core.management import call_command

                profile = cProfile.Profile()
                profile.runcall(call_command, "verify_audit", stdout=io.StringIO())
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
