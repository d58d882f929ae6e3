"""The column layout of an offline responses file, and the checks on each row.

See docs/consultation-import.md. Columns (in any order; header names are not case-sensitive):

- ``audience`` (required): an audience of the round, by its slug or its name;
- ``channel``: paper (the default when the column is absent or the cell blank), event,
  school, youth_group; by value or label ("School questionnaire");
- ``submitted_on``: the day the response was given, YYYY-MM-DD or DD/MM/YYYY (blank: the
  day of the import); not in the future, not before the round opened;
- ``consent_to_quote``, ``children_form``: yes/no (also y/n, true/false, 1/0; blank is no);
- one column per question, headed by the question's id (``12`` or ``q12``) or its text; the
  answer as written, a choice by its value or label, several choices separated by ``;``.

A text cell starting with = + - or @ is refused ("formula injection"): it is reported, never
stored, so no export can hand it to a spreadsheet as a formula.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plangov import clock, text
from plangov.tabular import Problem, formula_problem
from plangov.tabular import header_key as _key
from plangov.tabular import parse_date as _date

from ..models import (
    AGREEMENT_SCALE,
    Audience,
    Channel,
    ConsultationRound,
    Question,
    QuestionKind,
)

MAX_ANSWER = 10_000
FIXED = ("audience", "channel", "submitted_on", "consent_to_quote", "children_form")
OFFLINE_CHANNELS = [c for c in Channel if c != Channel.ONLINE]
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
# What plangov.text refuses, for text that is all ASCII (most of it): a much faster search.
_ASCII_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_QUESTION_ID = re.compile(r"^q?(\d{1,18})$", re.IGNORECASE)


@dataclass
class Row:
    """A valid row, ready to write."""

    number: int
    audience_id: int
    channel: str
    submitted_on: datetime.date
    consent_to_quote: bool
    children_form: bool
    answers: dict[int, dict[str, Any]]  # question id -> {"text": str, "choices": [..]}
    content: str = ""  # the canonical form of the normalised cells (fingerprinted)


def choice_options(question: Question) -> list[tuple[str, str]]:
    if question.kind == QuestionKind.AGREEMENT:
        return list(AGREEMENT_SCALE)
    return [(str(c.get("value", "")), str(c.get("label", ""))) for c in question.choices or []]


@dataclass
class Layout:
    """What each column of the file holds, worked out once from the header."""

    round: ConsultationRound
    columns: list[tuple[int, str, Question | None]] = field(default_factory=list)
    width: int = 0
    problems: list[Problem] = field(default_factory=list)
    audiences: dict[str, int] = field(default_factory=dict)
    audience_slugs: dict[int, str] = field(default_factory=dict)
    questions: dict[int, Question] = field(default_factory=dict)
    options: dict[int, dict[str, str]] = field(default_factory=dict)
    offered: dict[int, set[str]] = field(default_factory=dict)


def round_audiences(round: ConsultationRound) -> list[Audience]:
    """The round's audiences; a round that names none takes its partnership's."""
    chosen = list(round.audiences.all())
    if chosen:
        return chosen
    return list(Audience.objects.filter(partnership_id=round.plan.partnership_id))


def layout_for(round: ConsultationRound, header: list[str]) -> Layout:
    layout = Layout(round=round, width=len(header))
    for audience in round_audiences(round):
        layout.audiences[_key(audience.slug)] = audience.pk
        layout.audiences[_key(audience.name)] = audience.pk
        layout.audience_slugs[audience.pk] = audience.slug
    questions = list(round.questions.all())
    by_id = {q.pk: q for q in questions}
    by_text = {_key(q.text): q for q in questions}
    layout.questions = by_id
    for q in questions:
        options: dict[str, str] = {}
        for value, label in choice_options(q):
            options[_key(value)] = value
            options.setdefault(_key(label), value)
        layout.options[q.pk] = options
        layout.offered[q.pk] = {value for value, _ in choice_options(q)}
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        where = name.strip() or f"column {index + 1}"
        key = _key(name)
        if not key:
            layout.problems.append(Problem(1, where, "This column has no heading; give it one "
                                           "(a question's id or text) or delete it."))
            continue
        if key in FIXED:
            column, question = key, None
        elif (match := _QUESTION_ID.match(key)) and int(match.group(1)) in by_id:
            question = by_id[int(match.group(1))]
            column = f"q{question.pk}"
        elif key in by_text:
            question = by_text[key]
            column = f"q{question.pk}"
        else:
            known = ", ".join(FIXED)
            layout.problems.append(Problem(
                1, where, f"'{name.strip()[:100]}' is not a column of this round. Columns are "
                f"{known}, and one per question headed by its id or its text."))
            continue
        if column in seen:
            layout.problems.append(Problem(1, where, f"This column appears twice (also column "
                                           f"{seen[column] + 1})."))
            continue
        seen[column] = index
        layout.columns.append((index, column, question))
    if "audience" not in seen:
        layout.problems.append(Problem(1, "audience", "The file has no 'audience' column; add "
                                       "one naming each response's audience."))
    for q in questions:
        if q.required and f"q{q.pk}" not in seen:
            layout.problems.append(Problem(
                1, f"q{q.pk}", f"The file has no column for question {q.pk} ('{q.text[:80]}'), "
                "which must be answered."))
    return layout


# Answers: the public form's rules (consultpublic's answers_validate) when it is there.


class _Spec:
    """What the local rules need of a question, read once (a model's ``pk`` is a property)."""

    __slots__ = ("pk", "kind", "required", "offered", "multiple")

    def __init__(self, question: Question, offered: set[str]):
        self.pk = question.pk
        self.kind = question.kind
        self.required = question.required
        self.offered = offered
        self.multiple = question.kind == QuestionKind.MULTIPLE_CHOICE


_specs: dict[int, dict[int, _Spec]] = {}


def _local_answers_validate(
    round: ConsultationRound, raw: dict[str, Any], questions: dict[int, Question],
    offered_by_question: dict[int, set[str]] | None = None,
) -> tuple[dict[int, dict[str, Any]], dict[str, list[str]]]:
    """The public form's rules for answers, until consultpublic's ``answers_validate`` is on
    this branch: free text up to 10,000 characters, a choice among those offered, one only
    unless multiple choice, required questions answered."""
    specs = {q.pk: _Spec(q, (offered_by_question or {}).get(q.pk) or {
        v for v, _ in choice_options(q)}) for q in questions.values()}
    return _validate_with(specs, raw)


def _validate_with(
    specs: dict[int, _Spec], raw: dict[str, Any]
) -> tuple[dict[int, dict[str, Any]], dict[str, list[str]]]:
    clean: dict[int, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for key, value in raw.items():
        spec = specs.get(int(key))
        if spec is None:
            errors.setdefault(key, []).append("This is not a question of this consultation.")
            continue
        if spec.kind == QuestionKind.FREE_TEXT:
            value = (value or "").strip()
            if len(value) > MAX_ANSWER:
                errors.setdefault(key, []).append(
                    f"This answer is {len(value):,} characters; answers are at most "
                    f"{MAX_ANSWER:,}.")
                continue
            if value:
                clean[spec.pk] = {"text": value, "choices": []}
        else:
            values = [v for v in (value if isinstance(value, list) else [value]) if v]
            wrong = [v for v in values if v not in spec.offered]
            if wrong:
                errors.setdefault(key, []).append(
                    f"'{wrong[0][:80]}' is not one of the choices offered.")
                continue
            if len(values) > 1 and not spec.multiple:
                errors.setdefault(key, []).append("Choose one answer only.")
                continue
            if values:
                clean[spec.pk] = {"text": "", "choices": values}
        if spec.required and spec.pk not in clean:
            errors.setdefault(key, []).append("This question must be answered.")
    return clean, errors


def answers_validator() -> tuple[str, Callable[..., Any]]:
    """consultpublic's ``answers_validate(round, raw)`` if it is on this branch, else the local
    rules above; and which one it is (the import says so in its audit event)."""
    try:
        from ..responses import answers_validate  # type: ignore[attr-defined]
    except ImportError:
        return "local", _local_answers_validate

    def shared(round: ConsultationRound, raw: dict[str, Any], questions: dict[int, Question],
               offered: Any = None) -> Any:
        listed = list(questions.values())
        clean, errors = answers_validate(round, raw, questions=listed)
        # Its errors are keyed "answers.<question id>"; the row report names columns "q<id>".
        return clean, {key.removeprefix("answers."): messages
                       for key, messages in errors.items()}

    return "responses.answers_validate", shared


def _flag(value: str) -> bool | None:
    key = value.strip().casefold()
    if key in YES:
        return True
    if key in NO:
        return False
    return None


class RowChecker:
    """Checks one data row at a time against the layout; answers a Row or its problems."""

    def __init__(self, layout: Layout, *, today: datetime.date | None = None):
        self.layout = layout
        self.today = today or clock.today()
        self.opens_on = layout.round.opens_on
        self.which, self.validate = answers_validator()
        if self.validate is _local_answers_validate:
            specs = {q.pk: _Spec(q, layout.offered[q.pk]) for q in layout.questions.values()}
            self.validate = lambda round, raw, questions, offered: _validate_with(specs, raw)
        # Per column: index, name, question id (as text), kind, choice lookup.
        self.columns = [
            (index, column, str(q.pk) if q else "", q.kind if q else "",
             layout.options.get(q.pk, {}) if q else {})
            for index, column, q in layout.columns
        ]
        self.channels = {}
        for channel in OFFLINE_CHANNELS:
            self.channels[_key(channel.value)] = channel.value
            self.channels[_key(channel.label)] = channel.value
        self.round_channels = set(layout.round.channels or [])

    def check(self, number: int, cells: list[str]) -> tuple[Row | None, list[Problem]]:
        layout = self.layout
        problems: list[Problem] = []
        if len(cells) > layout.width and any(c.strip() for c in cells[layout.width:]):
            problems.append(Problem(number, f"column {layout.width + 1}", (
                f"This row has {len(cells)} cells but the header has {layout.width} columns.")))
        values: dict[str, str] = {}
        # One look at the whole row for what is rare: refused characters, odd line breaks.
        joined = "\n".join(cells)
        refused = (_ASCII_FORBIDDEN if joined.isascii() else text.FORBIDDEN).search(
            joined) is not None
        odd_lines = "\r" in joined or "\u2028" in joined or "\u2029" in joined
        width = len(cells)
        for index, column, *_ in self.columns:
            cell = cells[index] if index < width else ""
            if refused and (message := text.text_error(cell)) is not None:
                problems.append(Problem(number, column, message))
                continue
            cell = (text.normalise_lines(cell) if odd_lines else cell).strip()
            if (formula := formula_problem(cell)) is not None:
                problems.append(Problem(number, column, formula))
                continue
            values[column] = cell
        audience_id = layout.audiences.get(_key(values.get("audience", "")))
        if "audience" in values and audience_id is None:
            given = values["audience"]
            problems.append(Problem(number, "audience", (
                f"'{given[:80]}' is not an audience of this consultation. Use one of: "
                + ", ".join(sorted(layout.audience_slugs.values())) + ".")
                if given else "Say which audience this response is from."))
        channel = Channel.PAPER.value
        if values.get("channel"):
            found = self.channels.get(_key(values["channel"]))
            if found is None:
                problems.append(Problem(number, "channel", (
                    f"'{values['channel'][:80]}' is not a channel for offline responses. Use "
                    "one of: " + ", ".join(c.value for c in OFFLINE_CHANNELS) + ".")))
            else:
                channel = found
        submitted_on = self.today
        dated = False
        if values.get("submitted_on"):
            day = _date(values["submitted_on"])
            if day is None:
                problems.append(Problem(number, "submitted_on", (
                    f"'{values['submitted_on'][:40]}' is not a date; write it as YYYY-MM-DD "
                    "or DD/MM/YYYY.")))
            elif day > self.today:
                problems.append(Problem(number, "submitted_on", (
                    f"{day:%-d %B %Y} is in the future.")))
            elif day < self.opens_on:
                problems.append(Problem(number, "submitted_on", (
                    f"{day:%-d %B %Y} is before the consultation opened on "
                    f"{self.opens_on:%-d %B %Y}.")))
            else:
                submitted_on, dated = day, True
        flags: dict[str, bool] = {}
        for name in ("consent_to_quote", "children_form"):
            flag = _flag(values.get(name, ""))
            if flag is None:
                problems.append(Problem(number, name, (
                    f"'{values[name][:40]}' is not yes or no.")))
            flags[name] = bool(flag)
        raw: dict[str, Any] = {}
        for _, column, qid, kind, options in self.columns:
            if not qid or column not in values:  # no question, or already refused
                continue
            cell = values[column]
            if kind == QuestionKind.FREE_TEXT:
                raw[qid] = cell
                continue
            parts = [p.strip() for p in cell.split(";")] if cell else []
            chosen = [options.get(_key(p), p) for p in parts if p]
            if kind == QuestionKind.MULTIPLE_CHOICE:
                raw[qid] = chosen
            else:
                raw[qid] = chosen if len(chosen) > 1 else (chosen[0] if chosen else "")
        answers, errors = self.validate(layout.round, raw, layout.questions, layout.offered)
        for key, messages in errors.items():
            column = f"q{key}" if str(key).isdigit() else str(key)
            for message in messages:
                problems.append(Problem(number, column, message))
        if problems:
            return None, problems
        assert audience_id is not None
        row = Row(number=number, audience_id=audience_id, channel=channel,
                  submitted_on=submitted_on, consent_to_quote=flags["consent_to_quote"],
                  children_form=flags["children_form"], answers=answers)
        row.content = json.dumps([
            # A blank date stays blank here: the same row imported another day is the same.
            layout.audience_slugs[audience_id], channel, submitted_on.isoformat() if dated else "",
            row.consent_to_quote, row.children_form,
            sorted([qid, a["text"], sorted(a["choices"])] for qid, a in answers.items()),
        ], separators=(",", ":"), ensure_ascii=False)
        return row, []


def fingerprint(content: str, occurrence: int) -> str:
    """SHA-256 of a row's normalised cells and which occurrence of them in the file it is:
    two paper returns with the same answers are two responses, and a file imported again
    (or corrected and imported again) is recognised row by row."""
    return hashlib.sha256(f"{occurrence}:{content}".encode()).hexdigest()
