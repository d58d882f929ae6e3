"""The digest of a round's responses (``responses_digest``): the audit chain carries it, so its
bytes must not drift. The pinned value below was computed with the model-instance
implementation (select_related + prefetch) before it was rewritten to stream plain tuples;
``_reference_digest`` is a verbatim copy of that implementation, kept to compare against."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import pytest
from django.db import models

from governance.consultation.models import (
    Answer,
    Audience,
    ConsultationRound,
    Question,
    Response,
)
from governance.consultation.services import responses_digest, round_create
from tests.conftest import World, make_plan

UTC = datetime.UTC

# Computed with the pre-streaming implementation over ``digest_fixture``.
PINNED = "bf630b80eb53107f64dd96400397567e975cdc1049159164d0a5db47bd0f4de7"


def _reference_digest(round: ConsultationRound) -> str:
    """The implementation before the rewrite, kept verbatim (model instances, prefetch)."""
    digest = hashlib.sha256()
    responses = (
        Response.objects.filter(round=round).select_related("audience")
        .prefetch_related(models.Prefetch(
            "answers",
            queryset=Answer.objects.order_by("question__order", "question_id", "pk"),
            to_attr="ordered_answers"))
        .order_by("pk")
    )
    for response in responses.iterator(chunk_size=2000):
        line = {
            "id": response.pk,
            "submitted_at": response.submitted_at.isoformat(),
            "source": response.source,
            "channel": response.channel,
            "audience": response.audience.slug if response.audience_id else None,
            "children_form": response.children_form,
            "consent_to_quote": response.consent_to_quote,
            "fingerprint": response.fingerprint,
            "anonymised": response.anonymised_at is not None,
            "answers": [[a.question_id, a.text, a.choices] for a in response.ordered_answers],
        }
        digest.update(json.dumps(line, sort_keys=True, separators=(",", ":"),
                                 ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def digest_fixture(world: World) -> ConsultationRound:
    """A round with explicit primary keys (the digest holds response and question ids), so the
    digest is the same on every database and in every test order."""
    round = round_create(
        plan=make_plan(world), title="Our priorities",
        opens_at=datetime.datetime(2016, 7, 20, 9, tzinfo=UTC),
        closes_at=datetime.datetime(2016, 9, 30, 23, 59, tzinfo=UTC), actor=world.lead)
    Question.objects.filter(round=round).delete()
    schools = Audience.objects.create(
        partnership=world.partnership, slug="digest-schools", name="Digest schools", order=90)
    parents = Audience.objects.create(
        partnership=world.partnership, slug="digest-parents", name="Digest parents", order=91)
    # Question order deliberately not the pk order; two questions share an order (question_id
    # breaks the tie).
    q = {
        pk: Question.objects.create(pk=pk, round=round, order=order, kind=kind, text=f"Q{pk}",
                                    choices=choices)
        for pk, order, kind, choices in [
            (9104, 1, "free_text", []),
            (9101, 3, "single_choice", ["Yes", "No"]),
            (9103, 2, "multiple_choice", ["Parks", "Buses", "Clubs"]),
            (9102, 2, "free_text", []),
            (9105, 0, "agreement", ["Agree", "Disagree"]),
        ]
    }

    def response(pk: int, **kwargs: Any) -> Response:
        return Response.objects.create(pk=pk, round=round, **kwargs)

    r1 = response(7001, submitted_at=datetime.datetime(2016, 7, 21, 9, 30, tzinfo=UTC),
                  audience=schools, consent_to_quote=True)
    r2 = response(7002, submitted_at=datetime.datetime(2016, 7, 21, 8, 0, 0, 123456, tzinfo=UTC),
                  audience=None, channel="paper", source="imported",
                  fingerprint="ab" * 32, children_form=True)
    r3 = response(7003, submitted_at=datetime.datetime(2016, 8, 1, 23, 59, 59, tzinfo=UTC),
                  audience=parents, channel="event",
                  anonymised_at=datetime.datetime(2016, 10, 1, tzinfo=UTC))
    response(7004, submitted_at=datetime.datetime(2016, 8, 2, tzinfo=UTC))  # no answers
    r5 = response(7005, submitted_at=datetime.datetime(2016, 7, 20, 9, 0, 1, tzinfo=UTC),
                  audience=schools, channel="youth_group")
    # Answers created in an order unlike the question order, pks not in question order.
    answers = [
        (8010, r3, 9101, "", ["No"]),
        (8001, r1, 9102, "Cheaper buses — s’il vous plaît", []),
        (8002, r1, 9104, "More places to play\nand \"safe\" routes", []),
        (8003, r1, 9101, "", ["Yes"]),
        (8004, r1, 9105, "", ["Agree"]),
        (8005, r1, 9103, "", ["Parks", "Clubs"]),
        (8009, r2, 9103, "", []),
        (8008, r2, 9102, "<b>youth clubs</b> 😀", []),
        (8011, r3, 9104, "Someone to talk to", []),
        (8020, r5, 9105, "", ["Disagree"]),
        (8019, r5, 9104, "", []),
    ]
    for pk, resp, question, text, choices in answers:
        Answer.objects.create(pk=pk, response=resp, question=q[question], text=text,
                              choices=choices)
    # Another round's responses never count.
    other = round_create(
        plan=round.plan, title="Another", opens_at=datetime.datetime(2016, 10, 1, tzinfo=UTC),
        closes_at=datetime.datetime(2016, 11, 1, tzinfo=UTC), actor=world.lead)
    other_q = Question.objects.create(pk=9201, round=other, order=0, kind="free_text", text="?")
    stray = Response.objects.create(pk=7000, round=other,
                                    submitted_at=datetime.datetime(2016, 10, 2, tzinfo=UTC))
    Answer.objects.create(pk=8000, response=stray, question=other_q, text="elsewhere")
    return round


@pytest.fixture
def digest_round(world: World, frozen_clock: Any) -> ConsultationRound:
    return digest_fixture(world)


def test_the_digest_is_pinned_for_a_fixed_set_of_responses(digest_round):
    assert _reference_digest(digest_round) == PINNED
    assert responses_digest(digest_round) == PINNED


def test_the_digest_of_a_round_without_responses_is_the_empty_hash(world, frozen_clock):
    round = round_create(
        plan=make_plan(world), title="Empty",
        opens_at=datetime.datetime(2016, 7, 20, 9, tzinfo=UTC),
        closes_at=datetime.datetime(2016, 9, 30, tzinfo=UTC), actor=world.lead)
    assert responses_digest(round) == hashlib.sha256(b"").hexdigest() == _reference_digest(round)


def test_the_digest_changes_when_any_answer_text_changes(digest_round):
    before = responses_digest(digest_round)
    seen = {before}
    answers = list(Answer.objects.filter(response__round=digest_round).order_by("pk"))
    assert len(answers) == 11
    for answer in answers:
        original = answer.text
        answer.text = original + "."
        answer.save(update_fields=["text"])
        changed = responses_digest(digest_round)
        assert changed == _reference_digest(digest_round)
        assert changed not in seen, f"answer {answer.pk}: digest did not change"
        seen.add(changed)
        answer.text = original
        answer.save(update_fields=["text"])
        assert responses_digest(digest_round) == before


def test_the_digest_changes_with_choices_order_and_response_facts(digest_round):
    before = responses_digest(digest_round)
    answer = Answer.objects.get(pk=8005)
    answer.choices = ["Clubs", "Parks"]
    answer.save(update_fields=["choices"])
    assert responses_digest(digest_round) not in {before}
    answer.choices = ["Parks", "Clubs"]
    answer.save(update_fields=["choices"])
    # Reordering questions reorders the answers inside a line.
    Question.objects.filter(pk=9105).update(order=9)
    reordered = responses_digest(digest_round)
    assert reordered != before and reordered == _reference_digest(digest_round)
    Question.objects.filter(pk=9105).update(order=0)
    Response.objects.filter(pk=7002).update(
        anonymised_at=datetime.datetime(2016, 10, 2, tzinfo=UTC))
    anonymised = responses_digest(digest_round)
    assert anonymised != before and anonymised == _reference_digest(digest_round)
