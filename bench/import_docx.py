"""Benchmark: import a 100-page Word document (parse, validate, preview).

Builds a plan in Word with python-docx: a long vision, 30 outcomes with 4 priorities each (every
one with paragraphs of description), an indicators table of 150 rows and an actions table of
900 rows; about 60,000 words, which at 500 words a page of text and 25 rows a page of table is
well over 100 pages. Then times what the import does with an upload, median of several runs:

- *preview*: the file's checks (zip directory, inflated bytes, no DTD), reading it with
  python-docx into content, the text policy and the validator (documents.content.normalise),
  and the preview (what was understood, what was not);
- *service*: the same through ``import_preview`` on a throwaway database, which also keeps the
  result for the confirmation.

    .venv/bin/python bench/import_docx.py [--repeat 5] [--keep plan.docx]

Target: under 5 s for the service.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import throwaway_database  # noqa: E402

OUTCOMES, PRIORITIES, INDICATORS, ACTIONS = 30, 4, 150, 900
WORDS = ("children young people families health education safety achievement early help "
         "partnership outcomes improve support services schools community wellbeing").split()


def sentence(n: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n)).capitalize() + "."


def paragraph(seed: int, words: int = 90) -> str:
    return " ".join(sentence(15, seed + i) for i in range(words // 15))


def build_docx() -> tuple[bytes, int]:
    import docx

    document = docx.Document()
    document.add_heading("Children and Young People's Plan 2026-29", level=0)
    document.add_heading("Vision", level=1)
    for i in range(12):
        document.add_paragraph(paragraph(i))
    document.add_heading("Outcomes and priorities", level=1)
    for o in range(OUTCOMES):
        document.add_heading(f"Outcome {o + 1}: {sentence(6, o)}", level=2)
        for i in range(3):
            document.add_paragraph(paragraph(o * 10 + i))
        for p in range(PRIORITIES):
            document.add_heading(f"Priority {o + 1}.{p + 1}: {sentence(8, o + p)}", level=3)
            for i in range(3):
                document.add_paragraph(paragraph(o * 100 + p * 10 + i))
    document.add_heading("Indicators", level=1)
    header = ["Indicator", "Outcome", "Unit", "Baseline", "Baseline period", "Latest",
              "Latest period", "Target", "Direction of good"]
    rows = [[f"Indicator {i + 1}: {sentence(6, i)}", f"Outcome {i % OUTCOMES + 1}: "
             f"{sentence(6, i % OUTCOMES)}", "%", f"{10 + i % 7}.5", "2025", f"{9 + i % 5}",
             "2026", "8", "Lower is better"] for i in range(INDICATORS)]
    table(document, header, rows)
    document.add_heading("Actions", level=1)
    header = ["Action", "Kind", "Outcome", "Priority", "Lead", "Delivery group", "Due date"]
    rows = [[f"{sentence(14, a)} ({a + 1})", "Immediate priority action",
             f"Outcome {a % OUTCOMES + 1}: {sentence(6, a % OUTCOMES)}",
             f"Priority {a % OUTCOMES + 1}.{a % PRIORITIES + 1}: "
             f"{sentence(8, a % OUTCOMES + a % PRIORITIES)}",
             "Head of Service", "Task and finish group", f"{1 + a % 28}/03/2027"]
            for a in range(ACTIONS)]
    table(document, header, rows)
    out = io.BytesIO()
    document.save(out)
    words = sum(len(p.text.split()) for p in document.paragraphs) + sum(
        len(c.split()) for r in rows for c in r)
    return out.getvalue(), words


def table(document: object, header: list[str], rows: list[list[str]]) -> None:
    from docx.table import _Cell

    t = document.add_table(rows=1 + len(rows), cols=len(header))  # type: ignore[attr-defined]
    for tr, values in zip(t._tbl.tr_lst, [header, *rows], strict=True):
        for tc, value in zip(tr.tc_lst, values, strict=True):
            _Cell(tc, t).text = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the generated Word document here")
    parser.add_argument("--db-name", default="plangov_bench_import")
    args = parser.parse_args()
    with throwaway_database(args) as where:
        os.environ["DJANGO_SETTINGS_MODULE"] = "plangov.settings.test"
        import django
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from documents.content_io import import_preview, reading

        data, words = build_docx()
        if args.keep:
            args.keep.write_bytes(data)
        print(f"database: {where}")
        print(f"document: {len(data) / 2**20:.2f} MB, about {words:,} words, {OUTCOMES} "
              f"outcomes, {OUTCOMES * PRIORITIES} priorities, {INDICATORS} indicators, "
              f"{ACTIONS} actions")
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = reading.preview("plan.docx", data)
            timings.append(time.perf_counter() - started)
        counts = result.as_dict()["understood"]["counts"]
        print(f"read: valid={result.valid}, counts={counts}, "
              f"not understood={len(result.parsed.unread)}")
        print(f"preview (checks, read, validate): median {statistics.median(timings):.2f} s, "
              f"min {min(timings):.2f} s, max {max(timings):.2f} s over {args.repeat} runs")

        plan, lead = make_plan()
        service = []
        for _ in range(args.repeat):
            upload = SimpleUploadedFile("plan.docx", data)
            started = time.perf_counter()
            import_preview(plan=plan, actor=lead, upload=upload)
            service.append(time.perf_counter() - started)
        median = statistics.median(service)
        print(f"import_preview service: median {median:.2f} s, min {min(service):.2f} s, "
              f"max {max(service):.2f} s over {args.repeat} runs "
              f"(target under 5 s: {'met' if median < 5 else 'NOT met'})")


def make_plan() -> tuple[object, object]:
    import datetime

    from django.contrib.auth import get_user_model

    from documents.services import plan_create
    from governance.models import Body, BodyKind, Membership, Partnership, Role

    partnership = Partnership.objects.create(name="Bench Trust", slug="bench")
    board = Body.objects.create(partnership=partnership, name="Board", slug="board", quorum=1)
    executive = Body.objects.create(partnership=partnership, name="Executive", slug="executive",
                                    kind=BodyKind.EXECUTIVE, quorum=1)
    lead = get_user_model().objects.create_user("bench-lead")
    Membership.objects.create(user=lead, body=board, role=Role.LEAD_OFFICER,
                              starts_on=datetime.date(2000, 1, 1))
    plan = plan_create(
        actor=lead, partnership=partnership, title="Bench plan", kind="cypp",
        period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2029, 3, 31),
        owning_body=board, lead_officer=lead, approving_bodies=[board], executive_body=executive)
    return plan, lead


if __name__ == "__main__":
    main()
