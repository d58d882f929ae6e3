"""Plan content as JSON and YAML files: reading them into a plain content dict (no
validation: that is ``documents.content.normalise``'s job, for every format) and writing
them."""

from __future__ import annotations

import datetime
import io
import json
import math
from collections.abc import Mapping
from typing import Any

import yaml

from plangov import yaml_input
from plangov.errors import InvalidInput
from plangov.parsers import JSONParser

from .limits import FileRefused

_INT_LIMIT = 2**63


def decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"The {what} file is not UTF-8 text (byte {exc.start + 1} cannot be "
                          "read); save it as UTF-8.") from exc


def read_json(data: bytes) -> dict[str, Any]:
    """JSON through the API's own parser (UTF-8, an object, finite numbers, no deeper than
    plangov.text.MAX_DEPTH); its refusals of the body as a whole are about the file."""
    text = decode(data, "JSON")
    try:
        return JSONParser().parse(io.BytesIO(text.encode("utf-8")))
    except InvalidInput as exc:
        errors = dict(exc.errors)
        whole = errors.pop("request", [])
        if whole:
            raise FileRefused(" ".join(m.replace("The body", "The file")
                                       for m in whole)) from exc
        raise InvalidInput({"file": ["The file holds values that cannot be stored; each place "
                                     "is named below."],
                            **{f"file.{path}": msgs for path, msgs in errors.items()}}) from exc


class _Constructor(yaml.constructor.SafeConstructor):
    """Builds plain data from a node tree already read by plangov.yaml_input (no aliases, no
    deep nesting). Dates stay text, as in JSON; numbers must be finite and fit 64 bits."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> str:  # type: ignore[override]
        return str(node.value)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:  # type: ignore[override]
        value = super().construct_yaml_int(node)
        if not -_INT_LIMIT <= value < _INT_LIMIT:
            raise FileRefused(f"line {node.start_mark.line + 1}: this number is too large.")
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:  # type: ignore[override]
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise FileRefused(f"line {node.start_mark.line + 1}: {node.value} is not a number "
                              "plangov can store.")
        return value


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)


def read_yaml(data: bytes) -> Any:
    """YAML through the project's guarded loader (plangov.yaml_input: safe, no aliases, no
    nesting past MAX_DEPTH, characters checked by line)."""
    source = decode(data, "YAML")
    try:
        root = yaml_input.compose(source)
    except yaml_input.YamlRefused as exc:
        raise FileRefused(f"The YAML file cannot be read: {exc}.") from exc
    if root is None:
        raise FileRefused("The YAML file is empty.")
    try:
        value = _Constructor().construct_document(root)
    except FileRefused:
        raise
    except yaml.YAMLError as exc:
        raise FileRefused(f"The YAML file cannot be read: {exc}.") from exc
    except (TypeError, ValueError, RecursionError) as exc:
        raise FileRefused("The YAML file cannot be read: a value is not plain data "
                          f"({exc}).") from exc
    if not isinstance(value, Mapping):
        raise FileRefused("The YAML file must hold a mapping (vision, outcomes, ...) at the "
                          "top.")
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def write_json(content: Mapping[str, Any]) -> bytes:
    return (json.dumps(content, indent=2, ensure_ascii=False, default=_plain) + "\n").encode()


def write_yaml(content: Mapping[str, Any]) -> bytes:
    return yaml.safe_dump(dict(content), allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=100).encode("utf-8")
