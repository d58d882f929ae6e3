"""From an uploaded file to a preview: which format it is, the plain content dict it holds,
what was understood and what was not, and what the one validator
(``documents.content.normalise``) says about it. Nothing here writes anything."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from documents.content import ContentInvalid, normalise
from plangov import text
from plangov.errors import InvalidInput

from . import formats, limits, word

FORMATS = ("docx", "json", "yaml")
_EXTENSIONS = {"docx": "docx", "json": "json", "yaml": "yaml", "yml": "yaml"}
_NOT_CONTENT = ("Choose a Word document (.docx), or a JSON or YAML file in plangov's content "
                "format.")


@dataclass
class Parsed:
    file_format: str
    content: Any
    sha256: str
    size: int
    unread: list[word.Unread] = field(default_factory=list)
    title: str = ""


def sniff(filename: str, data: bytes) -> str:
    """The format, by content first and then the name's extension."""
    extension = _EXTENSIONS.get(filename.rsplit(".", 1)[-1].casefold() if "." in filename
                                else "")
    if data.startswith(limits.CFB_MAGIC):
        limits.refuse_cfb(data)
    if data.startswith(limits.ZIP_MAGIC):
        return "docx"
    if extension == "docx" or filename.casefold().endswith((".doc", ".docm", ".dotx")):
        raise limits.FileRefused("The file is not a Word document (.docx): it could not be "
                                 "opened as one. Save it from Word as a Word Document (.docx).")
    if data.startswith(b"%PDF"):
        raise limits.FileRefused("This is a PDF. " + _NOT_CONTENT)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if extension in {"json", "yaml"}:
        return extension
    if start in {b"{", b"["}:
        return "json"
    if extension is None and filename and "." in filename:
        raise limits.FileRefused(_NOT_CONTENT)
    return "yaml"


def parse(filename: str, data: bytes) -> Parsed:
    """The file's content as plain data; FileRefused for a file that cannot be read."""
    file_format = sniff(filename, data)
    digest, size = hashlib.sha256(data).hexdigest(), len(data)
    if file_format == "docx":
        limits.check_docx(data)
        try:
            reading = word.read_docx(data)
        except limits.FileRefused:
            raise
        except Exception as exc:  # python-docx and lxml raise many kinds on a bad document
            raise limits.FileRefused(
                "The Word document cannot be read (" + type(exc).__name__ + "). Open it in "
                "Word, save it as a Word Document (.docx) and upload it again.") from exc
        return Parsed("docx", reading.content, digest, size, reading.unread, reading.title)
    content = formats.read_json(data) if file_format == "json" else formats.read_yaml(data)
    return Parsed(file_format, content, digest, size)


def policy_checked(content: Any) -> Any:
    """The content's text through plangov.text's policy; text that cannot be stored refuses
    the file, naming each place it is."""
    try:
        cleaned, refused = text.clean_tree(content)
    except text.TooDeep as exc:
        raise limits.FileRefused(str(exc)) from exc
    if refused:
        raise InvalidInput(
            {"file": ["The file holds text that cannot be stored or printed; each place is "
                      "named below."], **{f"file.{path}": msgs for path, msgs in refused.items()}},
        )
    return cleaned


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _title(item: Any) -> str:
    return str(item.get("title", "")) if isinstance(item, Mapping) else str(item)[:100]


def understood(content: Any) -> dict[str, Any]:
    """What the file was read as: counts and the items' titles (for any content, valid or
    not)."""
    content = content if isinstance(content, Mapping) else {}
    outcomes = [
        {"key": str(o.get("key", "")) if isinstance(o, Mapping) else "", "title": _title(o),
         "priorities": [_title(p) for p in _list(o.get("priorities"))]
         if isinstance(o, Mapping) else []}
        for o in _list(content.get("outcomes"))
    ]
    vision = content.get("vision")
    return {
        "vision_words": len(vision.split()) if isinstance(vision, str) else 0,
        "outcomes": outcomes,
        "indicators": [_title(i) for i in _list(content.get("indicators"))],
        "actions": [_title(a) for a in _list(content.get("actions"))],
        "cross_cutting_themes": [_title(t) for t in _list(content.get("cross_cutting_themes"))],
        "joint_priorities": [_title(j) for j in _list(content.get("joint_priorities"))],
        "counts": {
            "outcomes": len(outcomes),
            "priorities": sum(len(o["priorities"]) for o in outcomes),
            "indicators": len(_list(content.get("indicators"))),
            "actions": len(_list(content.get("actions"))),
            "cross_cutting_themes": len(_list(content.get("cross_cutting_themes"))),
            "joint_priorities": len(_list(content.get("joint_priorities"))),
        },
    }


@dataclass
class Preview:
    parsed: Parsed
    content: Any  # normalised when valid, else the content as read (text policy applied)
    valid: bool
    warnings: dict[str, list[str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.parsed.file_format,
            "file_sha256": self.parsed.sha256,
            "file_size": self.parsed.size,
            "document_title": self.parsed.title,
            "understood": understood(self.content),
            "not_understood": [u.as_dict() for u in self.parsed.unread],
            "valid": self.valid,
            "warnings": self.warnings,
        }


def preview(filename: str, data: bytes) -> Preview:
    """Read, apply the text policy, validate: the one path for every format."""
    parsed = parse(filename, data)
    content = policy_checked(parsed.content)
    try:
        return Preview(parsed, normalise(content), True, {})
    except ContentInvalid as exc:
        return Preview(parsed, content, False, exc.errors)
