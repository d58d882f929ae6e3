"""Benchmark: the scorecard of a plan with 200 indicators and five years of monthly readings.

Builds an adopted plan with ``--indicators`` indicators and ``--months`` monthly readings of
each (bulk-created: 12,000 readings by default; ANALYZE after the load on PostgreSQL), then
times, warm, with the Django test client signed in as the plan's lead officer:

- the scorecard page, unfiltered and filtered by an outcome;
- the scorecard API (``GET /api/v1/plans/{id}/scorecard/``), when the branch has it;
- the CSV export (one line per indicator) and the export of every reading;

printing each one's median and p95 and its query count, and then renders and signs the
scorecard PDF ``--renders`` times (the worker's path: document_render), against the render
time limit (PLANGOV_RENDER_SOFT_SECONDS).

    .venv/bin/python bench/scorecard.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scorecard.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django, throwaway_database  # noqa: E402

TARGET_MS = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per URL")
    parser.add_argument("--renders", type=int, default=1, help="PDF renders (0: none)")
    parser.add_argument("--keep", type=Path, help="write the signed PDF into this folder")
    parser.add_argument("--db-name", default="bench_scorecard")
    return parser.parse_args()


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]


def build(world: Any, indicators: int, months: int) -> Any:
    from django.db import connection

    from tests.scorecard_data import adopted_plan

    started = time.perf_counter()
    plan = adopted_plan(world, indicators=indicators, months=months)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built the plan and {indicators * months:,} readings in "
          f"{time.perf_counter() - started:.1f} s")
    return plan


def time_urls(world: Any, plan: Any, requests: int) -> list[tuple[str, int, list[float], int,
                                                                  int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(world.lead)
    urls = [
        f"/plans/{plan.pk}/scorecard/",
        f"/plans/{plan.pk}/scorecard/?outcome=healthy",
        f"/api/v1/plans/{plan.pk}/scorecard/",
        f"/plans/{plan.pk}/scorecard.csv",
        f"/plans/{plan.pk}/scorecard-readings.csv",
    ]
    from django.core.cache import cache

    cold = []
    for _ in range(5):  # the first view after a reading changed: rows rendered, then cached
        cache.clear()
        started = time.perf_counter()
        client.get(urls[0])
        cold.append(time.perf_counter() - started)
    print(f"scorecard page, cold (rows rendered and cached): median "
          f"{statistics.median(cold) * 1000:.0f} ms, worst {max(cold) * 1000:.0f} ms")
    results = []
    for url in urls:
        for _ in range(3):  # warm up
            response = client.get(url)
        if response.status_code == 404 and url.startswith("/api/"):
            results.append((url, 404, [0.0], 0, 0))
            continue
        timings, queries = [], 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            queries = len(captured)
        results.append((url, response.status_code, timings, queries, len(response.content)))
    return results


def time_pdf(world: Any, plan: Any, renders: int, keep: Path | None) -> list[tuple[float, int]]:
    from django.conf import settings

    from documents.models import DocumentKind, SignedDocument
    from documents.publishing import services, storage

    results = []
    for n in range(renders):
        started = time.perf_counter()
        document = services.document_request(plan=plan, actor=world.lead,
                                             kind=DocumentKind.SCORECARD)
        asked = time.perf_counter() - started
        if n:  # the same readings: render the same document again, from scratch
            SignedDocument.objects.filter(pk=document.pk).update(status="pending",
                                                                 claimed_at=None)
        started = time.perf_counter()
        outcome = services.document_render(document_id=document.pk)
        seconds = time.perf_counter() - started
        document.refresh_from_db()
        if outcome != "done":
            raise SystemExit(f"render {outcome}: {document.error}")
        results.append((seconds, document.page_count or 0))
        print(f"PDF render {n + 1}: asked in {asked * 1000:.0f} ms (digest of the readings), "
              f"rendered and signed in {seconds:.1f} s, {document.page_count} pages, "
              f"{document.file_size / 1024:.0f} KiB; the soft limit is "
              f"{settings.PLANGOV_RENDER_SOFT_SECONDS} s")
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / document.filename).write_bytes(storage.read(document.file_sha256))
    return results


def report(database: str, args: argparse.Namespace,
           urls: list[tuple[str, int, list[float], int, int]]) -> bool:
    print(f"\nplangov scorecard — {database}")
    print(f"{args.indicators} indicators x {args.months} monthly readings; {args.requests} "
          f"warm requests per URL (lead officer)\n")
    header = (f"{'URL':<46}{'status':>7}{'median ms':>11}{'p95 ms':>9}{'queries':>9}"
              f"{'KiB':>8}")
    print(header)
    print("-" * len(header))
    ok = True
    for url, status, timings, queries, size in urls:
        if status == 404:
            print(f"{url:<46}{status:>7}   (not on this branch)")
            continue
        print(f"{url:<46}{status:>7}{statistics.median(timings) * 1000:>11.1f}"
              f"{p95(timings) * 1000:>9.1f}{queries:>9}{size / 1024:>8.0f}")
        if "csv" not in url and p95(timings) * 1000 >= TARGET_MS:
            ok = False
    print(f"\npage and API p95 under {TARGET_MS} ms: {'yes' if ok else 'NO'}")
    return ok


def main() -> None:
    args = parse_args()
    with throwaway_database(args) as database:
        setup_django()
        from django.conf import settings
        from django.db import connections

        from documents.publishing import services
        from documents.publishing.signing import make_demo_credentials
        from tests.conftest import build_world

        settings.ALLOWED_HOSTS = ["*"]
        make_demo_credentials(Path(settings.PLANGOV_SIGNING_P12).parent)
        services._enqueue = lambda document_id: None  # rendered here, timed, not queued
        try:
            world = build_world()
            plan = build(world, args.indicators, args.months)
            urls = time_urls(world, plan, args.requests)
            report(database, args, urls)
            if args.renders:
                print()
                time_pdf(world, plan, args.renders, args.keep)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
