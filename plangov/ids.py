"""Reading ids and whole numbers from what a client sends: paths, query strings, JSON.

One rule everywhere: ASCII digits only (``str.isdigit()`` also accepts ``¹`` and ``١``, which
``int()`` then refuses), and a value a signed 64-bit column can hold (SQLite raises
OverflowError past it, PostgreSQL an out-of-range error). A bad value in a query string or a
body is a 400 naming the parameter; a bad id in a path is a 404, like an id that exists for
nobody. Text used to look something up must not carry NUL or other control characters
(PostgreSQL refuses NUL in any string), so it is a 400 too."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.http import Http404
from rest_framework import serializers

from .errors import InvalidInput

INT64_MAX = 2**63 - 1
# The path converter of every API id (DRF routers' lookup_value_regex): ASCII digits.
ID_REGEX = "[0-9]+"
_DIGITS = re.compile(r"[0-9]+\Z")
# C0 controls (tab included: nothing looked up by text holds one), DEL and C1 controls, and
# the non-characters U+FFFE and U+FFFF.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def to_int(value: Any, *, minimum: int = 0, maximum: int = INT64_MAX) -> int | None:
    """``value`` as an int if it is one (or ASCII digits for one) in [minimum, maximum]."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.match(value) and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def path_id(value: Any) -> int:
    """An id from a URL path; anything but a positive 64-bit whole number is not found."""
    number = to_int(value, minimum=1)
    if number is None:
        raise Http404("There is nothing with this id.")
    return number


def query_int(
    params: Mapping[str, Any], name: str, *, minimum: int = 0, maximum: int = INT64_MAX,
    what: str = "a whole number",
) -> int | None:
    """The query parameter ``name`` as an int, None when absent or empty; 400 when invalid."""
    value = params.get(name)
    if value is None or value == "":
        return None
    number = to_int(value, minimum=minimum, maximum=maximum)
    if number is None:
        raise InvalidInput({name: [f"Give {what} from {minimum} to {maximum}."]})
    return number


def query_id(params: Mapping[str, Any], name: str) -> int | None:
    return query_int(params, name, minimum=1, what="an id, a whole number")


def is_digits(value: str) -> bool:
    """Is ``value`` ASCII digits only (an id, as opposed to a slug)?"""
    return bool(_DIGITS.match(value))


def query_text(params: Mapping[str, Any], name: str, *, max_length: int = 200) -> str | None:
    """The query parameter ``name`` as text to look something up by; 400 for a control
    character or an absurd length."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if (bad := _CONTROL.search(value)) is not None:
        raise InvalidInput({name: [f"The character U+{ord(bad.group()):04X} is not allowed."]})
    if len(value) > max_length:
        raise InvalidInput({name: [f"Use at most {max_length} characters."]})
    return value


class IdField(serializers.IntegerField):
    """An id in a request body: a positive whole number a 64-bit column can hold."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(**kwargs)


class RelatedIdField(serializers.PrimaryKeyRelatedField):
    """PrimaryKeyRelatedField that refuses an id no 64-bit column can hold before asking the
    database (which would raise OverflowError on SQLite rather than "does not exist")."""

    def to_internal_value(self, data: Any) -> Any:
        if to_int(data, minimum=1) is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class IntegerIdLookup:
    # Viewset mixin: the URL accepts ASCII digits only for the id, and an id past 64 bits is
    # not found rather than a database error. (A comment: a docstring would become the
    # schema's description of every operation of a viewset without one.)

    lookup_value_regex = ID_REGEX

    def get_object(self) -> Any:
        key = self.lookup_url_kwarg or self.lookup_field  # type: ignore[attr-defined]
        self.kwargs[key] = path_id(self.kwargs[key])  # type: ignore[attr-defined]
        return super().get_object()  # type: ignore[misc]
