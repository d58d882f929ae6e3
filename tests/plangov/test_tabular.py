"""plangov.tabular: the reading and checks every spreadsheet import shares."""

from __future__ import annotations

import datetime
import io

import pytest

from plangov import tabular
from plangov.errors import InvalidInput

COLUMNS = {"action number": ("number",), "status": (), "date": ("noted_on",)}


def test_map_header_finds_columns_by_name_or_alias_in_any_order():
    found, problems = tabular.map_header(["  Status ", "NUMBER", "noted_on", "", ""], COLUMNS,
                                         required=["status"])
    assert found == {"status": 0, "action number": 1, "date": 2} and problems == []


def test_map_header_reports_unknown_blank_repeated_and_missing_columns():
    found, problems = tabular.map_header(["status", "", "colour", "Status", "x"], COLUMNS,
                                         required=["status", "date"])
    assert [(p.row, p.column) for p in problems] == [
        (1, "column 2"), (1, "colour"), (1, "status"), (1, "x"), (1, "date")]
    assert found == {"status": 0}


@pytest.mark.parametrize("cell, clean, refused", [
    ("  fine\r\ntext ", "fine\ntext", False),
    ("=SUM(A1)", "", True), ("@cmd", "", True), ("-1", "", True),
    ("bad\x0bchar", "", True), ("", "", False),
])
def test_clean_cell_applies_the_text_policy_and_refuses_formulas(cell, clean, refused):
    value, problem = tabular.clean_cell(cell)
    assert value == clean and (problem is not None) == refused


@pytest.mark.parametrize("value, day", [
    ("2016-07-01", datetime.date(2016, 7, 1)), ("01/07/2016", datetime.date(2016, 7, 1)),
    ("2016-02-30", None), ("July 1", None), ("", None)])
def test_parse_date(value, day):
    assert tabular.parse_date(value) == day


def test_a_problem_reads_as_the_row_report_says_it():
    assert str(tabular.Problem(7, "status", "'green' is not a status.")) == (
        "Row 7, status: 'green' is not a status.")
    assert str(tabular.Problem(0, "", "Unreadable.")) == "The file: Unreadable."


def test_spool_hashes_and_stops_at_the_limit(tmp_path):
    path, sha, size = tabular.spool(io.BytesIO(b"abc"), tmp_path, limit=10, missing="m",
                                    empty="e")
    assert path.read_bytes() == b"abc" and size == 3 and len(sha) == 64
    with pytest.raises(InvalidInput) as big:
        tabular.spool(io.BytesIO(b"x" * 11), tmp_path, limit=10, missing="m", empty="e")
    assert "MB" in big.value.errors["file"][0]
    with pytest.raises(InvalidInput) as empty:
        tabular.spool(io.BytesIO(b""), tmp_path, limit=10, missing="m", empty="e")
    assert empty.value.errors == {"file": ["e"]}
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_rows_read_csv_with_a_byte_order_mark_and_xlsx_values(tmp_path):
    from openpyxl import Workbook

    csv_file = tmp_path / "a.csv"
    csv_file.write_bytes("\ufeffa,b\n1,é\n".encode())
    assert list(tabular.rows(csv_file, tabular.sniff(csv_file))) == [["a", "b"], ["1", "é"]]
    book = Workbook()
    book.active.append(["n", "day", "f"])
    book.active.append([3.0, datetime.datetime(2016, 7, 1), "=1+1"])
    xlsx = tmp_path / "a.bin"
    book.save(xlsx)
    assert tabular.sniff(xlsx) == tabular.XLSX
    assert list(tabular.rows(xlsx, tabular.XLSX))[1] == ["3", "2016-07-01", "=1+1"]
    # As values, a formula openpyxl saved has no computed value: blank, never its text.
    assert list(tabular.rows(xlsx, tabular.XLSX, formulas="values"))[1] == [
        "3", "2016-07-01", ""]
