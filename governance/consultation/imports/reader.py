"""Reading an uploaded file of offline responses, row by row, never whole.

CSV must be UTF-8 (a byte-order mark, as Excel's "CSV UTF-8" writes, is fine); XLSX is read
with openpyxl in read-only mode (its first worksheet), so memory stays flat however long the
file. Every cell comes out as text: numbers as written (``3``, not ``3.0``), dates as
``YYYY-MM-DD``, true/false as ``yes``/``no``, an XLSX formula as its formula text (``=...``,
which the row checks then refuse). A file that cannot be read raises ``Unreadable`` with a
message for the row report, and the row number reached.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CSV, XLSX = "csv", "xlsx"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc)

NOT_UTF8 = ("The file is not UTF-8 text: row {row} holds bytes that cannot be read as UTF-8. "
            "In Excel use Save As, 'CSV UTF-8 (Comma delimited)'; or upload the XLSX file.")


class Unreadable(Exception):
    def __init__(self, message: str, row: int = 1):
        self.message = message
        self.row = row
        super().__init__(message)


def sniff(path: Path, filename: str = "") -> str:
    """CSV or XLSX, by the file's first bytes (a name can lie)."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP):
        return XLSX
    if head.startswith(_OLE):
        raise Unreadable("This is an old Excel (.xls) file; save it as .xlsx or as CSV UTF-8 "
                         "and upload that.")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise Unreadable("This file is named .xlsx but is not an Excel workbook; upload the "
                         "workbook itself, or save it as CSV UTF-8.")
    return CSV


def rows(path: Path, kind: str) -> Iterator[list[str]]:
    """Each row of the file as a list of text cells, the header first."""
    if kind == XLSX:
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path)


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, strict=True)
        row_number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise Unreadable(NOT_UTF8.format(row=row_number + 1), row_number + 1) from exc
            except csv.Error as exc:
                raise Unreadable(f"Row {row_number + 1} is not valid CSV ({exc}); check its "
                                 "quotes, or save the file again from your spreadsheet.",
                                 row_number + 1) from exc
            row_number += 1
            yield row


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    handle = open(path, "rb")  # a handle: the stored file has no .xlsx name to check
    try:
        book = load_workbook(handle, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        handle.close()
        raise Unreadable("This file is not a workbook Excel can open (.xlsx); save it again "
                         "as .xlsx or as CSV UTF-8.") from exc
    try:
        sheet = book.worksheets[0]
        row_number = 0
        try:
            for values in sheet.iter_rows(values_only=True):
                row_number += 1
                yield [_xlsx_text(v) for v in values]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise Unreadable(f"Row {row_number + 1} of the workbook cannot be read; save it "
                             "again as .xlsx or as CSV UTF-8.", row_number + 1) from exc
    finally:
        book.close()
        handle.close()
