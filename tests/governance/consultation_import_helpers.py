"""A consultation round with questions and audiences, built straight in the database (the
round services are another slice's), and files of offline responses."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from governance.consultation.models import DEFAULT_AUDIENCES
from governance.models import (
    Audience,
    ConsultationRound,
    ConsultationStatus,
    Question,
    QuestionKind,
)
from tests.conftest import World, make_plan

HEADER = ["audience", "channel", "submitted_on", "consent_to_quote"]


def consultation_round(world: World, *, status: str = ConsultationStatus.OPEN,
                       opens_on: datetime.date = datetime.date(2016, 6, 1),
                       extra_questions: int = 0) -> ConsultationRound:
    plan = make_plan(world)
    audiences = [
        Audience.objects.get_or_create(partnership=world.partnership, slug=slug,
                                       defaults={"name": name, "order": i})[0]
        for i, (slug, name) in enumerate(DEFAULT_AUDIENCES)
    ]
    round = ConsultationRound.objects.create(
        plan=plan, number=1, title="Our priorities", opens_on=opens_on, status=status,
        channels=["online", "paper", "event"],
    )
    round.audiences.set(audiences)
    Question.objects.create(round=round, order=1, kind=QuestionKind.FREE_TEXT,
                            text="What matters most to you?", required=True)
    Question.objects.create(
        round=round, order=2, kind=QuestionKind.SINGLE_CHOICE, text="Do you feel safe?",
        choices=[{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}])
    Question.objects.create(
        round=round, order=3, kind=QuestionKind.MULTIPLE_CHOICE, text="Where do you play?",
        choices=[{"value": "park", "label": "Park"}, {"value": "school", "label": "School"},
                 {"value": "home", "label": "At home"}])
    Question.objects.create(round=round, order=4, kind=QuestionKind.AGREEMENT,
                            text="Play areas should open later.")
    for n in range(extra_questions):
        Question.objects.create(round=round, order=5 + n, kind=QuestionKind.FREE_TEXT,
                                text=f"Anything else ({n + 1})?")
    return round


def question_ids(round: ConsultationRound) -> list[int]:
    return list(round.questions.order_by("order").values_list("pk", flat=True))


def header(round: ConsultationRound) -> list[str]:
    return [*HEADER, *(str(q) for q in question_ids(round))]


def good_row(n: int = 0, *, audience: str = "children-and-young-people") -> list[str]:
    return [audience, "paper", "2016-07-01", "yes", f"More places to play ({n})", "Yes",
            "park; school", "agree"]


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "returns.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
