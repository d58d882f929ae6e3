"""response_submit and answers_validate: every rule of a public response, and retention."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.audit import verify_chain
from governance.consultation.models import (
    Answer,
    ConsultationStatus,
    Response,
)
from governance.consultation.responses import (
    MAX_ANSWER_CHARS,
    add_months,
    anonymise_due_rounds,
    answers_validate,
    response_submit,
    retention_ends_on,
)
from governance.models import AuditEvent
from governance.tasks import scan_consultation_retention
from plangov.errors import Gone, InvalidInput

from ..consultation_helpers import open_round, questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(world, frozen_clock):  # noqa: A001
    return open_round(world)


def good(round):  # noqa: A002
    free, single, multi, agree = questions(round)
    return {str(free.pk): "More youth clubs", str(single.pk): "yes",
            str(multi.pk): ["home", "school"], str(agree.pk): "agree"}


def test_a_good_response_is_stored_with_its_answers_and_no_audit_event(round):
    events = AuditEvent.objects.count()
    response = response_submit(round=round, answers=good(round),
                               audience="children-and-young-people", consent_to_quote=True)
    free, single, multi, agree = questions(round)
    stored = {a.question_id: (a.text, a.choices) for a in response.answers.all()}
    assert stored == {free.pk: ("More youth clubs", []), single.pk: ("", ["yes"]),
                      multi.pk: ("", ["home", "school"]), agree.pk: ("", ["agree"])}
    assert response.audience.slug == "children-and-young-people"
    assert response.consent_to_quote is True and response.channel == "online"
    assert AuditEvent.objects.count() == events  # responses are personal data


def test_consent_to_quote_is_off_unless_given(round):
    response = response_submit(round=round, answers=good(round))
    assert response.consent_to_quote is False and response.audience is None


@pytest.mark.parametrize("change, field, message", [
    (lambda q, a: a.update({"999999": "x"}), "answers.999999", "no question"),
    (lambda q, a: a.update({"nonsense": "x"}), "answers.nonsense", "no question"),
    (lambda q, a: a.update({str(q[0].pk): "x" * (MAX_ANSWER_CHARS + 1)}), 0, "10,000"),
    (lambda q, a: a.pop(str(q[0].pk)), 0, "Answer this question"),
    (lambda q, a: a.update({str(q[0].pk): "   "}), 0, "Answer this question"),
    (lambda q, a: a.update({str(q[1].pk): "maybe"}), 1, "not one of the answers offered"),
    (lambda q, a: a.update({str(q[1].pk): ["yes", "no"]}), 1, "Choose one"),
    (lambda q, a: a.update({str(q[2].pk): ["home", "moon"]}), 2, "not one of the answers"),
    (lambda q, a: a.update({str(q[3].pk): "yes"}), 3, "not one of the answers offered"),
    (lambda q, a: a.update({str(q[0].pk): "bad\x0bchar"}), 0, "U+000B"),
    (lambda q, a: a.update({str(q[0].pk): {"nested": 1}}), 0, "Give text"),
])
def test_bad_answers_are_400_naming_the_field_and_store_nothing(round, change, field, message):
    qs = questions(round)
    answers = good(round)
    change(qs, answers)
    name = field if isinstance(field, str) else f"answers.{qs[field].pk}"
    with pytest.raises(InvalidInput) as caught:
        response_submit(round=round, answers=answers)
    assert list(caught.value.errors) == [name]
    assert message in caught.value.errors[name][0]
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_an_answer_of_exactly_10000_characters_is_taken(round):
    free = questions(round)[0]
    answers = {**good(round), str(free.pk): "y" * MAX_ANSWER_CHARS}
    response = response_submit(round=round, answers=answers)
    assert len(response.answers.get(question=free).text) == MAX_ANSWER_CHARS


def test_every_wrong_field_is_named_at_once(round):
    qs = questions(round)
    with pytest.raises(InvalidInput) as caught:
        response_submit(round=round, answers={str(qs[1].pk): "maybe"}, audience="aliens",
                        channel="pigeon")
    assert set(caught.value.errors) == {f"answers.{qs[0].pk}", f"answers.{qs[1].pk}",
                                        "audience", "channel"}


def test_a_childrens_response_needs_a_childrens_version(round):
    round.children_form = False
    round.save()
    with pytest.raises(InvalidInput) as caught:
        response_submit(round=round, answers=good(round), children_form=True)
    assert list(caught.value.errors) == ["children_form"]


def test_text_is_normalised(round):
    free = questions(round)[0]
    response = response_submit(round=round, answers={**good(round), str(free.pk): "a\r\nb"})
    assert response.answers.get(question=free).text == "a\nb"


def test_answers_validate_reuses_given_questions(round):
    qs, answers = questions(round), good(round)
    with CaptureQueriesContext(connection) as queries:
        clean, errors = answers_validate(round, answers, questions=qs)
    assert len(queries) == 0 and not errors and len(clean) == 4


@pytest.mark.parametrize("state", ["closed", "past_closing_time", "draft", "before_opening",
                                   "recorded"])
def test_a_round_not_taking_responses_is_gone_and_nothing_is_stored(round, frozen_clock, state):
    if state == "closed":
        round.status = ConsultationStatus.CLOSED
    elif state == "past_closing_time":
        frozen_clock.advance(days=31)  # the beat has not closed it yet
    elif state == "draft":
        round.status = ConsultationStatus.DRAFT
    elif state == "before_opening":
        frozen_clock.advance(days=-2)
    else:
        round.recorded = True
    round.save()
    with pytest.raises(Gone) as caught:
        # Bad answers too: the round's state is answered first.
        response_submit(round=round, answers={"999": "x"})
    assert caught.value.status == 410
    assert not Response.objects.exists()


# Retention.


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(datetime.date(2016, 7, 14), 24) == datetime.date(2018, 7, 14)
    assert add_months(datetime.date(2016, 1, 31), 1) == datetime.date(2016, 2, 29)
    assert add_months(datetime.date(2016, 11, 30), 3) == datetime.date(2017, 2, 28)


def close(round, day):  # noqa: A002
    round.status = ConsultationStatus.CLOSED
    round.closed_on = day
    round.save()


def test_retention_anonymises_free_text_once_and_keeps_the_counts(round, frozen_clock):
    for consent in (True, False):
        response_submit(round=round, answers=good(round), audience="parents-and-carers",
                        consent_to_quote=consent)
    close(round, frozen_clock().date())
    assert retention_ends_on(round) == datetime.date(2018, 7, 14)
    frozen_clock.set(datetime.date(2018, 7, 13))
    assert scan_consultation_retention() == 0
    assert Answer.objects.exclude(text="").count() == 2
    frozen_clock.set(datetime.date(2018, 7, 14))
    events = AuditEvent.objects.count()
    assert scan_consultation_retention() == 1
    assert not Answer.objects.exclude(text="").exists()
    assert Answer.objects.exclude(choices=[]).count() == 6  # choices kept: the counts stand
    assert Response.objects.filter(audience__slug="parents-and-carers").count() == 2
    assert not Response.objects.filter(anonymised_at__isnull=True).exists()
    assert not Response.objects.filter(consent_to_quote=True).exists()
    round.refresh_from_db()
    assert round.responses_anonymised_at is not None
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == events + 1
    assert event.action == "consultation_responses_anonymised"
    assert event.before["responses_digest"] != event.after["responses_digest"]
    assert len(event.after["responses_digest"]) == 64 and event.after["responses"] == 2
    assert "More youth clubs" not in str(event.before) + str(event.after)
    # Idempotent: a second scan changes nothing and writes no event.
    assert anonymise_due_rounds() == 0
    assert AuditEvent.objects.count() == events + 1
    assert verify_chain().ok


def test_open_rounds_are_never_anonymised(round, frozen_clock):
    response_submit(round=round, answers=good(round))
    frozen_clock.advance(days=3650)
    round.closes_at = None
    round.save()
    assert anonymise_due_rounds() == 0
    assert Answer.objects.exclude(text="").exists()


def test_beat_runs_the_retention_scan():
    from plangov.celery import app

    app.finalize()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "governance.tasks.scan_consultation_retention" in tasks
