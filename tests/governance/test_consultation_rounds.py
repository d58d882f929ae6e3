"""Consultation rounds with substance: setting one up, its questions, the partnership's
audiences, the digest of its responses and publishing its summary (governance services)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from documents.services import version_create
from governance.consultation.models import (
    DEFAULT_AUDIENCES,
    Answer,
    Audience,
    ConsultationRound,
    Question,
    Response,
)
from governance.consultation.services import (
    audiences_for,
    questions_set,
    responses_digest,
    round_create,
    round_publish_summary,
    round_update,
)
from governance.models import AuditEvent
from plangov.errors import Conflict, Forbidden, InvalidInput
from tests.conftest import World, make_plan
from tests.factories import valid_content
from workflows.services import plan_close_consultation, plan_start_consultation


def at(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def new_round(world: World, plan: Any = None, **kwargs: Any) -> ConsultationRound:
    plan = plan or make_plan(world)
    params: dict[str, Any] = {
        "title": "Our priorities", "opens_at": at(2016, 7, 20, 9),
        "closes_at": at(2016, 9, 30, 23, 59), "actor": world.lead,
    }
    params.update(kwargs)
    return round_create(plan=plan, **params)


QUESTIONS = [
    {"kind": "agreement", "text": "Being healthy should be our first priority.",
     "children_text": "Is being healthy the most important thing?", "required": True,
     "outcome_key": "healthy"},
    {"kind": "single_choice", "text": "Where do you live?",
     "choices": [{"value": "north", "label": "North"}, {"value": "south", "label": "South"}]},
    {"kind": "multiple_choice", "text": "Which services have you used?", "group": "Services",
     "choices": [{"value": "youth", "label": "Youth club"}, {"value": "gp", "label": "GP"},
                 {"value": "school_nurse", "label": "School nurse"}]},
    {"kind": "free_text", "text": "What would make York better for you?"},
]


# Audiences


def test_audiences_are_created_lazily_once_per_partnership(world):
    assert not Audience.objects.filter(partnership=world.partnership).exists()
    audiences = audiences_for(world.partnership)
    assert [(a.slug, a.name) for a in audiences] == DEFAULT_AUDIENCES
    again = audiences_for(world.partnership)
    assert [a.pk for a in again] == [a.pk for a in audiences]
    renamed = audiences[0]
    renamed.name = "Children and young people (5 to 19)"
    renamed.save()
    assert audiences_for(world.partnership)[0].name == "Children and young people (5 to 19)"


# Creating and changing a round


def test_a_round_is_set_up_not_yet_open_with_its_days_from_its_times(world, frozen_clock):
    round = new_round(world, purpose="To hear what matters.", channels=["online", "event"])
    assert round.status == "draft" and round.number == 1 and not round.recorded
    assert (round.opens_on, round.closes_on) == (datetime.date(2016, 7, 20),
                                                 datetime.date(2016, 9, 30))
    assert round.channels == ["online", "event"]
    assert {a.slug for a in round.audiences.all()} == {slug for slug, _ in DEFAULT_AUDIENCES}
    [event] = events("consultation.round_create")
    assert event.actor_label == "lead" and event.after["consultation_round"] == 1
    assert event.after["status"] == "draft" and "title" not in event.after
    assert event.after["title_sha256"] and event.after["audiences"]


def test_a_round_run_on_plangov_cannot_close_in_the_past(world, frozen_clock):
    plan = make_plan(world)
    with pytest.raises(InvalidInput) as error:
        new_round(world, plan, opens_at=None, closes_at=at(2016, 7, 1, 12))
    assert "recorded after the event" in error.value.errors["closes_at"][0]
    with pytest.raises(InvalidInput) as error:
        new_round(world, plan, opens_at=at(2016, 6, 1, 9))
    assert "in the past" in error.value.errors["opens_at"][0]
    with pytest.raises(InvalidInput) as error:
        new_round(world, plan, closes_at=at(2016, 7, 19, 9))
    assert "closes after it opens" in error.value.errors["closes_at"][-1]
    assert not ConsultationRound.objects.exists() and not events("consultation.round_create")


def test_a_round_recorded_after_the_event_takes_its_2008_dates(world, frozen_clock):
    """A coordinator replaying the 2008 timetable: the first round ran June to September."""
    plan = make_plan(world)
    round = new_round(world, plan, title="First round: priorities", recorded=True,
                      opens_at=at(2008, 6, 2, 9), closes_at=at(2008, 9, 30, 17))
    assert round.recorded and (round.opens_on, round.closes_on) == (
        datetime.date(2008, 6, 2), datetime.date(2008, 9, 30))
    with pytest.raises(InvalidInput) as error:
        new_round(world, plan, recorded=True, opens_at=at(2016, 8, 1, 9))
    assert "is in the future" in error.value.errors["opens_at"][0]


def test_text_policy_and_bad_fields_are_400s_naming_each(world, frozen_clock):
    with pytest.raises(InvalidInput) as error:
        new_round(world, title="Bad\x0btitle", purpose="ok\x00", channels=["pigeon"],
                  retention_months=0)
    assert set(error.value.errors) == {"title", "purpose", "channels", "retention_months"}
    assert "U+000B" in error.value.errors["title"][0]
    other_plan = make_plan(world)
    version = version_create(plan=other_plan, actor=world.lead, content=valid_content())
    with pytest.raises(InvalidInput) as error:
        new_round(world, version=version)
    assert "not a version of this plan" in error.value.errors["version"][0]


def test_only_the_lead_officer_sets_up_and_changes_rounds(world, frozen_clock):
    plan = make_plan(world)
    for name in ("board_secretary", "auditor", "outsider", "executive_member"):
        with pytest.raises(Forbidden):
            new_round(world, plan, actor=world.users[name])
    round = new_round(world, plan)
    with pytest.raises(Forbidden):
        round_update(round=round, changes={"title": "Mine"}, actor=world.board_secretary)
    with pytest.raises(Forbidden):
        questions_set(round=round, questions=QUESTIONS, actor=world.auditor)


def test_a_round_changes_freely_before_it_opens_and_little_after(world, frozen_clock):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    round = new_round(world, plan)
    round = round_update(round=round, changes={"title": "Priorities", "children_form": False,
                                               "closes_at": at(2016, 10, 7, 23, 59)},
                         actor=world.lead)
    assert (round.title, round.children_form, round.closes_on) == (
        "Priorities", False, datetime.date(2016, 10, 7))
    [event] = events("consultation.round_update")
    assert event.before["closes_on"] == "2016-09-30" and event.after["closes_on"] == "2016-10-07"
    plan_start_consultation(plan=plan, round=round, actor=world.lead)
    round.refresh_from_db()
    with pytest.raises(Conflict, match="only its title"):
        round_update(round=round, changes={"channels": ["paper"]}, actor=world.lead)
    round = round_update(round=round, changes={"closes_at": at(2016, 10, 14, 23, 59),
                                               "channels": ["online"]}, actor=world.lead)
    assert round.closes_on == datetime.date(2016, 10, 14)  # extended while open
    plan_close_consultation(plan=plan, actor=world.lead)
    round.refresh_from_db()
    with pytest.raises(Conflict, match="closed"):
        round_update(round=round, changes={"title": "Later"}, actor=world.lead)


# Questions


def test_questions_are_grouped_by_the_outcomes_of_the_version_consulted_on(world, frozen_clock):
    plan = make_plan(world)
    version = version_create(plan=plan, actor=world.lead, content=valid_content())
    round = new_round(world, plan, version=version)
    questions = questions_set(round=round, questions=QUESTIONS, actor=world.lead)
    assert [q.order for q in questions] == [1, 2, 3, 4]
    first = questions[0]
    assert (first.outcome_key, first.required, first.kind) == ("healthy", True, "agreement")
    assert first.group == version.content["outcomes"][0]["title"]
    assert [c["value"] for c in first.choices][0] == "strongly_agree"
    assert first.children_text == "Is being healthy the most important thing?"
    assert questions[2].group == "Services" and len(questions[2].choices) == 3
    [event] = events("consultation.questions_set")
    assert event.after["questions"] == 4 and event.after["required"] == 1
    assert "Where do you live?" not in str(event.after)
    # Setting them again replaces them, in the new order.
    questions_set(round=round, questions=QUESTIONS[::-1], actor=world.lead)
    assert [q.kind for q in round.questions.all()] == [
        "free_text", "multiple_choice", "single_choice", "agreement"]


def test_wrong_questions_are_400s_naming_the_question_and_field(world, frozen_clock):
    round = new_round(world)
    bad = [
        {"kind": "free_text", "text": "Fine"},
        {"kind": "essay", "text": ""},
        {"kind": "single_choice", "text": "Pick", "choices": [{"value": "a", "label": "A"}]},
        {"kind": "multiple_choice", "text": "Pick",
         "choices": [{"value": "a", "label": "A"}, {"value": "a", "label": "B\x00"}]},
        {"kind": "free_text", "text": "Q", "choices": [{"value": "a", "label": "A"}],
         "outcome_key": "nowhere", "colour": "red"},
    ]
    with pytest.raises(InvalidInput) as error:
        questions_set(round=round, questions=bad, actor=world.lead)
    errors = error.value.errors
    assert {"questions[1].kind", "questions[1].text", "questions[2].choices",
            "questions[3].choices[1].label", "questions[4].choices",
            "questions[4].outcome_key", "questions[4].colour"} <= set(errors)
    assert "questions[0].text" not in errors
    assert not Question.objects.exists()


def test_questions_change_only_before_the_round_opens(world, frozen_clock):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    round = new_round(world, plan)
    questions_set(round=round, questions=QUESTIONS[1:2], actor=world.lead)
    plan_start_consultation(plan=plan, round=round, actor=world.lead)
    with pytest.raises(Conflict) as error:
        questions_set(round=round, questions=QUESTIONS, actor=world.lead)
    assert error.value.status == 409 and "before it opens" in error.value.detail
    assert round.questions.count() == 1


# The digest of responses, and publishing the summary


def test_the_digest_covers_responses_and_answers_in_a_canonical_order(world, frozen_clock):
    round = new_round(world)
    empty = responses_digest(round)
    question = Question.objects.create(round=round, kind="free_text", text="Why?", order=1)
    response = Response.objects.create(round=round, submitted_at=at(2016, 7, 21, 9))
    answer = Answer.objects.create(response=response, question=question, text="Because.")
    first = responses_digest(round)
    assert first != empty and len(first) == 64
    assert responses_digest(round) == first  # the same responses, the same digest
    answer.text = "Because!"
    answer.save()
    assert responses_digest(round) != first


def test_the_summary_is_published_for_a_closed_round_only(world, frozen_clock):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    round = new_round(world, plan)
    with pytest.raises(Conflict):
        round_publish_summary(round=round, actor=world.lead)
    plan_start_consultation(plan=plan, round=round, actor=world.lead)
    with pytest.raises(Conflict, match="once it has closed"):
        round_publish_summary(round=round, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    with pytest.raises(Forbidden):
        round_publish_summary(round=round, actor=world.board_secretary)
    with pytest.raises(InvalidInput) as error:
        round_publish_summary(round=round, actor=world.lead,
                              published_on=datetime.date(2016, 7, 15))
    assert "in the future" in error.value.errors["published_on"][0]
    round = round_publish_summary(round=round, actor=world.lead)
    assert round.summary_published_on == datetime.date(2016, 7, 14)
    assert round.summary_published_at is not None
    [event] = events("consultation.summary_publish")
    assert event.after["responses_digest"] == responses_digest(round)
    assert event.after["responses"] == 0
