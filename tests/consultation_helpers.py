"""A consultation round with one question of each kind, for the public form's tests."""

from __future__ import annotations

import datetime
from typing import Any

from governance.consultation.models import (
    DEFAULT_AUDIENCES,
    Audience,
    ConsultationRound,
    ConsultationStatus,
    Question,
    QuestionKind,
)
from plangov import clock

from .conftest import World, make_plan


def open_round(world: World, *, plan: Any = None, **fields: Any) -> ConsultationRound:
    plan = plan or make_plan(world)
    now = clock.now()
    audiences = [
        Audience.objects.get_or_create(partnership=world.partnership, slug=slug,
                                       defaults={"name": name, "order": i})[0]
        for i, (slug, name) in enumerate(DEFAULT_AUDIENCES)
    ]
    values: dict[str, Any] = {
        "plan": plan, "number": plan.consultation_rounds.count() + 1,
        "title": "Our priorities for children", "purpose": "Tell us what matters to you.",
        "opens_on": now.date(), "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30), "status": ConsultationStatus.OPEN,
        "retention_months": 24,
    }
    values.update(fields)
    round = ConsultationRound.objects.create(**values)  # noqa: A001
    round.audiences.set(audiences)
    Question.objects.bulk_create([
        Question(round=round, order=1, group="Being healthy", kind=QuestionKind.FREE_TEXT,
                 text="What would help you stay healthy?",
                 children_text="What helps you feel healthy?", required=True),
        Question(round=round, order=2, group="Being healthy", kind=QuestionKind.SINGLE_CHOICE,
                 text="Do you know where to get help?", children_text="Do you know who to ask?",
                 choices=[{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]),
        Question(round=round, order=3, group="Staying safe",
                 kind=QuestionKind.MULTIPLE_CHOICE, text="Where do you feel safe?",
                 children_text="Where do you feel safe?",
                 choices=[{"value": "home", "label": "At home"},
                          {"value": "school", "label": "At school"},
                          {"value": "park", "label": "In the park"}]),
        Question(round=round, order=4, group="Staying safe", kind=QuestionKind.AGREEMENT,
                 text="Our priorities are the right ones.",
                 children_text="We picked the right things to work on."),
    ])
    return round


def questions(round: ConsultationRound) -> list[Question]:  # noqa: A002
    return list(round.questions.order_by("order"))
