"""The round's responses and answers as CSV rows, for the analysts: one row per response,
one column per question (choices joined by "; "), the free-text answers' themes beside them.

Every text cell goes through ``safe_cell`` (formula injection: a text cell starting with
= + - @, or a tab or carriage return, is written with a leading apostrophe so a spreadsheet
shows it as text); numbers stay numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .models import Answer, ConsultationRound, QuestionKind, Response

try:  # consultimport's helper, once it is on main
    from .exports import safe_cell  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - the local stand-in with the same contract
    _TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

    def safe_cell(value: Any) -> Any:
        """A CSV/XLSX cell that no spreadsheet evaluates: text starting with = + - @ (or a
        tab or carriage return) gets a leading apostrophe; numbers, booleans and None are
        returned as they are."""
        if value is None or isinstance(value, bool | int | float):
            return value
        text = str(value)
        return "'" + text if text.startswith(_TRIGGERS) else text


def export_rows(round: ConsultationRound) -> Iterator[list[Any]]:  # noqa: A002
    """The header, then one row per response, in the order they came."""
    questions = list(round.questions.order_by("order", "pk"))
    header: list[Any] = ["response", "submitted_at", "source", "channel", "audience",
                         "children_form", "consent_to_quote"]
    for n, q in enumerate(questions, start=1):
        header.append(f"Q{n} {q.text}")
        if q.kind == QuestionKind.FREE_TEXT:
            header += [f"Q{n} redacted", f"Q{n} themes"]
    yield [safe_cell(c) for c in header]
    responses = (Response.objects.filter(round=round).select_related("audience")
                 .order_by("submitted_at", "pk"))
    for chunk in _chunks(responses, 2000):
        answers: dict[int, dict[int, Answer]] = {}
        for a in Answer.objects.filter(response__in=[r.pk for r in chunk]) \
                .prefetch_related("themes"):
            answers.setdefault(a.response_id, {})[a.question_id] = a
        for r in chunk:
            row: list[Any] = [r.pk, r.submitted_at.isoformat(), r.source, r.channel,
                              r.audience.name if r.audience else "", r.children_form,
                              r.consent_to_quote]
            mine = answers.get(r.pk, {})
            for q in questions:
                a = mine.get(q.pk)
                if q.kind == QuestionKind.FREE_TEXT:
                    row += [a.text if a else "", a.redacted_text if a and a.redacted_at else "",
                            "; ".join(sorted(t.name for t in a.themes.all())) if a else ""]
                else:
                    row.append("; ".join(str(c) for c in a.choices) if a else "")
            yield [safe_cell(c) for c in row]


def _chunks(queryset: Any, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in queryset.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
