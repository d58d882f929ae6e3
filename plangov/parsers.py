"""The API's request parsers: every string that comes in passes plangov.text's policy.

A body that cannot be read is a 400 problem document whose ``errors`` name what is wrong:
under "request" for the body as a whole (not JSON, not UTF-8, not an object, nested more than
``plangov.text.MAX_DEPTH`` levels, a number too big to be a number), and under each field's
dotted path for a string the policy refuses (``content.outcomes[0].title``). Nothing the body
holds can reach a view, a service or the database as a server error.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from django.http import QueryDict
from rest_framework.parsers import BaseParser, DataAndFiles, MultiPartParser

from . import text
from .errors import InvalidInput

REQUEST = "request"
TOO_DEEP = (f"The JSON is nested more than {text.MAX_DEPTH} levels deep; no plangov request is "
            "nested that deep.")


def _refuse(message: str) -> InvalidInput:
    return InvalidInput({REQUEST: [message]}, detail=message)


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"the number {literal[:40]} is too large")
    return value


# Ids and counts are stored in 64 bits: a bigger whole number is refused by its path rather
# than overflowing a database column (a big measurement can be written as 1e21).
_INT_LIMIT = 2**63


def _big_numbers(value: Any, path: str = "") -> dict[str, list[str]]:
    if isinstance(value, dict):
        found: dict[str, list[str]] = {}
        for key, item in value.items():
            found.update(_big_numbers(item, f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(value, list):
        found = {}
        for index, item in enumerate(value):
            found.update(_big_numbers(item, f"{path}[{index}]"))
        return found
    if isinstance(value, int) and not isinstance(value, bool) and not (
        -_INT_LIMIT <= value < _INT_LIMIT
    ):
        return {path or REQUEST: ["This number is too large; whole numbers here fit in 64 bits."]}
    return {}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def checked(data: Any) -> Any:
    """The parsed body with its strings normalised; raises InvalidInput naming each string
    the policy refuses, or the body as a whole when it nests too deep."""
    try:
        cleaned, errors = text.clean_tree(data)
    except text.TooDeep as exc:
        raise _refuse(TOO_DEEP) from exc
    errors.update(_big_numbers(cleaned))
    if errors:
        raise InvalidInput(errors)
    return cleaned


class JSONParser(BaseParser):
    """JSON, strictly: UTF-8, an object at the top, finite numbers, no NaN or Infinity, no
    nesting deeper than plangov.text.MAX_DEPTH, every string (keys too) through the text
    policy."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(f"The body is not UTF-8 text (byte {exc.start + 1} cannot be read); "
                          "send JSON encoded as UTF-8.") from exc
        try:
            data = json.loads(body, parse_float=_finite, parse_constant=_no_constant)
        except RecursionError as exc:
            raise _refuse(TOO_DEEP) from exc
        except ValueError as exc:  # json.JSONDecodeError, and integers over 4,300 digits
            raise _refuse(f"JSON parse error: {exc}.") from exc
        if not isinstance(data, dict):
            raise _refuse(f"The body must be a JSON object, not {_kind(data)}.")
        return checked(data)


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "an array"
    if isinstance(data, str):
        return "a string"
    if isinstance(data, bool):
        return "true or false"
    if data is None:
        return "null"
    return "a number"


class PolicyMultiPartParser(MultiPartParser):
    """Multipart form data (a file upload) whose text fields pass the text policy."""

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> DataAndFiles:
        parsed = super().parse(stream, media_type, parser_context)
        errors = text.check_fields({key: parsed.data.getlist(key) for key in parsed.data})
        if errors:
            raise InvalidInput(errors)
        data = QueryDict(mutable=True, encoding=settings.DEFAULT_CHARSET)
        for key in parsed.data:
            data.setlist(key, [text.normalise_lines(v) for v in parsed.data.getlist(key)])
        data._mutable = False
        return DataAndFiles(data, parsed.files)
