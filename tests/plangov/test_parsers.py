"""plangov.parsers: whatever bytes arrive, the JSON parser answers data the policy accepts or
InvalidInput, nothing else."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from plangov import text
from plangov.errors import InvalidInput
from plangov.parsers import JSONParser

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=12,
)


def parse(raw: bytes) -> Any:
    return JSONParser().parse(io.BytesIO(raw))


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


@given(st.dictionaries(st.text(), json_values))
def test_any_json_object_is_accepted_clean_or_refused_by_path(data):
    try:
        parsed = parse(json.dumps(data).encode())
    except InvalidInput as exc:
        assert exc.errors and all(isinstance(m, list) and m for m in exc.errors.values())
        return
    assert not any(text.FORBIDDEN.search(s) or "\r" in s for s in strings(parsed))


@given(st.binary(max_size=200))
def test_any_bytes_are_data_or_a_400(raw):
    try:
        parse(raw)
    except InvalidInput as exc:
        assert exc.status == 400
