"""Bulk progress updates from a spreadsheet: the whole file checked first, a row report, one
transaction and one audit event."""

from __future__ import annotations

import datetime
import hashlib
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import ActionProgress, Plan, ProgressNote
from documents.monitoring.lead_links import lead_link_set
from documents.monitoring.progress_import import (
    RowReport,
    progress_file_import,
    template_csv,
    template_xlsx,
)
from governance.models import AuditEvent
from plangov import tabular
from plangov.errors import Forbidden, InvalidInput

from .action_helpers import HEADER, LEADS, adopted_plan, csv_bytes, partnership_person, title
from .action_helpers import xlsx_bytes as xlsx

GOOD = [
    HEADER,
    [1, title(1), "on_track", "2016-07-01", "Three schools joined."],
    [2, title(2), "At risk", "02/07/2016", "Funding late."],
    [3, title(3), "complete", "2016-07-14", ""],
]


@pytest.fixture
def plan(world: Any, frozen_clock: Any) -> Plan:
    return adopted_plan(world)


def upload(data: bytes, name: str = "progress.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def run(plan: Plan, actor: Any, data: bytes, name: str = "progress.csv") -> Any:
    return progress_file_import(plan=plan, upload=upload(data, name), filename=name,
                                actor=actor)


def report(excinfo: Any) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in excinfo.value.problems]


def nothing_saved() -> None:
    assert not ProgressNote.objects.exists() and not ActionProgress.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="action_progress").exists()


@pytest.mark.parametrize("make, name", [(csv_bytes, "progress.csv"), (xlsx, "progress.xlsx")])
def test_a_good_file_updates_every_row_with_one_audit_event(world, plan, make, name,
                                                             settings):
    data = make(GOOD)
    result = run(plan, world.lead, data, name)
    assert (result.updates, result.actions) == (3, 3)
    statuses = dict(ActionProgress.objects.values_list("action_number", "status"))
    assert statuses == {1: "on_track", 2: "at_risk", 3: "complete"}
    assert ProgressNote.objects.get(progress__action_number=2).noted_on == datetime.date(
        2016, 7, 2)
    events = AuditEvent.objects.filter(action__startswith="action_progress")
    assert [e.action for e in events] == ["action_progress.import"]
    assert events[0].after["input_sha256"] == hashlib.sha256(data).hexdigest()
    assert events[0].after["updates"] == 3 and "Three schools" not in str(events[0].after)
    assert not list((Path(settings.PLANGOV_IMPORT_DIR) / "progress-tmp").glob("*"))


@pytest.mark.parametrize("make, name", [(csv_bytes, "progress.csv"), (xlsx, "progress.xlsx")])
def test_a_file_with_several_bad_rows_is_reported_row_by_row_and_nothing_saved(
        world, plan, make, name):
    rows = [
        HEADER,
        [1, title(1), "on_track", "2016-07-01", "Fine."],
        [2, title(2), "green", "2016-07-01", ""],
        [3, title(3), "complete", "2099-01-01", "@SUM(A1:A9)"],
        [7, "Action 7", "on_track", "yesterday", ""],
        [],
        [1, "Old title of action 1", "on_track", "2016-07-01", ""],
    ]
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, make(rows), name)
    assert report(refused) == [
        (3, "status"), (4, "date"), (4, "progress note"), (5, "action number"),
        (5, "date"), (7, "action title")]
    messages = [str(p) for p in refused.value.problems]
    assert messages[0].startswith("Row 3, status: 'green' is not a status; use one of: "
                                  "not_started, on_track")
    assert "older version" in messages[-1]
    assert refused.value.status == 400 and refused.value.errors["file"] == messages
    nothing_saved()


def test_a_csv_cell_that_a_spreadsheet_would_run_is_refused(world, plan):
    rows = [HEADER, [1, title(1), "on_track", "2016-07-01", "=HYPERLINK(\"http://x\")"]]
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, csv_bytes(rows))
    assert report(refused) == [(2, "progress note")]
    assert "formula" in str(refused.value.problems[0])


def test_formula_cells_are_read_as_their_values(world, plan):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([1, title(1), "=\"on_\"&\"track\"", "2016-07-01", "ok"])
    out = io.BytesIO()
    book.save(out)
    # openpyxl stores no computed value: read as a value, the cell is blank (Excel would have
    # saved "on_track"), never the formula's text.
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, out.getvalue(), "progress.xlsx")
    assert report(refused) == [(2, "status")]
    assert "Give the action's status" in str(refused.value.problems[0])


@pytest.mark.parametrize("rows, expected", [
    ([["number", "title", "status"]], [(1, "date")]),
    ([["Action number", "Action title", "Status", "Date", "Colour"]], [(1, "Colour")]),
    ([["Action number", "Action number", "Action title", "Status", "Date"]],
     [(1, "action number")]),
    ([HEADER], [(2, "")]),
    ([], [(1, "")]),
])
def test_a_wrong_header_or_no_rows_is_reported(world, plan, rows, expected):
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, csv_bytes(rows) or b"\n")
    assert report(refused) == expected
    nothing_saved()


