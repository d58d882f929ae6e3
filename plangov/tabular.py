"""Spreadsheets people upload (CSV, XLSX): one reading and validation path for every import.

Used by the import of offline consultation responses (governance.consultation.imports) and
the bulk update of action progress (documents.monitoring.progress_import). What they share:

- **receiving the file**: ``spool`` writes an upload to disk in chunks, hashing it, and
  refuses it once it passes a size limit (``too_big`` says so); ``SizeLimitHandler`` stops
  Django reading a multipart body past the limit;
- **reading it**: ``sniff`` tells CSV from XLSX by the first bytes (a name can lie; an old
  .xls or a zip that is not a workbook is refused), ``rows`` yields each row as text cells,
  streamed (CSV as UTF-8, a byte-order mark allowed; XLSX with openpyxl in read-only mode, its
  first worksheet), so memory stays flat. A file that cannot be read raises ``Unreadable``
  with a message for the row report and the row reached. A formula cell comes out as its
  formula text (``formulas="text"``, which the cell checks refuse) or as the value Excel last
  computed for it (``formulas="values"``, openpyxl's ``data_only``);
- **checking it**: ``map_header`` maps the header row to known columns (names are not
  case-sensitive, aliases allowed); ``clean_cell`` puts a cell
  through the text policy (plangov.text) and refuses text a spreadsheet would run as a formula
  ("CSV injection"); ``parse_date`` reads YYYY-MM-DD or DD/MM/YYYY; every problem is a
  ``Problem`` (row, column, problem), the row report's line.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from . import text
from .errors import InvalidInput

CSV, XLSX = "csv", "xlsx"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc)

NOT_UTF8 = ("The file is not UTF-8 text: row {row} holds bytes that cannot be read as UTF-8. "
            "In Excel use Save As, 'CSV UTF-8 (Comma delimited)'; or upload the XLSX file.")

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_HINT = "write it as YYYY-MM-DD or DD/MM/YYYY"


class Unreadable(Exception):
    def __init__(self, message: str, row: int = 1):
        self.message = message
        self.row = row
        super().__init__(message)


@dataclass
class Problem:
    """One line of a row report: the file's row (1 is the header; 0 the file as a whole),
    the column (its canonical name) and what is wrong, in words."""

    row: int
    column: str
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "problem": self.problem}

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        return f"{where}, {self.column}: {self.problem}" if self.column else (
            f"{where}: {self.problem}")


# Receiving the file.


def too_big(size: int, limit: int) -> str:
    return (f"The file is {size / 2**20:.1f} MB; files of up to {limit / 2**20:.3g} MB are "
            "imported. Split it into smaller files.")


def spool(upload: Any, directory: Path, *, limit: int, missing: str,
          empty: str) -> tuple[Path, str, int]:
    """Write ``upload`` into ``directory`` (a new ``.part`` file), in chunks, never whole in
    memory; answers its path, SHA-256 and size. Refuses (InvalidInput on ``file``) no upload,
    an empty one, and one past ``limit`` bytes (as soon as it passes it). The caller owns the
    file: it renames or deletes it."""
    if upload is None:
        raise InvalidInput({"file": [missing]})
    if (getattr(upload, "size", 0) or 0) > limit:
        raise InvalidInput({"file": [too_big(upload.size, limit)]})
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f"{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial, "wb") as handle:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(
                lambda: upload.read(1 << 20), b""
            ):
                size += len(chunk)
                if size > limit:
                    raise InvalidInput({"file": [too_big(size, limit)]})
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise InvalidInput({"file": [empty]})
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial, digest.hexdigest(), size


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload once it passes ``limit`` bytes, so a huge body is refused
    after reading at most the limit, not stored whole first. The size seen is left on the
    request as ``plangov_upload_too_big`` for the view to report."""

    limit: int = 0

    def __init__(self, request: Any = None, limit: int | None = None):
        super().__init__(request)
        if limit is not None:
            self.limit = limit
        self.seen = 0

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int,
                         boundary: Any, encoding: Any = None) -> None:
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            self.request.plangov_upload_too_big = self.seen
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# Reading it.


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


def rows(path: Path, kind: str, *, formulas: str = "text",
         max_unpacked: int | None = None) -> Iterator[list[str]]:
    """Each row of the file as a list of text cells, the header first. ``formulas``: an XLSX
    formula cell as its formula text ("text") or as its last computed value ("values").
    ``max_unpacked``: refuse a workbook whose parts unpack to more bytes than this (a small
    file can hold a huge, highly compressed sheet)."""
    if kind == XLSX:
        if max_unpacked is not None:
            _check_unpacked(path, max_unpacked)
        yield from _xlsx_rows(path, data_only=formulas == "values")
    else:
        yield from _csv_rows(path)


