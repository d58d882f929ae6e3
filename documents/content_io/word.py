"""Plan content in Word: the import's reading of a .docx and the export that writes one.

The mapping is documented in docs/content-format.md. In short:

- Heading 1 "Vision", then paragraphs: the vision.
- Heading 1 "Outcomes and priorities" (or "Outcomes"): each Heading 2 under it is an outcome
  (following paragraphs: its description), each Heading 3 a priority of the outcome above.
  Written by hand, any other Heading 1 is an outcome too, with a Heading 2 per priority.
- A paragraph "Key: healthy" straight after an outcome's or priority's heading gives its key;
  without one the key is made from the title.
- A table whose header row names "Indicator" is the indicators; one that names "Action", the
  actions (columns are found by their names, in any order).
- Heading 1 "Cross-cutting themes": a Heading 2 per theme. Heading 1 "Joint priorities": a
  Heading 2 per joint priority, with "Bodies: yorok-board, safeguarding-board" straight after.

``read_docx`` never validates: it turns the document into a plain content dict and lists what
it did not understand; the one validator (``documents.content.normalise``) runs after it, as
for JSON and YAML. ``write_docx`` writes exactly the headings and tables ``read_docx`` reads,
so an export imports back to the same content (white space normalised, see ``tidy``).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from documents.content import ActionKind, DirectionOfGood
from plangov.text import scrub

# Section headings (Heading 1), compared case-insensitively with hyphens and spaces folded.
SECTIONS = {
    "vision": "vision",
    "outcomes": "outcomes",
    "outcomes and priorities": "outcomes",
    "indicators": "indicators",
    "actions": "actions",
    "action plan": "actions",
    "cross cutting themes": "themes",
    "themes": "themes",
    "joint priorities": "joint",
}
EXPORT_HEADINGS = {
    "vision": "Vision",
    "outcomes": "Outcomes and priorities",
    "indicators": "Indicators",
    "actions": "Actions",
    "themes": "Cross-cutting themes",
    "joint": "Joint priorities",
}

# Table columns: header text (folded) -> content key.
INDICATOR_COLUMNS = {
    "key": "key", "indicator": "title", "outcome": "outcome", "unit": "unit",
    "baseline": "baseline", "baseline period": "baseline_period", "latest": "latest",
    "latest period": "latest_period", "target": "target", "direction of good": "direction_of_good",
}
ACTION_COLUMNS = {
    "action": "title", "kind": "kind", "outcome": "outcome", "priority": "priority",
    "lead": "lead", "delivery group": "delivery_group", "due date": "due_date", "due": "due_date",
}
INDICATOR_HEADER = ["Key", "Indicator", "Outcome", "Unit", "Baseline", "Baseline period",
                    "Latest", "Latest period", "Target", "Direction of good"]
ACTION_HEADER = ["Action", "Kind", "Outcome", "Priority", "Lead", "Delivery group", "Due date"]
NUMBERS = ("baseline", "latest", "target")

KEY_LINE = re.compile(r"key\s*:\s*(\S+)\s*\Z", re.IGNORECASE)
BODIES_LINE = re.compile(r"bodies\s*:(.*)\Z", re.IGNORECASE | re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_FOLD = re.compile(r"[\s\-_]+")

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RUNS = ("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r"
         " | ./w:sdt/w:sdtContent/w:r | ./w:hyperlink/w:ins/w:r | ./w:ins/w:hyperlink/w:r")


def fold(value: str) -> str:
    return _FOLD.sub(" ", value.strip().casefold()).strip()


# White space: what "the same content" means across a Word round trip.

def split_paragraphs(value: str) -> list[str]:
    return _PARAGRAPH_BREAK.split(value)


def tidy_long(value: str) -> str:
    """A text of paragraphs as the import reads it back: paragraphs split at blank lines,
    each trimmed, empty ones dropped, joined by one blank line."""
    return "\n\n".join(p.strip() for p in split_paragraphs(value) if p.strip())


LONG_TEXT = {"vision", "description"}


def tidy(content: Any, key: str = "") -> Any:
    """``content`` with white space as a Word round trip leaves it: long texts (the vision,
    descriptions) by ``tidy_long``, every other text trimmed."""
    if isinstance(content, str):
        return tidy_long(content) if key in LONG_TEXT else content.strip()
    if isinstance(content, Mapping):
        return {k: tidy(v, k) for k, v in content.items()}
    if isinstance(content, list):
        return [tidy(v, key) for v in content]
    return content


# Reading.

@dataclass
class Unread:
    """A paragraph or table the import did not understand."""

    kind: str  # "paragraph" or "table"
    position: int  # 1-based, counted among paragraphs (or tables) of the document body
    text: str  # its first words
    style: str = ""
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "position": self.position, "style": self.style,
                "text": self.text, "reason": self.reason}


@dataclass
class Reading:
    content: dict[str, Any]
    unread: list[Unread] = field(default_factory=list)
    title: str = ""


def first_words(value: str, words: int = 12, chars: int = 100) -> str:
    parts = scrub(value).split()
    short = " ".join(parts[:words])
    if len(short) > chars:
        short = short[:chars].rstrip()
    return short + ("…" if short != " ".join(parts) else "")


def _para_text(p: Any) -> str:
    return "".join(r.text for r in p.xpath(_RUNS))


def _style_names(document: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for style in document.styles.element.xpath("./w:style"):
        style_id = style.get(f"{{{_W}}}styleId") or ""
        name_el = style.find(f"{{{_W}}}name")
        name = name_el.get(f"{{{_W}}}val") if name_el is not None else style_id
        names[style_id] = name or style_id
    return names


_HEADING = re.compile(r"heading\s*([1-9])\Z")


def _level(style_id: str, names: Mapping[str, str]) -> int | None:
    """0 for Title, 1-9 for Heading N, None for body text."""
    for candidate in (names.get(style_id, ""), style_id):
        folded = candidate.strip().casefold()
        if folded == "title":
            return 0
        if match := _HEADING.match(folded):
            return int(match.group(1))
    return None


def _blocks(body: Any) -> Iterator[tuple[str, Any]]:
    for child in body.iterchildren():
        if child.tag == f"{{{_W}}}p":
            yield "p", child
        elif child.tag == f"{{{_W}}}tbl":
            yield "tbl", child


def _cells(tr: Any) -> list[str]:
    return ["\n".join(_para_text(p) for p in tc.xpath("./w:p")).strip()
            for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc")]


class _Reader:
    def __init__(self) -> None:
        self.vision: list[str] = []
        self.outcomes: list[dict[str, Any]] = []
        self.indicators: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []
        self.themes: list[dict[str, Any]] = []
        self.joint: list[dict[str, Any]] = []
        self.unread: list[Unread] = []
        self.title = ""
        self.section: str | None = None
        self.by_hand = False  # outcomes as Heading 1 (written by hand)
        self.item: dict[str, Any] | None = None  # what paragraphs describe now
        self.meta: str | None = None  # "key" or "bodies": the line allowed next
        self.paras: dict[int, list[str]] = {}

    def describe(self, item: dict[str, Any], text: str) -> None:
        self.paras.setdefault(id(item), []).append(text)

    def heading(self, level: int, text: str, position: int, style: str) -> None:
        folded = fold(text)
        section = SECTIONS.get(folded) if level == 1 else None
        self.item, self.meta = None, None
        if level == 0:
            self.title = self.title or text
            return
        if section is not None:
            self.section, self.by_hand = section, False
            return
        outcome_level = 1 if level == 1 else (2 if self.section == "outcomes" and
                                              not self.by_hand else None)
        if level == 1:
            self.section, self.by_hand = "outcomes", True
        if outcome_level == level:
            self.item = {"key": "", "title": text, "description": "", "priorities": []}
            self.outcomes.append(self.item)
            self.meta = "key"
            return
        priority_level = 2 if self.by_hand else 3
        if self.section == "outcomes" and level == priority_level and self.outcomes:
            self.item = {"key": "", "title": text, "description": ""}
            self.outcomes[-1]["priorities"].append(self.item)
            self.meta = "key"
            return
        if self.section in {"themes", "joint"} and level == 2:
            self.item = {"title": text, "description": ""}
            if self.section == "joint":
                self.item["bodies"] = []
                self.meta = "bodies"
                self.joint.append(self.item)
            else:
                self.themes.append(self.item)
            return
        self.unread.append(Unread("paragraph", position, first_words(text), style,
                                  "A heading outside the sections the import reads."))

    def paragraph(self, text: str, position: int, style: str) -> None:
        meta, self.meta = self.meta, None
        if meta == "key" and self.item is not None and (m := KEY_LINE.match(text)):
            self.item["key"] = m.group(1)
            return
        if meta == "bodies" and self.item is not None and (m := BODIES_LINE.match(text)):
            self.item["bodies"] = [b.strip() for b in m.group(1).split(",") if b.strip()]
            return
        if self.item is not None:
            self.describe(self.item, text)
            return
        if self.section == "vision":
            self.vision.append(text)
            return
        reason = ("Text before the first heading." if self.section is None else
                  "Text in this section is not part of the plan's content.")
        self.unread.append(Unread("paragraph", position, first_words(text), style, reason))

    def table(self, tbl: Any, position: int) -> None:
        self.item, self.meta = None, None
        rows = tbl.xpath("./w:tr")
        if not rows:
            return
        header = [fold(c) for c in _cells(rows[0])]
        if "indicator" in header:
            columns, target = INDICATOR_COLUMNS, self.indicators
        elif "action" in header:
            columns, target = ACTION_COLUMNS, self.actions
        else:
            text = " ".join(c for c in _cells(rows[0]) if c)
            self.unread.append(Unread("table", position, first_words(text), "",
                                      "Its header row names neither 'Indicator' nor 'Action'."))
            return
        mapping = [columns.get(name) for name in header]
        for tr in rows[1:]:
            cells = _cells(tr)
            if not any(cells):
                continue
            row: dict[str, Any] = {}
            for name, value in zip(mapping, cells, strict=False):
                if name is not None and name not in row:
                    row[name] = value
            target.append(row)

    def content(self) -> dict[str, Any]:
        def joined(item: dict[str, Any]) -> str:
            return "\n\n".join(self.paras.get(id(item), []))

        for outcome in self.outcomes:
            outcome["description"] = joined(outcome)
            for priority in outcome["priorities"]:
                priority["description"] = joined(priority)
        for item in [*self.themes, *self.joint]:
            item["description"] = joined(item)
        _fill_keys(self.outcomes)
        for outcome in self.outcomes:
            _fill_keys(outcome["priorities"])
        indicators = [_indicator(row, self.outcomes) for row in self.indicators]
        _fill_keys(indicators)
        return {
            "vision": "\n\n".join(self.vision),
            "outcomes": self.outcomes,
            "indicators": indicators,
            "actions": [_action(row, self.outcomes) for row in self.actions],
            "cross_cutting_themes": self.themes,
            "joint_priorities": self.joint,
        }


def _fill_keys(items: list[dict[str, Any]]) -> None:
    """Keys made from titles where none is given: slugified, unique within the list."""
    taken = {item["key"] for item in items if item.get("key")}
    for index, item in enumerate(items, start=1):
        if item.get("key"):
            continue
        base = slugify(item.get("title", ""))[:50].strip("-") or f"item-{index}"
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        item["key"] = key
        taken.add(key)


def _outcome_key(value: str, outcomes: list[dict[str, Any]]) -> str:
    """An outcome named by key, or (written by hand) by its title."""
    if not value or any(o["key"] == value for o in outcomes):
        return value
    for outcome in outcomes:
        if fold(outcome["title"]) == fold(value):
            return outcome["key"]
    return value


def _priority_key(value: str, outcome: str, outcomes: list[dict[str, Any]]) -> str:
    for o in outcomes:
        if o["key"] == outcome:
            if not value or any(p["key"] == value for p in o["priorities"]):
                return value
            for p in o["priorities"]:
                if fold(p["title"]) == fold(value):
                    return p["key"]
    return value


def _number(value: str) -> Any:
    if not value.strip():
        return None
    cleaned = value.strip().replace(",", "").rstrip("%").strip()
    try:
        return float(cleaned)
    except ValueError:
        return value  # the validator names it


def _choice(value: str, choices: Any) -> str:
    folded = fold(value)
    for choice_value, label in choices:
        if folded in {fold(choice_value), fold(label)}:
            return choice_value
    return value


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%B %Y")


def _date(value: str) -> Any:
    value = value.strip()
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return value


def _indicator(row: dict[str, Any], outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": row.get("key", ""), "title": row.get("title", ""),
        "outcome": _outcome_key(row.get("outcome", ""), outcomes),
        "unit": row.get("unit", ""),
        "baseline_period": row.get("baseline_period", ""),
        "latest_period": row.get("latest_period", ""),
        "direction_of_good": _choice(row.get("direction_of_good", ""), DirectionOfGood.choices),
    }
    for name in NUMBERS:
        item[name] = _number(row.get(name, ""))
    return item


def _action(row: dict[str, Any], outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    outcome = _outcome_key(row.get("outcome", ""), outcomes)
    return {
        "title": row.get("title", ""),
        "kind": _choice(row.get("kind", ""), ActionKind.choices),
        "outcome": outcome,
        "priority": _priority_key(row.get("priority", ""), outcome, outcomes),
        "lead": row.get("lead", ""),
        "delivery_group": row.get("delivery_group", ""),
        "due_date": _date(row.get("due_date", "")),
    }


def read_docx(data: bytes) -> Reading:
    """The content a Word document holds, and what in it was not understood. ``data`` must
    have passed ``limits.check_docx``; python-docx raises on a document it cannot open."""
    import docx

    document = docx.Document(io.BytesIO(data))
    names = _style_names(document)
    reader = _Reader()
    paragraphs = tables = 0
    for kind, element in _blocks(document.element.body):
        if kind == "tbl":
            tables += 1
            reader.table(element, tables)
            continue
        paragraphs += 1
        text = _para_text(element).strip()
        if not text:
            continue
        style_id = element.style or ""
        level = _level(style_id, names)
        style = names.get(style_id, style_id) or "Normal"
        if level is not None:
            reader.heading(level, text, paragraphs, style)
        else:
            reader.paragraph(text, paragraphs, style)
    return Reading(content=reader.content(), unread=reader.unread, title=scrub(reader.title))


# Writing.

def _number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _label(value: str, choices: Any) -> str:
    return dict(choices).get(value, value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def write_docx(content: Mapping[str, Any], *, title: str = "") -> bytes:
    """A Word document of ``content`` in the headings and tables the import reads. Content
    that is not finished (a draft) is written as far as it goes: missing text is blank."""
    import docx

    document = docx.Document()
    if title:
        document.add_heading(title, level=0)

    def paragraphs(value: Any) -> None:
        for piece in split_paragraphs(_text(value)):
            if piece.strip():
                document.add_paragraph(piece)

    def heading(value: Any, level: int) -> None:
        # A heading with no text would not be read back; it is written all the same, so the
        # document shows where a title is missing.
        document.add_heading(_text(value), level=level)

    document.add_heading(EXPORT_HEADINGS["vision"], level=1)
    paragraphs(content.get("vision"))
    document.add_heading(EXPORT_HEADINGS["outcomes"], level=1)
    for outcome in _dicts(content.get("outcomes")):
        heading(outcome.get("title"), 2)
        document.add_paragraph(f"Key: {_text(outcome.get('key'))}")
        paragraphs(outcome.get("description"))
        for priority in _dicts(outcome.get("priorities")):
            heading(priority.get("title"), 3)
            document.add_paragraph(f"Key: {_text(priority.get('key'))}")
            paragraphs(priority.get("description"))
    document.add_heading(EXPORT_HEADINGS["indicators"], level=1)
    rows = [[_text(ind.get("key")), _text(ind.get("title")), _text(ind.get("outcome")),
             _text(ind.get("unit")), _number_text(ind.get("baseline")),
             _text(ind.get("baseline_period")), _number_text(ind.get("latest")),
             _text(ind.get("latest_period")), _number_text(ind.get("target")),
             _label(_text(ind.get("direction_of_good")), DirectionOfGood.choices)]
            for ind in _dicts(content.get("indicators"))]
    _table(document, INDICATOR_HEADER, rows)
    document.add_heading(EXPORT_HEADINGS["actions"], level=1)
    rows = [[_text(a.get("title")), _label(_text(a.get("kind")), ActionKind.choices),
             _text(a.get("outcome")), _text(a.get("priority")), _text(a.get("lead")),
             _text(a.get("delivery_group")), _text(a.get("due_date"))]
            for a in _dicts(content.get("actions"))]
    _table(document, ACTION_HEADER, rows)
    document.add_heading(EXPORT_HEADINGS["themes"], level=1)
    for theme in _dicts(content.get("cross_cutting_themes")):
        heading(theme.get("title"), 2)
        paragraphs(theme.get("description"))
    document.add_heading(EXPORT_HEADINGS["joint"], level=1)
    for joint in _dicts(content.get("joint_priorities")):
        heading(joint.get("title"), 2)
        bodies = joint.get("bodies")
        bodies = [_text(b) for b in bodies] if isinstance(bodies, list) else []
        document.add_paragraph("Bodies: " + ", ".join(bodies))
        paragraphs(joint.get("description"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    from docx.table import _Cell

    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    # Cell by cell through the XML: python-docx's row.cells walks the whole grid each time.
    for index, (tr, values) in enumerate(zip(table._tbl.tr_lst, [header, *rows], strict=True)):
        for tc, value in zip(tr.tc_lst, values, strict=True):
            cell = _Cell(tc, table)
            cell.text = value
            if index == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
