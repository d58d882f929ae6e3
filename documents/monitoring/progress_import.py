"""Bulk progress updates from a spreadsheet (CSV or XLSX), and the template to fill in.

The file is read by plangov.tabular, the reader every import shares (streamed; CSV as UTF-8;
XLSX with openpyxl, formula cells read as the value Excel last computed; an old .xls or a zip
that is not a workbook refused), up to ``max_bytes()`` and ``MAX_ROWS`` rows. Columns, in any
order, headings not case-sensitive:

- ``action number`` (1 is the adopted version's first action),
- ``action title``: must match that action's title (guards against a sheet made for an
  older version of the plan),
- ``status``: not_started, on_track, at_risk, off_track, complete, dropped (or their words,
  "On track"),
- ``date``: the day of the progress, YYYY-MM-DD or DD/MM/YYYY; not in the future, not before
  the plan was adopted,
- ``progress note`` (optional; text starting with = + - or @ is refused, as in every import),
- ``lead`` (optional, ignored: the template shows it).

The WHOLE file is checked first, every row by the same checks as one update
(``actions.UpdateChecker``). Any problem and nothing is saved: ``RowReport`` (a 400 on
``file``) carries the row report (row, column, problem). Else every row is written in one
transaction with ONE audit event (counts and the file's SHA-256, never the rows).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from documents.models import Plan
from governance import policy
from plangov import tabular
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.txn import service

from .actions import (
    MAX_UPDATES,
    BulkResult,
    action_rows,
    bulk_apply,
    may_report,
    open_plan,
    updates_check,
)

MAX_ROWS = MAX_UPDATES
MAX_UNPACKED = 100 * 1024 * 1024  # a workbook's parts, unpacked
# Each column of the file: its heading, the headings also accepted, the update's field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "action number": ("action_number", "action no", "action no.", "number", "no", "no."),
    "action title": ("action_title", "title", "action"),
    "status": (),
    "date": ("noted_on", "noted on", "progress date", "date of progress"),
    "progress note": ("progress_note", "note", "notes", "text", "progress"),
    "lead": (),
}
FIELDS = {"action number": "action_number", "action title": "action_title",
          "status": "status", "date": "noted_on", "progress note": "text"}
COLUMN_OF = {field: column for column, field in FIELDS.items()}
REQUIRED = ("action number", "action title", "status", "date")
HEADER = ["action number", "action title", "lead", "status", "date", "progress note"]


def max_bytes() -> int:
    return getattr(settings, "PLANGOV_PROGRESS_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


class RowReport(InvalidInput):
    """The file has problems: nothing was saved. ``problems`` is the row report."""

    def __init__(self, problems: list[tabular.Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[:200]]
        if len(problems) > len(shown):
            shown.append(f"… and {len(problems) - len(shown):,} more problems.")
        rows = {p.row for p in problems if p.row > 1}
        detail = ("The file was not imported: nothing was saved. " + (
            f"{len(rows):,} row{'s' if len(rows) != 1 else ''} have problems."
            if rows else "Its columns or its format are wrong."))
        super().__init__({"file": shown}, detail=detail)


def _read(path: Path, filename: str) -> tuple[list[tuple[int, dict[str, Any]]],
                                              list[tabular.Problem]]:
    """The file's rows as raw updates, by row number; or the problems that stop reading."""
    try:
        kind = tabular.sniff(path, filename)
        rows: Iterator[list[str]] = tabular.rows(path, kind, formulas="values",
                                                 max_unpacked=MAX_UNPACKED)
        header = next(rows, None)
        if header is None:
            return [], [tabular.Problem(1, "", "The file is empty: it has no header and no "
                                        "rows.")]
        if not any(cell.strip() for cell in header):
            return [], [tabular.Problem(1, "", "The first row is empty: it must name the "
                                        "columns (download the template to see them).")]
        found, problems = tabular.map_header(header, COLUMNS, required=REQUIRED)
        if problems:
            return [], problems
        items: list[tuple[int, dict[str, Any]]] = []
        for number, cells in enumerate(rows, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(items) >= MAX_ROWS:
                return [], [tabular.Problem(number, "", (
                    f"The file has more than {MAX_ROWS:,} rows of updates; split it into "
                    "smaller files."))]
            raw: dict[str, Any] = {}
            for column, cell in tabular.cells_of(cells, found).items():
                field = FIELDS.get(column)
                if field is None:
                    continue
                clean, problem = tabular.clean_cell(cell)
                if problem is not None:
                    problems.append(tabular.Problem(number, column, problem))
                    raw[field] = None
                else:
                    raw[field] = clean
            items.append((number, raw))
        if not items:
            return [], [tabular.Problem(2, "", "The file has a header but no rows of updates.")]
        return items, problems
    except tabular.Unreadable as exc:
        return [], [tabular.Problem(exc.row, "", exc.message)]


def may_import(plan: Plan, actor: Any) -> None:
    """Raise Forbidden or Conflict unless ``actor`` may update the plan's actions now."""
    verdict = may_report(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if not plan.adopted_version_id:
        raise Conflict("This plan has not been adopted: progress is reported on the actions "
                       "of the adopted plan.")


def progress_file_import(*, plan: Plan, upload: Any, filename: str = "",
                         actor: Any) -> BulkResult:
    """Check the whole file, then write every row (one transaction, one audit event); or
    raise ``RowReport`` and save nothing."""
    may_import(plan, actor)
    directory = Path(settings.PLANGOV_IMPORT_DIR) / "progress-tmp"
    path, sha, size = tabular.spool(
        upload, directory, limit=max_bytes(),
        missing="Choose a CSV or XLSX file of progress updates.",
        empty="The file is empty; choose the file of progress updates.")
    try:
        items, problems = _read(path, filename or getattr(upload, "name", "") or "")
    finally:
        path.unlink(missing_ok=True)
    if not items:
        raise RowReport(problems)
    return _import(plan_id=plan.pk, items=items, problems=problems, sha=sha, size=size,
                   actor=actor)


@service
def _import(*, plan_id: int, items: list[tuple[int, dict[str, Any]]],
            problems: list[tabular.Problem], sha: str, size: int, actor: Any) -> BulkResult:
    plan, version = open_plan(plan_id, actor)
    refused = {(p.row, p.column) for p in problems}
    checkable = [(row, {k: v for k, v in raw.items() if (row, COLUMN_OF[k]) not in refused})
                 for row, raw in items]
    clean, found = updates_check(plan, version, actor, checkable)
    # A cell already refused (a formula, a control character) is reported once, as such.
    for problem in found:
        column = COLUMN_OF.get(problem.column, problem.column)
        if (problem.row, column) not in refused:
            problems.append(tabular.Problem(problem.row, column, problem.problem))
    if problems:
        problems.sort(key=lambda p: (p.row, list(FIELDS).index(p.column)
                                     if p.column in FIELDS else 99))
        raise RowReport(problems)
    return bulk_apply(plan=plan, version=version, updates=clean, actor=actor, source="file",
                      input_sha256=sha, extra={"file_bytes": size, "rows": len(items)})


# The template.


def template_rows(plan: Plan, actor: Any) -> list[list[Any]]:
    """The adopted version's actions the actor may update, with their current status."""
    everything = policy.is_staff(actor) or bool(policy.can_lead(plan, actor))
    rows = []
    for row in action_rows(plan):
        if everything or (row.person is not None and row.person.pk == actor.pk):
            rows.append([row.number, row.title, row.lead, row.status, "", ""])
    return rows


def template_csv(plan: Plan, actor: Any) -> bytes:
    from governance.consultation.exports import safe_cell

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in template_rows(plan, actor):
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(plan: Plan, actor: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from documents.models import ActionStatus
    from governance.consultation.exports import safe_cell

    book = Workbook()
    sheet = book.active
    sheet.title = "Progress"
    sheet.append(HEADER)
    rows = template_rows(plan, actor)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for letter, width in zip("ABCDEF", (14, 60, 30, 14, 14, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    statuses = DataValidation(type="list", formula1='"' + ",".join(ActionStatus.values) + '"',
                              allow_blank=False)
    sheet.add_data_validation(statuses)
    statuses.add(f"D2:D{max(len(rows) + 1, 2) + 200}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