def _check_unpacked(path: Path, limit: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable("This file is not a workbook Excel can open (.xlsx); save it again "
                         "as .xlsx or as CSV UTF-8.") from exc
    if size > limit:
        raise Unreadable(f"This workbook unpacks to {size / 2**20:.0f} MB, more than the "
                         f"{limit / 2**20:.0f} MB read; save it as CSV UTF-8, or split it.")


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with open(path, "rb") as raw:
        text_in = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text_in, strict=True)
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


def xlsx_text(value: Any) -> str:
    """A workbook cell as text: numbers as written (3, not 3.0), dates as YYYY-MM-DD,
    true/false as yes/no."""
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


def _xlsx_rows(path: Path, *, data_only: bool = False) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    handle = open(path, "rb")  # a handle: a stored file has no .xlsx name to check
    try:
        book = load_workbook(handle, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        handle.close()
        raise Unreadable("This file is not a workbook Excel can open (.xlsx); save it again "
                         "as .xlsx or as CSV UTF-8.") from exc
    try:
        if not book.worksheets:
            raise Unreadable("This workbook has no worksheet to read.")
        sheet = book.worksheets[0]
        row_number = 0
        try:
            for values in sheet.iter_rows(values_only=True):
                row_number += 1
                yield [xlsx_text(v) for v in values]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise Unreadable(f"Row {row_number + 1} of the workbook cannot be read; save it "
                             "again as .xlsx or as CSV UTF-8.", row_number + 1) from exc
    finally:
        book.close()
        handle.close()


# Checking it.

_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def header_key(value: str) -> str:
    """How a heading or a choice is compared: trimmed, runs of spaces as one, not
    case-sensitive."""
    return _SPACES.sub(" ", value.strip()).casefold()


def parse_date(value: str) -> datetime.date | None:
    """A date written YYYY-MM-DD or DD/MM/YYYY (a workbook's dates come as YYYY-MM-DD)."""
    value = value.strip()
    if len(value) == 10 and value[4] == "-":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    try:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None


def formula_problem(cell: str) -> str | None:
    """The refusal of a cell a spreadsheet would run as a formula, or None."""
    if cell.startswith(FORMULA_STARTS):
        return (f"Starts with '{cell[0]}', which a spreadsheet runs as a formula: not "
                "imported. Remove the sign, or begin the text with a word.")
    return None


def clean_cell(cell: str) -> tuple[str, str | None]:
    """A cell through the text policy, line breaks normalised and trimmed; and the problem
    with it (a refused character, or text starting like a formula), if any."""
    if (refused := text.text_error(cell)) is not None:
        return "", refused
    cell = text.normalise_lines(cell).strip()
    if (formula := formula_problem(cell)) is not None:
        return "", formula
    return cell, None


def map_header(header: Sequence[str], columns: Mapping[str, Sequence[str]], *,
               required: Sequence[str] = ()) -> tuple[dict[str, int], list[Problem]]:
    """Which column of the file holds each known column. ``columns`` maps each canonical
    name to the headings accepted for it (the name itself always is). Answers
    {name: index} and the header's problems (row 1): an unknown, blank or repeated heading,
    a required column missing."""
    names: dict[str, str] = {}
    for name, aliases in columns.items():
        for heading in (name, *aliases):
            names[header_key(heading)] = name
    found: dict[str, int] = {}
    problems: list[Problem] = []
    for index, heading in enumerate(header):
        key = header_key(heading)
        where = heading.strip()[:100] or f"column {index + 1}"
        if not key:
            if index >= len(header) - 1 or not any(h.strip() for h in header[index:]):
                continue  # trailing empty headings: a spreadsheet's untouched columns
            problems.append(Problem(1, where, "This column has no heading; give it one or "
                                    "delete it."))
            continue
        name = names.get(key)
        if name is None:
            problems.append(Problem(1, where, f"'{where}' is not a column of this file. "
                                    "Columns are: " + ", ".join(columns) + "."))
            continue
        if name in found:
            problems.append(Problem(1, name, f"This column appears twice (columns "
                                    f"{found[name] + 1} and {index + 1})."))
            continue
        found[name] = index
    for name in required:
        if name not in found:
            problems.append(Problem(1, name, f"The file has no '{name}' column; add one."))
    return found, problems


def cells_of(row: Sequence[str], header: Mapping[str, int]) -> dict[str, str]:
    """A data row's raw cells by column name (a short row's missing cells are blank)."""
    width = len(row)
    return {name: row[index] if index < width else "" for name, index in header.items()}