@pytest.mark.parametrize("data, name, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "old Excel"),
    (b"not a workbook", "progress.xlsx", "not an Excel workbook"),
    ("Action number,Action title,Status,Date\n1,Caf\xe9".encode("latin-1"), "p.csv",
     "not UTF-8"),
])
def test_unreadable_files_are_refused_with_the_reason(world, plan, data, name, words):
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, data, name)
    assert words in str(refused.value.problems[0])
    nothing_saved()


def test_a_zip_that_is_not_a_workbook_is_refused(world, plan):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, out.getvalue(), "progress.xlsx")
    assert "not a workbook" in str(refused.value.problems[0])
    nothing_saved()


def test_a_workbook_that_unpacks_too_big_is_refused(world, plan, monkeypatch):
    from documents.monitoring import progress_import

    monkeypatch.setattr(progress_import, "MAX_UNPACKED", 1000)
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, xlsx(GOOD), "progress.xlsx")
    assert "unpacks to" in str(refused.value.problems[0])
    nothing_saved()


def test_an_oversized_or_empty_file_is_refused_naming_file(world, plan, settings):
    settings.PLANGOV_PROGRESS_IMPORT_MAX_BYTES = 2048
    with pytest.raises(InvalidInput) as big:
        run(plan, world.lead, csv_bytes(GOOD) + b"x" * 4096)
    assert "MB" in big.value.errors["file"][0] and not isinstance(big.value, RowReport)
    with pytest.raises(InvalidInput) as empty:
        run(plan, world.lead, b"")
    assert "empty" in empty.value.errors["file"][0]
    with pytest.raises(InvalidInput):
        progress_file_import(plan=plan, upload=None, actor=world.lead)
    nothing_saved()


def test_too_many_rows_are_refused(world, plan, monkeypatch):
    from documents.monitoring import progress_import

    monkeypatch.setattr(progress_import, "MAX_ROWS", 2)
    with pytest.raises(RowReport) as refused:
        run(plan, world.lead, csv_bytes(GOOD))
    assert "more than 2 rows" in str(refused.value.problems[0])


def test_a_linked_lead_imports_their_own_rows_and_others_are_reported(world, plan):
    person = partnership_person(world, "public_health")
    lead_link_set(plan=plan, name=LEADS[0], person=person, actor=world.lead)
    with pytest.raises(RowReport) as refused:
        run(plan, person, csv_bytes(GOOD))
    assert report(refused) == [(3, "action number"), (4, "action number")]
    nothing_saved()
    run(plan, person, csv_bytes(GOOD[:2]))
    assert ProgressNote.objects.get().author == person
    with pytest.raises(Forbidden):
        run(plan, world.board_secretary, csv_bytes(GOOD))


@pytest.mark.parametrize("make", [template_csv, template_xlsx])
def test_the_template_holds_the_current_actions_and_imports_once_filled(world, plan, make):
    data = make(plan, world.lead)
    path = Path(tempfile.mkdtemp()) / "template"
    path.write_bytes(data)
    rows = list(tabular.rows(path, tabular.sniff(path)))
    assert [h.casefold() for h in rows[0]] == ["action number", "action title", "lead",
                                               "status", "date", "progress note"]
    assert [r[:4] for r in rows[1:4]] == [
        ["1", title(1), LEADS[0], "not_started"], ["2", title(2), LEADS[1], "not_started"],
        ["3", title(3), LEADS[2], "not_started"]]
    filled = [rows[0], *[[*r[:4], "2016-07-01", "Note"] for r in rows[1:4]]]
    result = run(plan, world.lead, csv_bytes(filled))
    assert result.updates == 3


def test_the_template_escapes_titles_that_look_like_formulas(world, frozen_clock):
    from documents.models import PlanVersion

    plan = adopted_plan(world)
    version = PlanVersion.objects.get(pk=plan.adopted_version_id)
    content = dict(version.content)
    content["actions"] = [{**content["actions"][0], "title": "=1+2 more places"}]
    PlanVersion.objects.filter(pk=version.pk).update(content=content)
    data = template_csv(plan, world.lead)
    assert b"'=1+2 more places" in data
    # Filled in and uploaded, the guarded title still matches the action's.
    path = Path(tempfile.mkdtemp()) / "template.csv"
    path.write_bytes(data)
    header, row = list(tabular.rows(path, tabular.CSV))
    result = run(plan, world.lead, csv_bytes([header, [*row[:4], "2016-07-01", "ok"]]))
    assert result.updates == 1


def test_the_same_file_uploaded_again_writes_nothing_new(world, plan):
    run(plan, world.lead, csv_bytes(GOOD))
    again = run(plan, world.lead, xlsx(GOOD), "again.xlsx")
    assert (again.updates, again.skipped) == (0, 3)
    assert ProgressNote.objects.count() == 3
    assert AuditEvent.objects.filter(action="action_progress.import").count() == 1
    changed = [GOOD[0], GOOD[1], [2, title(2), "complete", "2016-07-14", "Done."]]
    result = run(plan, world.lead, csv_bytes(changed))
    assert (result.updates, result.skipped) == (1, 1)
    assert AuditEvent.objects.get(action="action_progress.import", after__skipped=1)
