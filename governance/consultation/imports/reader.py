"""Reading an uploaded file of offline responses, row by row, never whole: plangov.tabular's
shared reader (every import reads files the same way).

CSV must be UTF-8 (a byte-order mark, as Excel's "CSV UTF-8" writes, is fine); XLSX is read
with openpyxl in read-only mode (its first worksheet), so memory stays flat however long the
file. Every cell comes out as text: numbers as written (``3``, not ``3.0``), dates as
``YYYY-MM-DD``, true/false as ``yes``/``no``, an XLSX formula as its formula text (``=...``,
which the row checks then refuse). A file that cannot be read raises ``Unreadable`` with a
message for the row report, and the row number reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from plangov.tabular import CSV, NOT_UTF8, XLSX, Unreadable, sniff
from plangov.tabular import rows as _rows

__all__ = ["CSV", "NOT_UTF8", "XLSX", "Unreadable", "rows", "sniff"]


def rows(path: Path, kind: str) -> Iterator[list[str]]:
    """Each row of the file as a list of text cells, the header first; a formula as its
    text, so the row checks refuse it."""
    return _rows(path, kind, formulas="text")
