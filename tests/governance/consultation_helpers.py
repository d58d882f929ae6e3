"""A closed consultation round with audiences, questions, responses and activities, for the
analysis, PDF and API tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from documents.services import version_create
from governance.consultation.models import DEFAULT_AUDIENCES
from governance.models import (
    Activity,
    ActivityReach,
    Answer,
    Audience,
    ConsultationRound,
    Question,
    QuestionKind,
    Response,
)
from workflows.services import plan_close_consultation, plan_start_consultation

from ..conftest import World, make_plan
from ..factories import valid_content


def audiences(world: World) -> dict[str, Audience]:
    for order, (slug, name) in enumerate(DEFAULT_AUDIENCES):
        Audience.objects.get_or_create(partnership=world.partnership, slug=slug,
                                       defaults={"name": name, "order": order})
    return {a.slug: a for a in Audience.objects.filter(partnership=world.partnership)}


def closed_round(world: World, *, plan: Any = None) -> ConsultationRound:
    """A round that ran 9 June to 30 September 2008, closed, with three questions."""
    if plan is None:
        plan = make_plan(world)
        version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead, title="Have your say")
    plan_close_consultation(plan=plan, actor=world.lead)
    rnd = plan.consultation_rounds.get()
    ConsultationRound.objects.filter(pk=rnd.pk).update(
        opens_on=datetime.date(2008, 6, 9), closed_on=datetime.date(2008, 9, 30))
    rnd.refresh_from_db()
    Question.objects.create(round=rnd, order=1, kind=QuestionKind.AGREEMENT,
                            text="Do you feel safe in York?")
    Question.objects.create(round=rnd, order=2, kind=QuestionKind.SINGLE_CHOICE,
                            text="Where do you hear about services?",
                            choices=[{"value": "school", "label": "At school"},
                                     {"value": "online", "label": "Online"}])
    Question.objects.create(round=rnd, order=3, kind=QuestionKind.FREE_TEXT,
                            text="What would make York better?")
    rnd.audiences.set(audiences(world).values())
    return rnd


def respond(rnd: ConsultationRound, *, audience: Audience | None = None,
            channel: str = "online", consent: bool = False, agreement: str = "agree",
            where: str = "school", text: str = "") -> Response:
    response = Response.objects.create(round=rnd, submitted_at=timezone.now(),
                                       audience=audience, channel=channel,
                                       consent_to_quote=consent)
    questions = list(rnd.questions.order_by("order"))
    Answer.objects.create(response=response, question=questions[0], choices=[agreement])
    Answer.objects.create(response=response, question=questions[1], choices=[where])
    if text:
        Answer.objects.create(response=response, question=questions[2], text=text)
    return response


def activity(rnd: ConsultationRound, reach: dict[Audience, int], *, channel: str = "event",
             title: str = "Youth forum") -> Activity:
    act = Activity.objects.create(round=rnd, title=title, channel=channel,
                                  held_on=datetime.date(2008, 7, 1))
    for audience, count in reach.items():
        ActivityReach.objects.create(activity=act, audience=audience, count=count)
    return act


def free_text(rnd: ConsultationRound, response: Response) -> Answer:
    return Answer.objects.get(response=response, question__kind=QuestionKind.FREE_TEXT)
