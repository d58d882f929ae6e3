"""A version's content as a file: JSON, YAML or a Word document the import reads back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from plangov import text
from plangov.errors import InvalidInput

from . import formats, word

MEDIA_TYPES = {
    "json": "application/json",
    "yaml": "application/yaml",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXPORT_FORMATS = tuple(MEDIA_TYPES)


@dataclass(frozen=True)
class Export:
    data: bytes
    media_type: str
    filename: str


def export_format(value: Any) -> str:
    """The ``format`` asked for; InvalidInput naming ``format`` otherwise."""
    if value in MEDIA_TYPES:
        return str(value)
    raise InvalidInput({"format": [f"Choose one of: {', '.join(EXPORT_FORMATS)}."]})


def export_content(*, content: Mapping[str, Any], file_format: str, title: str,
                   stem: str) -> Export:
    """``content`` (as stored) in ``file_format``; legacy text the policy refuses is scrubbed
    (the second line for outputs, plangov.text.scrub)."""
    file_format = export_format(file_format)
    clean = _scrubbed(content)
    if file_format == "json":
        data = formats.write_json(clean)
    elif file_format == "yaml":
        data = formats.write_yaml(clean)
    else:
        data = word.write_docx(clean, title=text.scrub(title))
    name = (slugify(stem)[:80] or "plan") + "." + file_format
    return Export(data, MEDIA_TYPES[file_format], name)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return text.scrub(value)
    if isinstance(value, Mapping):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value
