"""Benchmark: import 100,000 offline consultation responses from one CSV file, end to end.

Writes a CSV of ``--rows`` responses (10 questions: free text, single and multiple choice,
agreement, six more free-text answers) for a round in a throwaway database, then imports it as
plangov does: ``import_create`` stores the upload by its hash, and the import task (run here
in-process) validates the whole file, then writes it in batches of PLANGOV_IMPORT_BATCH_ROWS.
Prints the wall time of each phase and the peak memory: the process's maximum resident set
(ru_maxrss, which includes Django itself) and, with ``--tracemalloc``, the peak of Python
allocations during the import (tracemalloc slows Python down, so that run is timed apart).

    .venv/bin/python bench/import_responses.py [--rows 100000] [--tracemalloc]
    DATABASE_URL=postgres://... .venv/bin/python bench/import_responses.py

Targets (issue 10): under 60 s and under 500 MiB peak.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django, throwaway_database  # noqa: E402

WORDS = ("more places to play safe routes to school quieter classrooms someone to talk to "
         "cheaper buses youth clubs open later help with homework cleaner parks").split()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure the Python allocation peak (a second, slower run)")
    parser.add_argument("--profile", action="store_true",
                        help="print where the import spends its time (cProfile, slower)")
    parser.add_argument("--db-name", default="plangov_bench_import")
    return parser.parse_args()


def write_csv(path: Path, round: Any, rows: int) -> int:
    from tests.governance.consultation_import_helpers import HEADER

    rng = random.Random(10)
    audiences = ["children-and-young-people", "parents-and-carers", "partner-organisations",
                 "schools", "Voluntary, community and faith sector"]
    # Questions headed by their text, so the same file fits every round made below.
    texts = list(round.questions.order_by("order").values_list("text", flat=True))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, *texts])
        for n in range(rows):
            free = [" ".join(rng.choices(WORDS, k=rng.randint(4, 14))) for _ in range(7)]
            writer.writerow([
                rng.choice(audiences), rng.choice(["paper", "event", "school", "youth_group"]),
                f"2016-{rng.randint(6, 7):02d}-{rng.randint(1, 28):02d}",
                rng.choice(["yes", "no"]),
                f"{free[0]} ({n})", rng.choice(["Yes", "no", ""]),
                ";".join(rng.sample(["park", "school", "home"], k=rng.randint(0, 3))),
                rng.choice(["strongly_agree", "agree", "neither", "disagree", "Strongly disagree"]),
                *free[1:],
            ])
    return path.stat().st_size


def import_once(world: Any, path: Path) -> dict[str, Any]:
    from django.core.files import File

    from governance.consultation.imports.services import import_create, import_run
    from governance.models import ResponseImport

    round = make_round(world)
    started = time.perf_counter()
    cpu_started = time.process_time()
    with open(path, "rb") as handle:
        record, _ = import_create(round=round, actor=world.lead,
                                  upload=File(handle, name=path.name), filename=path.name)
    stored = time.perf_counter()
    outcome = import_run(import_id=record.pk)
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_started
    record = ResponseImport.objects.get(pk=record.pk)
    return {"outcome": outcome, "record": record, "store_s": stored - started, "cpu_s": cpu,
            "run_s": finished - stored, "total_s": finished - started}


def make_round(world: Any) -> Any:
    from tests.governance.consultation_import_helpers import consultation_round

    return consultation_round(world, extra_questions=6)  # on a plan of its own


def main() -> None:
    args = parse_args()
    with throwaway_database(args) as database:
        setup_django()
        from django.conf import settings
        from django.db import connections

        from governance.audit import verify_chain
        from governance.models import Answer, Response
        from plangov import clock
        from tests.conftest import build_world

        settings.PLANGOV_IMPORT_DIR = Path(tempfile.mkdtemp(prefix="plangov-imports-"))
        # The import is run in-process below, not queued.
        import governance.consultation.imports.services as services

        services._enqueue = lambda import_id: None  # type: ignore[assignment]
        clock.source = lambda: __import__("datetime").datetime(
            2016, 7, 30, 10, tzinfo=__import__("datetime").UTC)
        try:
            world = build_world()
            csv_path = Path(tempfile.mkdtemp(prefix="plangov-bench-csv-")) / "returns.csv"
            t0 = time.perf_counter()
            size = write_csv(csv_path, make_round(world), args.rows)
            print(f"Database: {database}")
            print(f"Wrote {args.rows:,} rows ({size / 2**20:.1f} MiB) in "
                  f"{time.perf_counter() - t0:.1f} s; batches of "
                  f"{settings.PLANGOV_IMPORT_BATCH_ROWS:,} rows")
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                result = profiler.runcall(import_once, world, csv_path)
                pstats.Stats(profiler).sort_stats("cumtime").print_stats(45)
            else:
                result = import_once(world, csv_path)
            record = result["record"]
            maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"Import: {result['outcome']}, {record.imported_rows:,} responses "
                  f"({Answer.objects.filter(response__response_import=record).count():,} "
                  f"answers), {record.invalid_rows} invalid rows")
            print(f"  store the upload  {result['store_s']:7.2f} s")
            print(f"  validate + import {result['run_s']:7.2f} s")
            print(f"  total             {result['total_s']:7.2f} s  "
                  f"({record.imported_rows / result['total_s']:,.0f} rows/s)")
            print(f"  CPU time of this process {result['cpu_s']:7.2f} s (the wall time above is "
                  "longer when other processes share the cores)")
            print(f"  peak RSS (whole process, ru_maxrss) {maxrss:7.1f} MiB")
            if args.tracemalloc:
                import tracemalloc

                tracemalloc.start()
                traced = import_once(world, csv_path)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(f"  with tracemalloc: {traced['total_s']:.2f} s, peak Python "
                      f"allocations {peak / 2**20:.1f} MiB")
            chain = verify_chain()
            print(f"Responses stored: {Response.objects.count():,}; audit chain "
                  f"{'intact' if chain.ok else 'BROKEN: ' + chain.problem}")
        finally:
            connections.close_all()
            os.environ.pop("PLANGOV_VAR_DIR", None)


if __name__ == "__main__":
    main()
