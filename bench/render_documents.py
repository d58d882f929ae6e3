"""Benchmark: render and sign the demo plan, and a 50-page plan with large tables.

Loads the demo into a throwaway database, walks the demo Children and Young People's Plan
2009-12 through consultation, both boards, the Executive and call-in to adoption, then renders
and signs its PDF, a decision notice, and a synthetic plan of at least 50 pages. Each render
runs in a forked child process, so its peak memory (ru_maxrss) is its own.

    .venv/bin/python bench/render_documents.py [--keep DIR] [--repeat 3]

``--keep DIR`` writes the signed PDFs there, to look at (pdftoppm -png -r 60 plan.pdf p).
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import throwaway_database  # noqa: E402

TARGET_PAGES = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="write the signed PDFs into this folder")
    parser.add_argument("--repeat", type=int, default=3, help="renders of each document")
    parser.add_argument("--db-name", default="plangov_bench_render")
    return parser.parse_args()


def setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "plangov.settings.test"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    from documents.publishing import services
    from documents.publishing.signing import make_demo_credentials

    make_demo_credentials(Path(settings.PLANGOV_SIGNING_P12).parent)
    # Renders are timed here, one by one, not queued to a worker at adoption.
    services._enqueue = lambda document_id: None


class Clock:
    def __init__(self, start: datetime.datetime):
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now


def adopt_demo_plan(clock: Clock) -> Any:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from documents.models import Plan, PlanKind
    from governance.models import Body, DecisionOutcome
    from plangov import calendar
    from workflows.decisions import decision_record
    from workflows.services import (
        plan_adopt,
        plan_close_consultation,
        plan_start_consultation,
        plan_submit,
    )

    call_command("load_demo", "--i-understand-demo-passwords", stdout=open(os.devnull, "w"))
    users = {u.username: u for u in get_user_model().objects.all()}
    plan = Plan.objects.get(kind=PlanKind.CYPP)
    lead = plan.lead_officer
    clock.now = datetime.datetime(2009, 1, 12, 10, tzinfo=datetime.UTC)
    plan_start_consultation(plan=plan, actor=lead, title="Priorities for 2009-12")
    clock.now += datetime.timedelta(days=42)
    plan_close_consultation(plan=plan, actor=lead)
    clock.now += datetime.timedelta(days=7)
    plan = plan_submit(plan=plan, actor=lead, reason="For approval by the boards.")
    bodies = {b.slug: b for b in Body.objects.filter(partnership=plan.partnership)}
    for index, (slug, secretary) in enumerate(
        [("yorok-board", "yorok-secretary"), ("safeguarding-board", "safeguarding-secretary")]
    ):
        clock.now += datetime.timedelta(days=7)
        decision_record(
            plan=plan, actor=users[secretary], body=bodies[slug],
            outcome=DecisionOutcome.APPROVED, decided_on=clock.now.date(), attendance=11,
            votes_for=10, votes_abstaining=1,
            minute_reference=f"{slug.split('-')[0]}/09/{14 + index}",
            reasons="The plan reflects what children, young people and partners told us.",
        )
    clock.now += datetime.timedelta(days=14)
    executive = next(u for n, u in users.items() if n.startswith("executive-member")) \
        if any(n.startswith("executive-member") for n in users) else users["executive-secretary"]
    decision_record(
        plan=plan, actor=executive, body=bodies["executive"], outcome=DecisionOutcome.APPROVED,
        decided_on=clock.now.date(), attendance=7, votes_for=7, minute_reference="EX/09/31",
        reasons="To adopt the Children and Young People's Plan 2009-2012.",
    )
    plan.refresh_from_db()
    end = plan.call_in_ends_on
    clock.now = datetime.datetime.combine(calendar.add_working_days(end, 1),
                                          datetime.time(9), tzinfo=datetime.UTC)
    plan = plan_adopt(plan=plan, actor=None, reason="The call-in period ended.")
    return plan


def big_plan(clock: Clock, template: Any) -> Any:
    """A plan of many outcomes, indicators and actions: long tables over many pages."""
    from documents.content import content_hash, normalise
    from documents.models import Plan, PlanVersion

    content = dict(template.adopted_version.content)
    outcomes = []
    for o in range(12):
        outcomes.append({
            "key": f"outcome-{o}",
            "title": f"Outcome {o + 1}: {content['outcomes'][o % 5]['title']}",
            "description": content["outcomes"][o % 5]["description"] * 2,
            "priorities": [
                {"key": f"p{o}-{p}", "title": f"Priority {p + 1} of outcome {o + 1}: "
                 + content["outcomes"][o % 5]["priorities"][0]["title"],
                 "description": "A priority described at length. " * 6}
                for p in range(4)
            ],
        })
    indicators = [
        {**content["indicators"][i % len(content["indicators"])], "key": f"ind-{i}",
         "outcome": f"outcome-{i % 12}", "title": f"Indicator {i + 1}: "
         + content["indicators"][i % len(content["indicators"])]["title"]}
        for i in range(64)
    ]
    actions = [
        {**content["actions"][i % len(content["actions"])], "outcome": f"outcome-{i % 12}",
         "priority": f"p{i % 12}-{i % 4}", "title": f"Action {i + 1}: "
         + content["actions"][i % len(content["actions"])]["title"]}
        for i in range(185)
    ]
    big = {**content, "outcomes": outcomes, "indicators": indicators, "actions": actions}
    big = normalise(big)
    # Written directly: the plan is adopted, so no service would take a new version, and the
    # benchmark measures layout and signing, not the approval.
    version = PlanVersion.objects.create(
        plan=template, number=template.versions.count() + 1, content=big,
        content_hash=content_hash(big), note="Benchmark: a long plan.",
        created_by=template.lead_officer, submitted_at=clock.now,
    )
    Plan.objects.filter(pk=template.pk).update(adopted_version=version)
    return PlanVersion.objects.get(pk=version.pk)


def measure(document_id: int, keep: Path | None, name: str) -> dict[str, Any]:
    """Render in a fresh child process; returns seconds, pages, size, peak RSS."""
    reader, writer = multiprocessing.Pipe(duplex=False)

    def child() -> None:
        from django.db import connections

        from documents.models import SignedDocument
        from documents.publishing import services, storage

        connections.close_all()
        SignedDocument.objects.filter(pk=document_id).update(
            status="pending", claimed_at=None, file_sha256=""
        )
        started = time.perf_counter()
        try:
            outcome = services.document_render(document_id=document_id)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, never a hang
            outcome = f"error {exc!r}"
        seconds = time.perf_counter() - started
        doc = SignedDocument.objects.get(pk=document_id)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / name).write_bytes(storage.read(doc.file_sha256))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        writer.send({"outcome": outcome, "seconds": seconds, "pages": doc.page_count,
                     "bytes": doc.file_size, "peak_mib": peak, "error": doc.error})
        connections.close_all()

    from django.db import connections

    connections.close_all()
    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    result = reader.recv()
    process.join()
    return result


def main() -> None:
    args = parse_args()
    with throwaway_database(args) as database:
        setup()
        from django.db import connections

        from documents.models import DocumentKind, SignedDocument
        from documents.publishing.services import record_key
        from plangov import clock as plangov_clock

        clock = Clock(datetime.datetime(2009, 1, 12, 10, tzinfo=datetime.UTC))
        plangov_clock.source = clock
        plan = adopt_demo_plan(clock)
        demo_doc = SignedDocument.objects.get(kind=DocumentKind.PLAN, plan=plan)
        decision = plan.decisions.filter(version__isnull=False).order_by("pk").last()
        notice = SignedDocument.objects.create(
            key=record_key(DocumentKind.DECISION_NOTICE, decision.version, decision=decision),
            kind=DocumentKind.DECISION_NOTICE, plan=plan, version=decision.version,
            decision=decision, content_sha256=decision.version.content_hash,
            requested_at=clock.now,
        )
        version = big_plan(clock, plan)
        big = SignedDocument.objects.create(
            key=record_key(DocumentKind.PLAN, version), kind=DocumentKind.PLAN, plan=plan,
            version=version, content_sha256=version.content_hash, requested_at=clock.now,
        )
        connections.close_all()
        print(f"Database: {database}; WeasyPrint renders in a forked child per run.")
        print(f"{'document':34} {'pages':>5} {'KiB':>6} {'median s':>9} {'max s':>6} "
              f"{'peak MiB':>9}")
        for name, doc in (("demo-plan.pdf", demo_doc), ("decision-notice.pdf", notice),
                          ("big-plan.pdf", big)):
            runs = [measure(doc.pk, args.keep, name) for _ in range(args.repeat)]
            if any(r["outcome"] != "done" for r in runs):
                raise SystemExit(f"{name}: {runs[-1]['outcome']} {runs[-1]['error']}")
            seconds = [r["seconds"] for r in runs]
            print(f"{name:34} {runs[0]['pages']:>5} {runs[0]['bytes'] / 1024:>6.0f} "
                  f"{statistics.median(seconds):>9.2f} {max(seconds):>6.2f} "
                  f"{max(r['peak_mib'] for r in runs):>9.0f}")
            if name == "big-plan.pdf" and runs[0]["pages"] < TARGET_PAGES:
                print(f"  (only {runs[0]['pages']} pages; the target is {TARGET_PAGES})")


if __name__ == "__main__":
    main()
